"""Expertise from evidence: what a person did on each topic, counted from the records of
every feature, beside what they declared. Counts match a hand count, keep to what the
reader may see, and never count anonymous posts."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Thread
from communities.services import answer_accept, reply_create, thread_create, thread_edit
from expertqa.services import answer_create, question_ask, session_schedule
from mentoring import services as mentoring
from mentoring.models import Enrolment, Match, Programme
from socialearn.people.permissions import COORDINATOR
from socialearn.people.selectors import evidence_items, people_search, profile_evidence
from tests.communities.conftest import make_community
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _question(community, asker, topics, title):
    return thread_create(
        community=community,
        author=asker,
        kind=Thread.Kind.QUESTION,
        title=title,
        body="Who knows?",
        topics=topics,
    )


def _answered(community, asker, expert, topics, title, *, anonymous=False):
    thread = _question(community, asker, topics, title)
    reply = reply_create(thread=thread, author=expert, body="Like this.", is_anonymous=anonymous)
    answer_accept(thread=thread, reply=reply, accepted_by=asker)
    return reply


@pytest.fixture
def world(db):
    class W:
        pass

    w = W()
    w.kube = TopicFactory(name="Kubernetes")
    w.helm = TopicFactory(name="Helm")
    w.manager = UserFactory(profile__display_name="Mo Manager")
    w.expert = UserFactory(profile__display_name="Erin Expert")
    w.asker = UserFactory(profile__display_name="Alex Asker")
    w.reader = UserFactory(profile__display_name="Rae Reader")
    people = [w.expert, w.asker]
    w.public = make_community(
        w.manager, name="Platform", members=people, anonymity=Community.Anonymity.ON
    )
    w.private = make_community(
        w.manager, name="Secret ops", members=people, visibility=Community.Visibility.PRIVATE
    )
    # Accepted answers: two in the public community, one in the private one, one anonymous.
    _answered(w.public, w.asker, w.expert, [w.kube], "Rolling restarts?")
    _answered(w.public, w.asker, w.expert, [w.kube, w.helm], "Helm on Kubernetes?")
    _answered(w.private, w.asker, w.expert, [w.kube], "Our secret cluster?")
    _answered(w.public, w.asker, w.expert, [w.kube], "Anonymous help?", anonymous=True)
    # An answer not accepted is no evidence.
    other = _question(w.public, w.asker, [w.kube], "Unanswered so far")
    reply_create(thread=other, author=w.expert, body="Maybe?")
    # Tips: one written; someone else's tip improved twice (one tip improved).
    thread_create(
        community=w.public,
        author=w.expert,
        kind=Thread.Kind.TIP,
        title="Pin chart versions",
        body="Always pin them.",
        topics=[w.helm],
    )
    tip = thread_create(
        community=w.public,
        author=w.asker,
        kind=Thread.Kind.TIP,
        title="Read the values file",
        body="Start there.",
        topics=[w.helm],
    )
    thread_edit(thread=tip, editor=w.expert, title=tip.title, body="Start there, then diff.")
    thread_edit(thread=tip, editor=w.expert, title=tip.title, body="Start there; diff; test.")
    # Two answers in an expert session on Kubernetes.
    now = timezone.now()
    session = session_schedule(
        created_by=w.manager,
        title="Ask the platform team",
        topic=w.kube,
        community=w.public,
        experts=[w.expert],
        starts_at=now - timezone.timedelta(minutes=5),
        ends_at=now + timezone.timedelta(hours=1),
        invite=False,
    )
    for body in ("How big should a node be?", "When do we upgrade?"):
        question = question_ask(session=session, author=w.asker, body=body)
        answer_create(question=question, author=w.expert, body="It depends.")
    # Mentoring given: one active match on a topic both enrolled with.
    coordinator = UserFactory(profile__display_name="Cora Coordinator")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATOR)[0])
    programme = mentoring.programme_create(
        created_by=coordinator,
        name="Platform mentoring",
        goals="Grow platform engineers.",
        commitment="An hour a fortnight",
        enrolment_opens_on=timezone.localdate(),
        enrolment_closes_on=timezone.localdate() + timezone.timedelta(days=30),
        matching_mode=Programme.MatchingMode.SELF_SERVICE,
        topics=[w.kube],
        minimum_score=0,
    )
    mentor = mentoring.enrolment_create(
        programme=programme, user=w.expert, role=Enrolment.Role.MENTOR, topics=[w.kube]
    )
    protege = mentoring.enrolment_create(
        programme=programme, user=w.asker, role=Enrolment.Role.PROTEGE, topics=[w.kube]
    )
    match = mentoring.match_request(protege=protege, mentor=mentor, user=w.asker)
    mentoring.match_accept(match=match, user=w.expert)
    assert Match.objects.get(pk=match.pk).status == Match.Status.ACTIVE
    return w


def _counts(viewer, user):
    return {
        (e.topic.name, c.kind): c.n
        for e in profile_evidence(viewer=viewer, user_id=user.pk)
        for c in e.counts
    }


def test_evidence_counts_match_a_hand_count_for_a_reader_outside_the_private_community(world):
    w = world
    assert _counts(w.reader, w.expert) == {
        ("Kubernetes", "accepted_answers"): 2,
        ("Kubernetes", "session_answers"): 2,
        ("Kubernetes", "mentoring_given"): 1,
        ("Helm", "accepted_answers"): 1,
        ("Helm", "tips_written"): 1,
        ("Helm", "tips_improved"): 1,
    }


def test_a_member_of_the_private_community_also_sees_its_accepted_answer(world):
    w = world
    assert _counts(w.asker, w.expert)[("Kubernetes", "accepted_answers")] == 3


def test_anonymous_answers_and_own_tip_edits_are_never_evidence(world):
    """The anonymous accepted answer would tell who wrote it; editing one's own tip is
    writing it, not improving someone else's."""
    w = world
    # The manager reads both communities: four accepted answers on Kubernetes, one anonymous.
    counts = _counts(w.manager, w.expert)
    assert counts[("Kubernetes", "accepted_answers")] == 3
    assert ("Helm", "tips_improved") not in _counts(w.reader, w.asker)


