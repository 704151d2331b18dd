import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from challenges.courses import selectors, services
from challenges.courses.models import Course, Enrolment
from challenges.models import Flow
from communities.models import Community, Membership
from communities.services import RosterError, community_create
from socialearn.insights.models import Activity, XapiStatement
from socialearn.notifications.models import Notification
from tests.factories import UserFactory

from .conftest import make_course

pytestmark = pytest.mark.django_db


def test_a_course_comes_with_its_private_community_intro_thread_and_pre_reading(
    course, lnd, facilitator
):
    community = course.community
    assert community.visibility == Community.Visibility.PRIVATE
    assert community.kind == Community.Kind.COHORT
    managers = set(
        community.memberships.filter(role=Membership.Role.MANAGER).values_list("user_id", flat=True)
    )
    assert managers == {lnd.pk, facilitator.pk}
    assert course.intro_thread.community_id == community.pk
    assert course.prereading.community_id == community.pk
    # Neither of the challenges clock's paths takes the pre-reading: the courses clock does.
    assert course.prereading.mode == Flow.Mode.RELATIVE
    assert course.prereading.is_paused


def test_only_lnd_admins_and_managers_of_the_host_create_courses(lnd):
    employee = UserFactory()
    with pytest.raises(PermissionDenied):
        make_course(created_by=employee)
    host = community_create(created_by=employee, name="Agile guild", purpose="Agile.")
    made = services.course_create(
        created_by=employee,
        title="Retros for the guild",
        starts_on=datetime(2030, 1, 7).date(),
        ends_on=datetime(2030, 1, 7).date(),
        host_community=host,
        online_url="https://meet.example.org/x",
    )
    assert made.host_community == host
    # Course cohorts stay L&D's: a manager's course has a private community of practice.
    assert made.community.kind == Community.Kind.PRACTICE
    assert made.community.visibility == Community.Visibility.PRIVATE
    other_host = community_create(created_by=lnd, name="Other", purpose="Other.")
    with pytest.raises(PermissionDenied):
        services.course_create(
            created_by=employee,
            title="Not mine",
            starts_on=datetime(2030, 1, 7).date(),
            ends_on=datetime(2030, 1, 7).date(),
            host_community=other_host,
            location="Room",
        )


# --- pre-reading released relative to the start, in each participant's zone -------------------


def test_readings_open_on_their_day_at_nine_in_each_participants_zone(lnd, settings):
    settings.TIME_ZONE = "Europe/London"
    course = make_course(
        created_by=lnd, starts_on=datetime(2030, 3, 11).date(), opens_days=7, days=1
    )
    first = services.course_reading_add(
        course=course, added_by=lnd, kind="tip", title="Read me first", day=0
    )
    services.course_reading_add(course=course, added_by=lnd, kind="tip", title="Later", day=2)
    tokyo = UserFactory(profile__time_zone="Asia/Tokyo")
    new_york = UserFactory(profile__time_zone="America/New_York")
    for person in (tokyo, new_york):
        services.course_enrol(course=course, user=person)
    # The pre-reading opens 7 days before 11 March: 4 March at 09:00 local.
    assert services.reading_release_day(course, first) == datetime(2030, 3, 4).date()
    tokyo_opens = datetime(2030, 3, 4, 0, 0, tzinfo=UTC)  # 09:00 JST
    new_york_opens = datetime(2030, 3, 4, 14, 0, tzinfo=UTC)  # 09:00 EST

    between = tokyo_opens + timedelta(hours=1)
    by_tokyo = selectors.participant_progress(course=course, user=tokyo, now=between)
    by_new_york = selectors.participant_progress(course=course, user=new_york, now=between)
    assert [s.released for s in by_tokyo.steps if s.kind == "reading"] == [True, False]
    assert [s.released for s in by_new_york.steps if s.kind == "reading"] == [False, False]

    def told(person):
        return Notification.objects.filter(
            recipient=person, dedupe_key=f"course-reading:{first.pk}"
        ).count()

    assert services.course_readings_deliver(now=tokyo_opens - timedelta(minutes=1)) == 0
    assert services.course_readings_deliver(now=between) == 1
    assert (told(tokyo), told(new_york)) == (1, 0)
    assert services.course_readings_deliver(now=new_york_opens) == 1
    assert (told(tokyo), told(new_york)) == (1, 1)
    # Every later run adds nothing for people already told.
    assert services.course_readings_deliver(now=new_york_opens + timedelta(hours=2)) == 0


