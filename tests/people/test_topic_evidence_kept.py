"""A topic's evidence is counted once for every reader and kept (selectors.topic_evidence),
then restricted to what each reader may see: new evidence shows at once, evidence from a
private community only to its members, the hub the same number of queries however many
people have evidence."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community, Membership, Thread
from communities.services import answer_accept, reply_create, thread_create
from socialearn.people import selectors
from tests.communities.conftest import make_community
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(db):
    class P:
        pass

    p = P()
    p.topic = TopicFactory(name="Negotiation")
    p.manager = UserFactory(profile__display_name="Nia Manager")
    p.insider = UserFactory(profile__display_name="Ida Insider")
    p.outsider = UserFactory(profile__display_name="Otto Outsider")
    p.writer = UserFactory(profile__display_name="Wanda Writer")
    p.public = make_community(p.manager, name="Deal makers", topics=[p.topic])
    p.private = make_community(
        p.manager,
        name="Board room",
        members=[p.insider, p.writer],
        topics=[p.topic],
        visibility=Community.Visibility.PRIVATE,
    )
    return p


def _tip(p, community, author, title="Listen first", **kwargs):
    return thread_create(
        community=community,
        author=author,
        kind=Thread.Kind.TIP,
        title=title,
        body="Text",
        topics=[p.topic],
        **kwargs,
    )


def _hub(client, p, reader) -> str:
    client.force_login(reader)
    response = client.get(reverse("people:topic", args=[p.topic.slug]))
    assert response.status_code == 200
    return response.content.decode()


def _queries(client, p, reader) -> int:
    client.force_login(reader)
    url = reverse("people:topic", args=[p.topic.slug])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_evidence_of_a_private_community_shows_to_its_members_only_from_one_kept_count(
    place, client
):
    p = place
    _tip(p, p.private, p.writer)
    assert "Wanda Writer" in _hub(client, p, p.insider)
    counted = selectors.topic_evidence(p.topic.pk)
    assert "Wanda Writer" not in _hub(client, p, p.outsider)
    # The outsider's page was made from the count the insider's page kept.
    assert selectors.topic_evidence(p.topic.pk) == counted
    assert selectors.visible_evidence(p.outsider, counted) == {}
    assert selectors.visible_evidence(p.insider, counted) == {p.writer.pk: 2}


def test_anonymous_tips_are_no_ones_evidence(place, client):
    p = place
    p.public.anonymity = Community.Anonymity.ON
    p.public.save(update_fields=["anonymity"])
    _tip(p, p.public, p.writer, is_anonymous=True)
    assert "Wanda Writer" not in _hub(client, p, p.insider)
    assert "Wanda Writer" not in _hub(client, p, p.manager)


def test_a_new_tip_shows_at_once(place, client):
    p = place
    assert "Wanda Writer" not in _hub(client, p, p.outsider)
    _tip(p, p.public, p.writer)
    assert "Wanda Writer" in _hub(client, p, p.outsider)


def test_an_answer_accepted_shows_at_once(place, client, django_capture_on_commit_callbacks):
    p = place
    question = thread_create(
        community=p.public,
        author=p.manager,
        kind=Thread.Kind.QUESTION,
        title="BATNA?",
        body="Text",
        topics=[p.topic],
    )
    reply = reply_create(thread=question, author=p.writer, body="Best alternative.")
    assert "Wanda Writer" not in _hub(client, p, p.outsider)
    with django_capture_on_commit_callbacks(execute=True):
        answer_accept(thread=question, reply=reply, accepted_by=p.manager)
    assert selectors.visible_evidence(p.outsider, selectors.topic_evidence(p.topic.pk)) == {
        p.writer.pk: 3
    }
    assert "Wanda Writer" in _hub(client, p, p.outsider)


def test_the_hub_runs_as_many_queries_for_many_people_with_evidence_as_for_one(place, client):
    p = place
    _tip(p, p.public, p.writer)
    first_view, kept_view = _queries(client, p, p.outsider), _queries(client, p, p.outsider)
    for i in range(15):
        author = UserFactory(profile__display_name=f"Author {i:02}")
        _tip(p, p.public, author, title=f"Tip {i}")
        UserFactory(profile__expertise=[p.topic])
    assert _queries(client, p, p.outsider) == first_view
    assert _queries(client, p, p.outsider) == kept_view
    assert kept_view < first_view


def _welcome(client, reader) -> str:
    client.force_login(reader)
    response = client.get(reverse("people:welcome_experts"))
    assert response.status_code == 200
    return response.content.decode()


def test_people_to_follow_are_those_with_evidence_the_newcomer_may_see_most_first(place, client):
    p = place
    newcomer = UserFactory(profile__interests=[p.topic])
    _tip(p, p.private, p.writer, title="Private tip")
    shown = UserFactory(profile__display_name="Sam Shown")
    _tip(p, p.public, shown, title="Public tip")
    page = _welcome(client, newcomer)
    assert "Sam Shown" in page
    assert "Wanda Writer" not in page
    Membership.objects.create(community=p.private, user=newcomer, role="member", status="active")
    _tip(p, p.private, p.writer, title="Second private tip")
    page = _welcome(client, newcomer)
    assert page.index("Wanda Writer") < page.index("Sam Shown")


def test_people_to_follow_cost_the_same_queries_for_many_candidates(place, client):
    p = place
    newcomer = UserFactory(profile__interests=[p.topic])
    _tip(p, p.public, p.writer)
    UserFactory(profile__expertise=[p.topic])

    def queries() -> int:
        client.force_login(newcomer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("people:welcome_experts")).status_code == 200
        return len(captured)

    first_view, kept_view = queries(), queries()
    for i in range(30):
        _tip(p, p.public, UserFactory(profile__display_name=f"Author {i:02}"), title=f"Tip {i}")
        UserFactory(profile__expertise=[p.topic])
    newcomer.profile.interests.add(TopicFactory(name="Pricing"))
    assert queries() == first_view
    assert queries() == kept_view


def test_people_to_follow_rank_by_evidence_then_name_and_fill_with_those_who_declared(place):
    """Rule: the first-run suggestions are the people with the most evidence this newcomer
    may see (ties by name), then those who only declared the topic in directory order, at
    most `limit`; the newcomer is never suggested to themselves."""
    p = place
    newcomer = UserFactory(profile__interests=[p.topic], profile__expertise=[p.topic])
    for i in range(3):
        _tip(p, p.public, p.manager, title=f"Manager tip {i}")
    brenda, abel = (UserFactory(profile__display_name=n) for n in ("Brenda Tie", "Abel Tie"))
    for author in (brenda, abel, newcomer):
        _tip(p, p.public, author, title=f"Tip by {author.pk}")
    _tip(p, p.private, p.writer, title="Private tip")  # the newcomer may not see it
    for name in ("Zoe Declared", "Carl Declared", "Mia Declared"):
        UserFactory(profile__display_name=name, profile__expertise=[p.topic])
    names = [
        person.display_name
        for person in selectors.experts_to_follow(profile=newcomer.profile, limit=5)
    ]
    assert names == ["Nia Manager", "Abel Tie", "Brenda Tie", "Carl Declared", "Mia Declared"]


def test_a_process_reuses_a_topics_decoded_evidence_for_a_minute_under_the_same_key(
    place, monkeypatch
):
    """Rule: the decoded copy a process keeps is the shared cache's entry under the same key
    (new evidence, a new key, shows at once) and lasts a minute at most."""
    from django.core.cache import cache

    p = place
    _tip(p, p.public, p.writer)
    selectors.topic_evidence(p.topic.pk)
    reads = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or get_many(keys))
    assert selectors.visible_evidence(p.outsider, selectors.topic_evidence(p.topic.pk)).keys() == {
        p.writer.pk
    }
    assert reads == []
    _tip(p, p.public, p.manager, title="Second tip")
    assert selectors.visible_evidence(p.outsider, selectors.topic_evidence(p.topic.pk)).keys() == {
        p.writer.pk,
        p.manager.pk,
    }
    assert len(reads) == 1
    later = time.monotonic() + selectors._Decoded.SECONDS
    monkeypatch.setattr(time, "monotonic", lambda: later)
    selectors.topic_evidence(p.topic.pk)
    assert len(reads) == 2


def test_people_on_a_topic_rank_by_evidence_then_name_whatever_the_case(place):
    """Rule: the hub's people are those with the most evidence the reader may see, ties by
    name as the directory orders it (case aside), then those who only declared the topic."""
    p = place
    for i in range(2):
        _tip(p, p.public, p.manager, title=f"Manager tip {i}")
    tied = [UserFactory(profile__display_name=n) for n in ("brenda Tie", "Abel Tie", "Cleo Tie")]
    for author in tied:
        _tip(p, p.public, author, title=f"Tip by {author.pk}")
    _tip(p, p.private, p.writer, title="Private tip")  # the outsider may not see it
    UserFactory(profile__display_name="Dan Declared", profile__expertise=[p.topic])
    names = [
        person.display_name
        for person in selectors.people_search(topic=p.topic, viewer=p.outsider)[0:10]
    ]
    assert names == ["Nia Manager", "Abel Tie", "brenda Tie", "Cleo Tie", "Dan Declared"]


def test_the_ranking_kept_for_a_set_of_communities_is_each_readers_own(place, client):
    """Rule: the people ranked for one set of readable communities are kept beside the topic's
    evidence for that set alone: a reader who joins a private community sees its evidence at
    once, and one who may not read it never sees the ranking kept for its members."""
    p = place
    _tip(p, p.private, p.writer)
    _tip(p, p.public, p.manager)
    assert "Wanda Writer" in _hub(client, p, p.insider)
    assert "Wanda Writer" not in _hub(client, p, p.outsider)
    assert "Nia Manager" in _hub(client, p, p.outsider)
    Membership.objects.create(community=p.private, user=p.outsider)
    assert "Wanda Writer" in _hub(client, p, p.outsider)
    assert "Wanda Writer" in _hub(client, p, p.insider)
    kept = selectors.topic_evidence(p.topic.pk)
    assert len(kept["_ranked"]) == 2  # the public set, and the public and private set


def test_a_process_keeps_the_rankings_of_a_few_sets_of_communities(place, monkeypatch):
    p = place
    _tip(p, p.public, p.writer)
    monkeypatch.setattr(selectors, "RANKED_READERS", 2)
    kept = selectors.topic_evidence(p.topic.pk)
    for places in ({p.public.pk}, {p.private.pk}, {p.public.pk, p.private.pk}, {p.public.pk}):
        ranked = selectors._ranked_by_evidence(kept, places)
        assert ranked.ids == ([p.writer.profile.pk] if p.public.pk in places else [])
    assert list(kept["_ranked"]) == [
        frozenset({p.public.pk, p.private.pk}),
        frozenset({p.public.pk}),
    ]