def test_the_profile_shows_counts_with_links_to_what_was_done(world, client):
    w = world
    client.force_login(w.reader)
    page = client.get(reverse("people:profile", args=[w.expert.pk])).content.decode()
    assert "2 accepted answers" in page
    assert "2 answers in expert sessions" in page
    assert "1 protégé mentored" in page
    link = reverse("people:evidence", args=[w.expert.pk, w.kube.slug])
    assert f'href="{link}#accepted_answers"' in page
    listing = client.get(link).content.decode()
    assert "Rolling restarts?" in listing
    assert "Our secret cluster?" not in listing
    assert "Anonymous help?" not in listing
    assert "Ask the platform team" in listing


def test_evidence_items_keep_to_what_the_reader_may_see(world):
    w = world
    groups = dict(
        (source.kind, [h.title for h in hits])
        for source, hits in evidence_items(viewer=w.reader, user_id=w.expert.pk, topic=w.kube)
    )
    assert sorted(groups["accepted_answers"]) == ["Helm on Kubernetes?", "Rolling restarts?"]


def test_find_an_expert_ranks_people_with_evidence_above_those_who_only_declared(world):
    """Filtering the directory by topic finds declared experts and people whose record shows
    expertise, those with the most evidence first."""
    w = world
    declared = UserFactory(profile__display_name="Aaron Declared", profile__expertise=[w.kube])
    names = [p.user_id for p in people_search(topic=w.kube, viewer=w.reader)]
    assert names.index(w.expert.pk) < names.index(declared.pk)