def test_a_reading_opens_at_the_same_local_time_across_a_clock_change(lnd, settings):
    settings.TIME_ZONE = "Europe/London"
    # Pre-reading opens 29 March 2030 (Friday); BST starts on Sunday 31 March.
    course = make_course(created_by=lnd, starts_on=datetime(2030, 4, 5).date(), opens_days=7)
    item = services.course_reading_add(
        course=course, added_by=lnd, kind="tip", title="After the change", day=3
    )
    london = UserFactory(profile__time_zone="Europe/London")
    opens = services.reading_release_at(course, item, london.profile.tz)
    assert opens == datetime(2030, 4, 1, 8, 0, tzinfo=UTC)  # 09:00 BST


def test_opening_a_released_reading_marks_it_read_once(client, course, lnd):
    item = services.course_reading_add(course=course, added_by=lnd, kind="tip", title="T", day=0)
    person = UserFactory()
    services.course_enrol(course=course, user=person)
    client.force_login(person)
    url = f"/courses/{course.pk}/readings/{item.pk}/"
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert item.reading_marks.filter(user=person).count() == 1


def test_a_reading_not_released_yet_is_hidden_from_participants(client, lnd):
    course = make_course(created_by=lnd, starts_on=datetime(2030, 1, 20).date())
    item = services.course_reading_add(course=course, added_by=lnd, kind="tip", title="T", day=0)
    person = UserFactory()
    services.course_enrol(course=course, user=person)
    client.force_login(person)
    assert client.get(f"/courses/{course.pk}/readings/{item.pk}/").status_code == 404
    assert not item.reading_marks.exists()


# --- enrolment ----------------------------------------------------------------------------------


def test_self_enrolment_stops_at_the_capacity(lnd):
    course = make_course(created_by=lnd, capacity=2)
    for _ in range(2):
        services.course_enrol(course=course, user=UserFactory())
    with pytest.raises(ValidationError, match="full"):
        services.course_enrol(course=course, user=UserFactory())
    assert course.enrolments.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_last_place_goes_to_exactly_one_of_several_simultaneous_enrolments(lnd):
    course = make_course(created_by=lnd, capacity=3)
    services.course_enrol(course=course, user=UserFactory())
    services.course_enrol(course=course, user=UserFactory())
    rivals = [UserFactory() for _ in range(4)]
    barrier = threading.Barrier(len(rivals))
    outcomes: list[str] = []

    def enrol(person):
        try:
            barrier.wait(timeout=10)
            services.course_enrol(course=Course.objects.get(pk=course.pk), user=person)
            outcomes.append("in")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(p,)) for p in rivals]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert outcomes.count("in") == 1
    assert outcomes.count("The course is full.") == 3
    assert Enrolment.objects.filter(course=course).count() == 3


def test_a_roster_with_bad_rows_enrols_nobody_and_names_each_bad_row(course, facilitator):
    UserFactory(email="ann@example.com")
    roster = "email\nann@example.com\nnot-an-email\nghost@example.com\nann@example.com\n"
    with pytest.raises(RosterError) as raised:
        services.course_roster_upload(course=course, uploaded_by=facilitator, roster_text=roster)
    lines = [(e.line, e.message) for e in raised.value.errors]
    assert [line for line, _ in lines] == [3, 4, 5]
    assert "not an email" in lines[0][1]
    assert "Nobody here" in lines[1][1]
    assert "Duplicate" in lines[2][1]
    assert not course.enrolments.exists()


def test_a_roster_enrols_everyone_into_the_course_community(course, facilitator):
    people = [UserFactory(email=f"p{n}@example.com") for n in range(3)]
    text = "\n".join(p.email for p in people)
    assert (
        services.course_roster_upload(course=course, uploaded_by=facilitator, roster_text=text) == 3
    )
    assert set(course.enrolments.values_list("user_id", flat=True)) == {p.pk for p in people}
    members = course.community.memberships.filter(status=Membership.Status.ACTIVE)
    assert {p.pk for p in people} <= set(members.values_list("user_id", flat=True))
    # A second upload of the same roster adds nobody.
    assert (
        services.course_roster_upload(course=course, uploaded_by=facilitator, roster_text=text) == 0
    )


