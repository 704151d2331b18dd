"""A topic's hub: its questions (unanswered first), tips, upcoming and past sessions,
challenges, communities and experts, and a public feed; each list bounded, the page a fixed
number of queries, and only what the reader may see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges import hubs as challenges_hubs
from communities import hubs as communities_hubs
from communities.models import Community, Thread
from communities.services import answer_accept, reply_create, thread_create
from expertqa import hubs as expertqa_hubs
from expertqa.services import session_schedule
from socialearn.people import hubs
from socialearn.people.evidence import readable_places
from tests.challenges.conftest import make_challenge
from tests.communities.conftest import make_community
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(db):
    class H:
        pass

    h = H()
    h.topic = TopicFactory(name="Negotiation")
    h.manager = UserFactory(profile__display_name="Nia Manager")
    h.member = UserFactory(profile__display_name="Mel Member")
    h.reader = UserFactory(profile__display_name="Rob Reader")
    h.public = make_community(
        h.manager,
        name="Deal makers",
        members=[h.member],
        topics=[h.topic],
        anonymity=Community.Anonymity.ON,
    )
    h.private = make_community(
        h.manager,
        name="Board room",
        members=[h.member],
        topics=[h.topic],
        visibility=Community.Visibility.PRIVATE,
    )
    return h


def _post(h, community, kind, title, **kwargs):
    return thread_create(
        community=community,
        author=h.member,
        kind=kind,
        title=title,
        body="Text",
        topics=[h.topic],
        **kwargs,
    )


def _fill(h, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        _post(h, h.public, Thread.Kind.QUESTION, f"Question {i}")
        _post(h, h.public, Thread.Kind.TIP, f"Tip {i}")
        session_schedule(
            created_by=h.manager,
            title=f"Session {i}",
            topic=h.topic,
            community=h.public,
            experts=[h.manager],
            starts_at=now + timedelta(days=i + 1, hours=1) * (1 if i % 2 else -1),
            invite=False,
        )
        make_challenge(
            community=h.public, start=timezone.localdate(), title=f"Challenge {i}", steps=1
        )
        UserFactory(profile__expertise=[h.topic])


def test_the_hub_shows_every_kind_and_unanswered_questions_first(hub, client):
    h = hub
    answered = _post(h, h.public, Thread.Kind.QUESTION, "Answered: BATNA?")
    reply = reply_create(thread=answered, author=h.manager, body="Best alternative.")
    answer_accept(thread=answered, reply=reply, accepted_by=h.member)
    _post(h, h.public, Thread.Kind.QUESTION, "Open: anchoring?")
    _post(h, h.public, Thread.Kind.TIP, "Tip: listen first")
    now = timezone.now()
    session_schedule(
        created_by=h.manager,
        title="Ask a negotiator",
        topic=h.topic,
        community=h.public,
        experts=[h.manager],
        starts_at=now + timedelta(days=2),
        invite=False,
    )
    session_schedule(
        created_by=h.manager,
        title="Last month's session",
        topic=h.topic,
        community=h.public,
        experts=[h.manager],
        starts_at=now - timedelta(days=30),
        invite=False,
    )
    make_challenge(community=h.public, start=timezone.localdate(), title="Ten days of asks")
    client.force_login(h.reader)
    page = client.get(reverse("people:topic", args=[h.topic.slug])).content.decode()
    assert page.index("Open: anchoring?") < page.index("Answered: BATNA?")
    for text in (
        "Tip: listen first",
        "Ask a negotiator",
        "Last month&#x27;s session",
        "Ten days of asks",
        "Deal makers",
    ):
        assert text in page
    upcoming = page.index('id="h-upcoming_sessions"')
    assert upcoming < page.index("Ask a negotiator") < page.index('id="h-past_sessions"')


def test_the_hub_and_its_feed_hide_private_communities_and_anonymous_authors(hub, client):
    h = hub
    _post(h, h.private, Thread.Kind.QUESTION, "Secret question")
    _post(h, h.public, Thread.Kind.QUESTION, "Anonymous question", is_anonymous=True)
    client.force_login(h.reader)
    page = client.get(reverse("people:topic", args=[h.topic.slug])).content.decode()
    assert "Secret question" not in page
    assert "Board room" not in page
    client.force_login(h.member)
    page = client.get(reverse("people:topic", args=[h.topic.slug])).content.decode()
    assert "Secret question" in page
    client.logout()
    for name in ("people:topic_feed_rss", "people:topic_feed_atom"):
        feed = client.get(reverse(name, args=[h.topic.slug])).content.decode()
        assert "Anonymous question" in feed
        assert "Secret question" not in feed
        assert "Mel Member" not in feed


def test_every_section_lists_a_private_communitys_posts_to_its_members_only(hub, client):
    """The sections read the communities the reader may read once for the whole page: a
    private community's tips, sessions and challenges, and the community itself, show to its
    members and to nobody else; a draft challenge and a held tip to no reader of the hub."""
    h = hub
    _post(h, h.private, Thread.Kind.TIP, "Secret tip")
    session_schedule(
        created_by=h.manager,
        title="Secret session",
        topic=h.topic,
        community=h.private,
        experts=[h.manager],
        starts_at=timezone.now() + timedelta(days=2),
        invite=False,
    )
    make_challenge(community=h.private, start=timezone.localdate(), title="Secret challenge")
    draft = make_challenge(community=h.public, start=timezone.localdate(), title="Draft one")
    draft.status = draft.Status.DRAFT
    draft.save(update_fields=["status"])
    held = _post(h, h.public, Thread.Kind.TIP, "Held tip")
    Thread.objects.filter(pk=held.pk).update(status=Thread.Status.PENDING)
    secrets = ("Secret tip", "Secret session", "Secret challenge", "Board room")
    url = reverse("people:topic", args=[h.topic.slug])
    client.force_login(h.reader)
    page = client.get(url).content.decode()
    for text in (*secrets, "Draft one", "Held tip"):
        assert text not in page
    client.force_login(h.member)
    page = client.get(url).content.decode()
    for text in secrets:
        assert text in page
    assert "Draft one" not in page
    assert "Held tip" not in page


@pytest.mark.parametrize("n", [1, 12])
def test_the_hub_runs_a_fixed_number_of_queries(hub, client, n, django_assert_max_num_queries):
    h = hub
    _fill(h, n)
    client.force_login(h.reader)
    url = reverse("people:topic", args=[h.topic.slug])
    # The session's person, the topic, the communities the reader may read; experts: the
    # markers of the kept evidence, a page of those who only declared, the listing and its
    # topics; the topics the reader follows; then one query a section (questions: two when
    # the unanswered are too few to fill it) and the menu's. The first view also counts the
    # topic's evidence, the people with it and those who declared it.
    with django_assert_max_num_queries(20):
        client.get(url)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    if n == 12:
        # Each list is bounded: six of each kind, and a way to more.
        assert page.count("Question ") <= 7
        assert "More on Negotiation in search" in page


@pytest.mark.parametrize("n", [1, 12])
def test_the_feed_runs_a_fixed_number_of_queries(hub, client, n, django_assert_max_num_queries):
    _fill(hub, n)
    url = reverse("people:topic_feed_atom", args=[hub.topic.slug])
    # The markers of the kept feed; when it is not kept, the topic and each kind's items.
    with django_assert_max_num_queries(5):
        client.get(url)
    with django_assert_max_num_queries(1):
        response = client.get(url)
    assert response.status_code == 200


def test_the_kept_feed_shows_a_new_public_question_at_once(hub, client):
    h = hub
    _post(h, h.public, Thread.Kind.QUESTION, "First question")
    url = reverse("people:topic_feed_rss", args=[h.topic.slug])
    assert "First question" in client.get(url).content.decode()
    _post(h, h.public, Thread.Kind.QUESTION, "Second question")
    _post(h, h.private, Thread.Kind.QUESTION, "Secret question")
    feed = client.get(url).content.decode()
    assert "Second question" in feed
    assert "Secret question" not in feed


def _seen(row):
    """What the hub reads of a row: a dict as it is, an instance's loaded fields and those of
    the objects joined to it."""
    if isinstance(row, dict):
        return row
    fields = {k: v for k, v in vars(row).items() if k != "_state"}
    joined = {name: _seen(obj) for name, obj in row._state.fields_cache.items()}
    return fields, joined, type(row)


@pytest.mark.parametrize(
    ("build", "fixed", "names"),
    [
        (communities_hubs._questions, (7, False), ("topic", "places")),
        (communities_hubs._questions, (3, True), ("topic", "places")),
        (communities_hubs._tips, (7,), ("topic", "places")),
        (communities_hubs._communities, (7,), ("topic", "places")),
        (expertqa_hubs._upcoming, (7,), ("topic", "places", "now")),
        (expertqa_hubs._past, (7,), ("topic", "places", "now")),
        (challenges_hubs._challenges, (7, False), ("reader", "topic", "places")),
        (challenges_hubs._challenges, (7, True), ("reader", "topic", "places")),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_each_sections_query_compiled_once_reads_what_the_orm_reads(hub, build, fixed, names):
    """Each section's query is compiled once per process with stand-ins for the topic, the
    reader's readable communities (given as one array literal), the reader and the clock; for
    two topics and two readers (and none readable) it reads exactly the rows the ORM's own
    query reads."""
    h = hub
    other = TopicFactory(name="Pricing")
    make_community(h.manager, name="Price setters", members=[h.member], topics=[other])
    _fill(h, 8)
    answered = _post(h, h.private, Thread.Kind.QUESTION, "Answered one")
    reply = reply_create(thread=answered, author=h.manager, body="This.")
    answer_accept(thread=answered, reply=reply, accepted_by=h.member)
    _post(h, h.private, Thread.Kind.TIP, "Private tip")
    now = timezone.now()
    read = 0
    readers = [(h.member, readable_places(h.member)), (h.reader, readable_places(h.reader))]
    for reader, places in [*readers, (h.reader, set())]:
        for topic in (h.topic, other):
            values = {"reader": reader.pk, "topic": topic.pk, "places": places, "now": now}
            values = {name: values[name] for name in names}
            expected = list(build(*fixed, **{**values, "places": list(places)}))
            assert [_seen(r) for r in hubs.compiled_rows(build, *fixed, **values)] == [
                _seen(r) for r in expected
            ]
            read += len(expected)
    assert read  # rows were compared
    assert hubs._compiled[(build, fixed, tuple(sorted(names)))] is not None


def test_the_hubs_topic_compiled_once_is_the_orms(hub, client, django_assert_num_queries):
    """The hub reads its topic and the topic's parent through SQL compiled once per process:
    the same topic as the ORM's query, the parent joined, none for an unknown slug (404)."""
    from socialearn.people.selectors import _topic_compiled, topic_with_parent

    parent = TopicFactory(name="Communication")
    child = TopicFactory(name="Active listening", parent=parent)
    for topic in (hub.topic, child):
        with django_assert_num_queries(1):
            found = topic_with_parent(topic.slug)
            assert (found.parent.name if found.parent else None) == (
                parent.name if topic == child else None
            )
        assert vars(found).keys() == vars(type(topic).objects.get(pk=topic.pk)).keys()
        assert (found.pk, found.name, found.slug, found.parent_id) == (
            topic.pk,
            topic.name,
            topic.slug,
            topic.parent_id,
        )
    assert _topic_compiled() is not None
    assert topic_with_parent("no-such-topic") is None
    client.force_login(hub.reader)
    assert client.get(reverse("people:topic", args=["no-such-topic"])).status_code == 404