def test_a_help_request_reaches_people_whose_record_shows_expertise(
    world, celery_eager, django_capture_on_commit_callbacks
):
    """Someone who only wrote a tip on a topic (no accepted answer, no follow) hears of a help
    request on it; someone without evidence does not."""
    from communities.services import membership_join
    from socialearn.notifications.models import Notification

    w = world
    terraform = TopicFactory(name="Terraform")
    tipster = UserFactory(profile__display_name="Tia Tipster")
    bystander = UserFactory(profile__display_name="Bo Bystander")
    for person in (tipster, bystander, w.reader):
        membership_join(community=w.public, user=person)
    thread_create(
        community=w.public,
        author=tipster,
        kind=Thread.Kind.TIP,
        title="Keep state remote",
        body="Use a backend.",
        topics=[terraform],
    )
    with django_capture_on_commit_callbacks(execute=True):
        help_thread = thread_create(
            community=w.public,
            author=w.reader,
            kind=Thread.Kind.HELP,
            title="Terraform state is locked",
            body="Help!",
            topics=[terraform],
        )
    told = set(
        Notification.objects.filter(url=help_thread.get_absolute_url()).values_list(
            "recipient_id", flat=True
        )
    )
    assert tipster.pk in told
    assert bystander.pk not in told


def test_profile_and_evidence_pages_run_a_fixed_number_of_queries(
    world, client, django_assert_max_num_queries
):
    """With a record on several topics and kinds, or none at all, the same bound."""
    w = world
    nobody = UserFactory(profile__display_name="No Record")
    client.force_login(w.reader)
    for person in (nobody, w.expert):
        with django_assert_max_num_queries(12):
            response = client.get(reverse("people:profile", args=[person.pk]))
        assert response.status_code == 200
        # The person is only named there: their profile without its topics.
        with django_assert_max_num_queries(10):
            response = client.get(reverse("people:evidence", args=[person.pk, w.kube.slug]))
        assert response.status_code == 200


def test_profile_counts_are_what_each_source_counts_for_the_reader(world):
    """The profile counts everyone's evidence per community once and keeps the communities
    the reader may read: the same counts as asking each source for what that reader sees."""
    from socialearn.people.evidence import evidence_counts

    w = world
    for viewer in (w.reader, w.asker, w.manager, w.expert):
        for person in (w.expert, w.asker, w.manager):
            expected = {
                (kind, topic_id): n
                for kind, _user, topic_id, n in evidence_counts(viewer=viewer, user_ids=[person.pk])
            }
            shown = {
                (c.kind, e.topic_id): c.n
                for e in profile_evidence(viewer=viewer, user_id=person.pk)
                for c in e.counts
            }
            assert shown == expected


def test_the_tips_a_person_improved_are_listed_once_each_and_never_their_own(world):
    """Someone else's tip improved twice is one item; editing one's own tip is not listed;
    a tip in a community the reader may not read is not listed either."""
    w = world
    secret = thread_create(
        community=w.private,
        author=w.asker,
        kind=Thread.Kind.TIP,
        title="Secret values",
        body="Hidden.",
        topics=[w.helm],
    )
    thread_edit(thread=secret, editor=w.expert, title=secret.title, body="Hidden, improved.")

    def improved(viewer, person):
        groups = {
            s.kind: hits
            for s, hits in evidence_items(viewer=viewer, user_id=person.pk, topic=w.helm)
        }
        return [h.title for h in groups["tips_improved"]]

    assert improved(w.reader, w.expert) == ["Read the values file"]
    assert improved(w.asker, w.expert) == ["Secret values", "Read the values file"]
    assert improved(w.reader, w.asker) == []


def test_one_persons_evidence_is_read_with_the_orms_query_compiled_once(world):
    """The profile reads a person's evidence with place_rows()'s SQL compiled once per
    process and the person's id put in its places: the same SQL as the ORM builds for that
    person, and the same rows, for people with a record and without."""
    from socialearn.people import evidence

    w = world
    nobody = UserFactory(profile__display_name="No Record")
    for person in (w.expert, w.asker, w.manager, nobody):
        rows = evidence.person_place_rows(person.pk)
        assert sorted(rows, key=repr) == sorted(evidence.place_rows(user_ids=[person.pk]), key=repr)
        compiled = evidence._compiled_for_person[evidence._registered()]
        assert compiled is not None
        sql, params = evidence._person_sql(person.pk)
        assert (compiled.sql, compiled.params_for(person.pk)) == (sql, params)
    assert evidence.person_place_rows(w.expert.pk)