def test_a_roster_larger_than_the_places_left_is_refused(lnd):
    course = make_course(created_by=lnd, capacity=2, enrolment=Course.Enrolment.ROSTER)
    text = "\n".join(UserFactory().email for _ in range(3))
    with pytest.raises(RosterError, match="places left"):
        services.course_roster_upload(course=course, uploaded_by=lnd, roster_text=text)
    assert not course.enrolments.exists()


# --- during and after ---------------------------------------------------------------------------


def test_opening_a_prompt_posts_one_thread_and_tells_the_participants(course, facilitator):
    person = UserFactory()
    services.course_enrol(course=course, user=person)
    prompt = services.prompt_add(course=course, added_by=facilitator, title="What helps?")
    opened = services.prompt_open(prompt=prompt, opened_by=facilitator)
    again = services.prompt_open(prompt=prompt, opened_by=facilitator)
    assert opened.thread_id == again.thread_id
    assert opened.thread.community_id == course.community_id
    assert Notification.objects.filter(recipient=person, kind="course_prompt").count() == 1
    with pytest.raises(PermissionDenied):
        services.prompt_open(prompt=prompt, opened_by=person)


def test_marking_the_course_complete_sends_one_completion_statement_each(
    course, facilitator, settings
):
    settings.XAPI_ENDPOINT = "http://127.0.0.1:9/xapi"
    people = [UserFactory() for _ in range(3)]
    for person in people:
        services.course_enrol(course=course, user=person)
    assert services.course_complete(course=course, completed_by=facilitator) == 3
    assert services.course_complete(course=course, completed_by=facilitator) == 0
    done = Activity.objects.filter(verb="course_completed", object_id=course.pk)
    assert sorted(done.values_list("actor_id", flat=True)) == sorted(p.pk for p in people)
    statements = [
        m.payload["statement"]
        for m in XapiStatement.objects.filter(
            payload__activity_id__in=list(done.values_list("pk", flat=True))
        )
    ]
    assert len(statements) == 3
    for statement in statements:
        assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
        assert statement["object"]["id"].endswith(f"/xapi/course/{course.pk}")
        assert statement["result"] == {"completion": True}


def test_a_participant_who_did_every_phase_completes_on_their_own(lnd, facilitator):
    course = make_course(
        created_by=lnd,
        facilitators=[facilitator],
        starts_on=datetime(2020, 1, 6).date(),
        days=1,
    )
    item = services.course_reading_add(course=course, added_by=lnd, kind="tip", title="R", day=0)
    prompt = services.prompt_open(
        prompt=services.prompt_add(course=course, added_by=facilitator, title="Q"),
        opened_by=facilitator,
    )
    person = UserFactory()
    Enrolment.objects.create(
        course=course, user=person, via="roster", enrolled_at=item.flow.created_at
    )
    Membership.objects.create(
        community=course.community, user=person, joined_at=item.flow.created_at
    )
    assert not services.enrolment_complete_if_done(course=course, user=person)
    services.course_introduce(course=course, user=person, body="Hi all")
    services.reading_mark(item=item, user=person)
    from communities.services import reply_create

    reply_create(thread=prompt.thread, author=person, body="My answer")
    assert services.enrolment_complete_if_done(course=course, user=person)
    assert Activity.objects.filter(verb="course_completed", actor=person).count() == 1


def test_cohorts_by_interest_are_made_once_from_the_participants(course, facilitator):
    for _ in range(4):
        services.course_enrol(course=course, user=UserFactory())
    made = services.course_cohorts_make(course=course, made_by=facilitator, group_size=2)
    assert made == 2
    with pytest.raises(ValidationError):
        services.course_cohorts_make(course=course, made_by=facilitator)


def test_reading_time_is_the_flows_time(lnd):
    course = make_course(created_by=lnd)
    assert course.prereading.post_time == time(9, 0)


def test_a_roster_line_too_long_for_the_csv_reader_is_a_bad_row(course, facilitator):
    with pytest.raises(RosterError, match="far too long"):
        services.course_roster_upload(
            course=course, uploaded_by=facilitator, roster_text="a" * 200_000
        )
