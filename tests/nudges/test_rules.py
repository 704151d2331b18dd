"""Each feature's rule at its edges, run through the engine as the clock runs it."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from challenges import services as challenge_services
from challenges.models import Completion, Step
from communities.models import Community, Thread
from communities.services import community_create, membership_join
from mentoring import services as mentoring_services
from mentoring.models import COORDINATOR_GROUP, Enrolment, Match
from socialearn.insights.services import activity_record
from socialearn.nudges.models import Nudge
from socialearn.nudges.services import nudges_run
from tests.challenges.conftest import make_challenge
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def sent(rule: str) -> list[tuple[int, str]]:
    return list(
        Nudge.objects.filter(rule=rule).order_by("person_id").values_list("person", "title")
    )


# --- challenges: a step not done, at the participant's local morning --------------------


# The day step 2 of the challenge below was released, at 09:00 UTC (London, winter or not).
D = timezone.localdate() - timedelta(days=1)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(D + timedelta(days=day_offset), time(hour, minute), tzinfo=UTC)


@pytest.fixture
def challenge_day():
    """A running daily challenge whose step 2 was released on day D at 09:00 UTC."""
    designer = UserFactory()
    community = community_create(created_by=designer, name="Feedback", purpose="Practise.")
    challenge = make_challenge(community=community, designer=designer, start=D - timedelta(days=1))
    released = at(0, 9)
    for position in (1, 2):
        Step.objects.filter(challenge=challenge, position=position).update(
            release_at=released - timedelta(days=2 - position),
            posted_at=released - timedelta(days=2 - position),
        )
    return challenge, community


def _join(challenge, community, zone: str):
    user = UserFactory(profile__time_zone=zone)
    membership_join(community=community, user=user)
    challenge_services.participant_join(challenge=challenge, user=user)
    return user


def test_a_missed_step_nudges_at_the_participants_morning(challenge_day):
    challenge, community = challenge_day
    london = _join(challenge, community, "Europe/London")
    tokyo = _join(challenge, community, "Asia/Tokyo")
    rule = "challenges.missed_step"

    # 08:30 in Tokyo, 23:30 in London: only Tokyo's morning.
    nudges_run(now=at(0, 23, 30), rules=[rule])
    assert [p for p, _ in sent(rule)] == [tokyo.pk]
    # London's morning the next day, within a day and a half of the release.
    nudges_run(now=at(1, 8, 30), rules=[rule])
    assert [p for p, _ in sent(rule)] == [london.pk, tokyo.pk]
    nudge = Nudge.objects.get(rule=rule, person=london)
    step = Step.objects.get(challenge=challenge, position=2)
    assert nudge.url == step.get_absolute_url()
    assert nudge.title == "Today's step is waiting: Step 2"


def test_a_done_step_or_an_afternoon_sends_nothing(challenge_day):
    challenge, community = challenge_day
    done = _join(challenge, community, "Europe/London")
    _join(challenge, community, "Europe/London")
    step = Step.objects.get(challenge=challenge, position=2)
    Completion.objects.create(
        step=step, user=done, challenge=challenge, via="done", completed_at=timezone.now()
    )
    rule = "challenges.missed_step"
    nudges_run(now=at(0, 14), rules=[rule])  # the afternoon of the release
    assert sent(rule) == []
    nudges_run(now=at(1, 9, 30), rules=[rule])
    assert done.pk not in [p for p, _ in sent(rule)]
    assert len(sent(rule)) == 1


def test_a_streak_about_to_break_says_so(challenge_day):
    challenge, community = challenge_day
    keen = _join(challenge, community, "Europe/London")
    Completion.objects.create(
        step=Step.objects.get(challenge=challenge, position=1),
        user=keen,
        challenge=challenge,
        via="done",
        completed_at=timezone.now(),
    )
    nudges_run(now=at(1, 9, 30), rules=["challenges.missed_step"])
    assert Nudge.objects.get(person=keen).body.startswith("Your streak breaks unless")


# --- mentoring: a pair that has not met for the programme's weeks ----------------------


@pytest.fixture
def active_match():
    topic = TopicFactory(name="Coaching")
    coordinator = UserFactory()
    group, _ = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    coordinator.groups.add(group)
    today = timezone.localdate()
    programme = mentoring_services.programme_create(
        created_by=coordinator,
        topics=[topic],
        name="New managers",
        goals="Find your feet.",
        commitment="An hour every two weeks",
        commitment_weeks=12,
        enrolment_opens_on=today - timedelta(days=1),
        enrolment_closes_on=today + timedelta(days=30),
        minimum_score=0,
        matching_mode="self_service",
    )
    mentor = mentoring_services.enrolment_create(
        programme=programme, user=UserFactory(), role=Enrolment.Role.MENTOR, topics=[topic]
    )
    protege = mentoring_services.enrolment_create(
        programme=programme, user=UserFactory(), role=Enrolment.Role.PROTEGE, topics=[topic]
    )
    match = mentoring_services.match_request(protege=protege, mentor=mentor, user=protege.user)
    mentoring_services.match_accept(match=match, user=mentor.user)
    match.refresh_from_db()
    assert match.status == Match.Status.ACTIVE
    return match


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def test_a_pair_without_a_meeting_for_three_weeks_nudges_both_sides(active_match):
    started = active_match.started_at.date()
    rule = "mentoring.stalled"
    nudges_run(now=_noon(started + timedelta(days=20)), rules=[rule])
    assert sent(rule) == []
    nudges_run(now=_noon(started + timedelta(days=21)), rules=[rule])
    people = {p for p, _ in sent(rule)}
    assert people == {active_match.mentor.user_id, active_match.protege.user_id}
    assert Nudge.objects.filter(rule=rule).first().url.endswith(f"/{active_match.pk}/#meetings")


def test_a_logged_meeting_restarts_the_count_and_the_programme_sets_the_weeks(active_match):
    programme = active_match.programme
    programme.stalled_after_weeks = 5
    programme.save(update_fields=["stalled_after_weeks"])
    met = timezone.localdate()
    mentoring_services.meeting_record(match=active_match, user=active_match.mentor.user, met_on=met)
    rule = "mentoring.stalled"
    nudges_run(now=_noon(met + timedelta(days=34)), rules=[rule])
    assert sent(rule) == []
    nudges_run(now=_noon(met + timedelta(days=35)), rules=[rule])
    assert len(sent(rule)) == 2


def test_the_coordinator_sees_stalled_matches(active_match):
    from mentoring.nudges import stalled_matches

    started = active_match.started_at.date()
    assert not stalled_matches(started + timedelta(days=20)).exists()
    assert list(stalled_matches(started + timedelta(days=21))) == [active_match]


def test_the_coordinator_page_lists_stalled_matches_in_fixed_queries(
    client, active_match, django_assert_max_num_queries
):
    Match.objects.filter(pk=active_match.pk).update(started_at=timezone.now() - timedelta(weeks=4))
    coordinator = active_match.programme.coordinators.first()
    client.force_login(coordinator)
    url = reverse("mentoring:coordinate", args=[active_match.programme_id])
    with django_assert_max_num_queries(20) as one:
        page = client.get(url).content.decode()
    assert 'id="stalled"' in page
    assert active_match.mentor.user.profile.name in page.split('id="stalled"')[1]
    # More stalled pairs, the same queries.
    for _ in range(5):
        mentor = mentoring_services.enrolment_create(
            programme=active_match.programme,
            user=UserFactory(),
            role=Enrolment.Role.MENTOR,
            topics=list(active_match.programme.topics.all()),
        )
        protege = mentoring_services.enrolment_create(
            programme=active_match.programme,
            user=UserFactory(),
            role=Enrolment.Role.PROTEGE,
            topics=list(active_match.programme.topics.all()),
        )
        match = mentoring_services.match_request(protege=protege, mentor=mentor, user=protege.user)
        mentoring_services.match_accept(match=match, user=mentor.user)
    Match.objects.update(started_at=timezone.now() - timedelta(weeks=4))
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    stalled_table = page.split('id="stalled"')[1].split("</table>")[0]
    assert stalled_table.count("<tr>") == 1 + 6


# --- communities: an unanswered question, routed by evidence ---------------------------


def _question(community, author, topic, *, asked_at) -> Thread:
    thread = Thread.objects.create(
        community=community,
        kind=Thread.Kind.QUESTION,
        title="How do we size a Kafka cluster?",
        author=author,
        created_at=asked_at,
        last_activity_at=asked_at,
    )
    thread.topics.add(topic)
    return thread


def _answered(person, topic, times: int, verb: str = "answer_accepted") -> None:
    for _ in range(times):
        activity_record(verb=verb, actor=person, topic_ids=[topic.pk])


def test_an_unanswered_question_goes_to_the_five_people_with_most_evidence():
    topic, other = TopicFactory(name="Kafka"), TopicFactory(name="Baking")
    owner = UserFactory()
    community = community_create(created_by=owner, name="Data", purpose="Data.", topics=[topic])
    asker = UserFactory()
    experts = [UserFactory() for _ in range(6)]
    for rank, person in enumerate(experts):
        _answered(person, topic, times=6 - rank, verb="answer_accepted")
    _answered(experts[5], topic, times=0)
    baker = UserFactory()
    _answered(baker, other, times=9)
    _answered(asker, topic, times=9)  # never asked to answer their own question
    asked = timezone.now() - timedelta(hours=30)
    thread = _question(community, asker, topic, asked_at=asked)
    rule = "communities.unanswered_question"

    now = timezone.now()
    while now.hour < 9 or now.hour >= 18:  # London's waking hours, summer or winter
        now += timedelta(hours=1)
    nudges_run(now=now, rules=[rule])
    assert {p for p, _ in sent(rule)} == {e.pk for e in experts[:5]}
    assert Nudge.objects.filter(rule=rule).first().cause == f"communities:question:{thread.pk}"


def test_a_fresh_question_waits_and_a_private_one_goes_only_to_members(settings):
    settings.NUDGE_UNANSWERED_HOURS = 24
    topic = TopicFactory(name="Kafka")
    owner = UserFactory()
    private = community_create(
        created_by=owner,
        name="Secret data",
        purpose="Data.",
        topics=[topic],
        visibility=Community.Visibility.PRIVATE,
    )
    member, outsider = UserFactory(), UserFactory()
    membership_join(community=private, user=member)
    _answered(member, topic, times=1, verb="session_answered")
    _answered(outsider, topic, times=5)
    now = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)
    _question(private, owner, topic, asked_at=now - timedelta(hours=23))
    rule = "communities.unanswered_question"
    nudges_run(now=now, rules=[rule])
    assert sent(rule) == []
    nudges_run(now=now + timedelta(hours=1), rules=[rule])
    assert [p for p, _ in sent(rule)] == [member.pk]


# --- communities: a cohort member who never posted -------------------------------------


def test_a_silent_cohort_member_is_nudged_a_week_after_the_cohort_started():
    owner = UserFactory()
    cohort = community_create(
        created_by=owner, name="Cohort 3", purpose="Course.", kind=Community.Kind.COHORT
    )
    quiet, talker = UserFactory(), UserFactory()
    for person in (quiet, talker):
        membership_join(community=cohort, user=person)
    started = timezone.now().replace(hour=10, minute=0)
    Community.objects.filter(pk=cohort.pk).update(created_at=started)
    Thread.objects.create(
        community=cohort, title="Hello", author=talker, created_at=started, last_activity_at=started
    )
    rule = "communities.cohort_silent"
    day6 = started + timedelta(days=6, hours=2)  # 12:00
    nudges_run(now=day6, rules=[rule])
    assert sent(rule) == []
    nudges_run(now=day6 + timedelta(days=1), rules=[rule])  # a week and two hours
    assert {p for p, _ in sent(rule)} == {quiet.pk}


# --- people: a newcomer's incomplete profile -------------------------------------------


def test_a_newcomer_with_an_incomplete_profile_is_nudged_after_three_days():
    joined = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    bare = UserFactory(date_joined=joined)
    topic = TopicFactory(name="SQL")
    whole = UserFactory(
        date_joined=joined,
        profile__job_title="Analyst",
        profile__bio="I query things.",
        profile__interests=[topic],
    )
    rule = "people.incomplete_profile"
    nudges_run(now=joined + timedelta(days=2, hours=23), rules=[rule])
    assert sent(rule) == []
    nudges_run(now=joined + timedelta(days=3), rules=[rule])
    assert [p for p, _ in sent(rule)] == [bare.pk]
    assert whole.pk not in [p for p, _ in sent(rule)]
    assert Nudge.objects.get(person=bare).url == "/people/me/edit/"


def test_a_nudge_is_written_in_each_persons_language(deliver, mailoutbox):
    joined = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    german = UserFactory(date_joined=joined, profile__language="de")
    english = UserFactory(date_joined=joined, profile__language="")
    rule = "people.incomplete_profile"

    nudges_run(now=joined + timedelta(days=3), rules=[rule])
    deliver()

    assert Nudge.objects.get(person=german).title == (
        "Vervollständigen Sie Ihr Profil, damit andere Sie finden"
    )
    assert Nudge.objects.get(person=english).title == (
        "Finish your profile so colleagues can find you"
    )
    by_person = {m.to[0]: m for m in mailoutbox}
    assert "In socialearn öffnen" in by_person[german.email].body
    assert "Open in socialearn" in by_person[english.email].body
