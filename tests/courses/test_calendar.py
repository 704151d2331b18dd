"""Course dates on the calendar: which courses a person finds there, the course's own calendar
file, and the personal subscription feed."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from challenges.courses import services
from challenges.courses.models import Course
from communities.models import Community
from communities.services import community_create, membership_join
from socialearn.calendar import entries_for
from socialearn.people.services import calendar_token_create
from tests.factories import UserFactory

from .conftest import make_course

pytestmark = pytest.mark.django_db


def _window():
    now = timezone.now()
    return {"start": now - timedelta(days=30), "end": now + timedelta(days=60)}


def _courses_of(person) -> dict[str, str]:
    """Title -> kind of the course entries on the person's calendar."""
    found = entries_for(person, **_window())
    return {e.title: e.kind for e in found if e.uid.startswith("course-")}


def _events(body: bytes) -> dict[str, object]:
    return {str(e["summary"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def test_the_calendar_holds_the_courses_one_is_in_and_those_one_could_still_join(lnd, facilitator):
    reader = UserFactory()
    mine = make_course(created_by=lnd, title="Mine")
    services.course_enrol(course=mine, user=reader)
    make_course(created_by=lnd, title="Run by me", facilitators=[reader], enrolment="roster")
    make_course(created_by=lnd, title="Open to all")
    make_course(created_by=lnd, title="Room for three", capacity=3)
    full = make_course(created_by=lnd, title="Full", capacity=1)
    services.course_enrol(course=full, user=UserFactory())
    make_course(created_by=lnd, title="From a roster", enrolment="roster")
    make_course(
        created_by=lnd, title="Over", starts_on=timezone.localdate() - timedelta(days=5), days=2
    )
    over_but_mine = make_course(
        created_by=lnd,
        title="Over, mine",
        starts_on=timezone.localdate() - timedelta(days=5),
        enrolment="roster",
    )
    services.course_roster_upload(course=over_but_mine, uploaded_by=lnd, roster_text=reader.email)
    done = make_course(created_by=lnd, title="Completed")
    services.course_complete(course=done, completed_by=lnd)
    make_course(
        created_by=lnd, title="Next year", starts_on=timezone.localdate() + timedelta(days=300)
    )

    assert _courses_of(reader) == {
        "Mine": "Course",
        "Run by me": "Course",
        "Over, mine": "Course",
        "Open to all": "Course, open for enrolment",
        "Room for three": "Course, open for enrolment",
    }


def test_a_course_hosted_by_a_private_community_is_only_for_those_who_may_read_it(lnd):
    host_manager = UserFactory()
    guild = community_create(
        created_by=host_manager,
        name="Quiet guild",
        purpose="Private.",
        kind=Community.Kind.PRACTICE,
        visibility=Community.Visibility.PRIVATE,
    )
    start = timezone.localdate() + timedelta(days=3)
    services.course_create(
        created_by=host_manager,
        title="Guild course",
        starts_on=start,
        ends_on=start,
        host_community=guild,
        online_url="https://meet.example.org/guild",
    )
    member = UserFactory()
    membership_join(community=guild, user=member)
    assert _courses_of(UserFactory()) == {}
    assert _courses_of(member) == {"Guild course": "Course, open for enrolment"}
    assert _courses_of(host_manager) == {"Guild course": "Course"}


def test_a_course_is_one_entry_for_its_whole_days(lnd):
    start = timezone.localdate() + timedelta(days=3)
    course = make_course(created_by=lnd, starts_on=start, days=3)
    online = services.course_create(
        created_by=lnd,
        title="Remote retros",
        starts_on=start,
        ends_on=start,
        online_url="https://meet.example.org/retro",
    )
    found = {e.title: e for e in entries_for(UserFactory(), **_window())}

    entry = found["Running retros"]
    assert entry.all_day
    assert (entry.first_day, entry.last_day) == (start, start + timedelta(days=2))
    assert entry.place == "Room 4"
    assert entry.url == course.get_absolute_url()
    assert entry.ics_url == reverse("courses:ics", args=[course.pk])
    assert found["Remote retros"].place == "Online"
    assert found["Remote retros"].uid == f"course-{online.pk}"


def test_the_course_calendar_file_is_for_those_who_may_see_the_course(client, lnd, facilitator):
    start = date(2031, 3, 10)
    course = make_course(created_by=lnd, facilitators=[facilitator], starts_on=start, days=2)
    roster = make_course(created_by=lnd, title="By roster", enrolment="roster")

    client.force_login(UserFactory())
    response = client.get(reverse("courses:ics", args=[course.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = _events(response.content)["Running retros"]
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == date(2031, 3, 12)  # the day after the last, as RFC 5545 says
    assert str(event["uid"]).startswith(f"course-{course.pk}@")
    assert client.get(reverse("courses:ics", args=[roster.pk])).status_code == 404
    assert client.get(reverse("courses:ics", args=[999999])).status_code == 404

    client.force_login(facilitator)
    assert client.get(reverse("courses:ics", args=[roster.pk])).status_code == 404
    client.force_login(lnd)
    assert client.get(reverse("courses:ics", args=[roster.pk])).status_code == 200


def test_the_subscription_feed_brings_course_dates_its_owner_may_see(client, lnd):
    reader, outsider = UserFactory(), UserFactory()
    roster = make_course(created_by=lnd, title="Leaders only", enrolment="roster")
    services.course_roster_upload(course=roster, uploaded_by=lnd, roster_text=reader.email)
    make_course(created_by=lnd, title="Open to all")

    feed = client.get(reverse("calendar_feed", args=[calendar_token_create(user=reader)]))
    events = _events(feed.content)
    assert {"Leaders only", "Open to all"} <= set(events)
    download = client.get(reverse("courses:ics", args=[roster.pk]))  # not signed in
    assert download.status_code == 302
    client.force_login(reader)
    download = _events(client.get(reverse("courses:ics", args=[roster.pk])).content)
    assert events["Leaders only"]["uid"] == download["Leaders only"]["uid"]

    feed = client.get(reverse("calendar_feed", args=[calendar_token_create(user=outsider)]))
    events = _events(feed.content)
    assert "Open to all" in events
    assert "Leaders only" not in events


def test_the_month_shows_a_course_on_each_of_its_days(client, lnd):
    start = date(2031, 3, 30)
    make_course(created_by=lnd, starts_on=start, days=4)  # into April
    client.force_login(UserFactory())
    march = client.get(reverse("calendar"), {"month": "2031-03"})
    april = client.get(reverse("calendar"), {"month": "2031-04"})
    assert march.status_code == april.status_code == 200
    # The grids' weeks run over the months' ends: March's to 6 April, April's from 31 March.
    assert march.content.decode().count('class="cal-entry cal-allday"') == 4
    assert april.content.decode().count('class="cal-entry cal-allday"') == 3
    assert "Course, open for enrolment" in april.content.decode()


def test_a_roster_course_and_its_file_stay_hidden_from_outsiders_on_the_page(client, lnd):
    make_course(created_by=lnd, title="Leaders only", enrolment=Course.Enrolment.ROSTER)
    client.force_login(UserFactory())
    month = (timezone.localdate() + timedelta(days=3)).strftime("%Y-%m")
    page = client.get(reverse("calendar"), {"month": month}).content.decode()
    assert "Leaders only" not in page


def test_a_course_file_says_it_is_a_new_version_when_the_dates_or_place_change(
    client, lnd, facilitator
):
    course = make_course(created_by=lnd, facilitators=[facilitator], starts_on=date(2031, 3, 10))
    client.force_login(lnd)

    def sequence() -> int:
        body = client.get(reverse("courses:ics", args=[course.pk])).content
        return int(_events(body)["Running retros"].get("sequence", 0))

    assert sequence() == 0
    course.description = "Bring a retro you ran."  # not on the calendar: the same version
    services.course_update(course=course, updated_by=lnd)
    assert sequence() == 0
    course.starts_on, course.ends_on = date(2031, 3, 17), date(2031, 3, 18)
    services.course_update(course=course, updated_by=lnd)
    assert sequence() == 1
    course.location = "Room 4.12"
    services.course_update(course=course, updated_by=lnd)
    assert sequence() == 2
