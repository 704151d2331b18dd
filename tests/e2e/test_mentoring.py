"""Journey: the coordinator runs matching and publishes; the protégé accepts."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from mentoring import services
from mentoring.models import COORDINATOR_GROUP, Match
from tests.factories import TopicFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_coordinator_publishes_and_protege_accepts(new_page):
    leadership = TopicFactory(name="Leadership")
    coordinator = UserFactory(profile__display_name="Cora Coordinator")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATOR_GROUP)[0])
    today = timezone.localdate()
    programme = services.programme_create(
        created_by=coordinator,
        topics=[leadership],
        name="New managers",
        goals="Find your feet.",
        commitment="An hour every two weeks",
        enrolment_opens_on=today - dt.timedelta(days=1),
        enrolment_closes_on=today + dt.timedelta(days=10),
    )
    mentor = UserFactory(profile__display_name="Maya Mentor")
    protege = UserFactory(profile__display_name="Paul Protege")
    services.enrolment_create(programme=programme, user=mentor, role="mentor", topics=[leadership])
    services.enrolment_create(
        programme=programme, user=protege, role="protege", topics=[leadership]
    )

    page = new_page(coordinator)
    page.goto(f"/mentoring/programmes/{programme.pk}/coordinate/")
    page.get_by_role("button", name="Run matching").click()
    proposed = page.locator("#proposed")
    proposed.get_by_text("Maya Mentor").wait_for()
    assert "Covers every topic asked for: Leadership" in proposed.inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish 1 match").click()
    page.get_by_text("1 match published").wait_for()

    page = new_page(protege)
    page.goto("/mentoring/me/")
    card = page.locator(".match-card")
    assert "Mentored by Maya Mentor" in card.inner_text()
    assert "Covers every topic asked for: Leadership" in card.inner_text()
    card.get_by_role("button", name="Accept").click()
    page.get_by_text("waiting for Maya Mentor").wait_for()
    match = Match.objects.get()
    assert match.protege_accepted_at is not None
    assert match.status == Match.Status.OFFERED


@pytest.mark.django_db(transaction=True)
def test_a_pair_from_goals_to_a_new_mentor(new_page):
    """The pair agrees a goal and plans a meeting (its ICS read back), the commitment ends,
    both answer the final survey, and the protégé becomes a mentor on the scoreboard."""
    from icalendar import Calendar

    from mentoring.models import CheckIn, Goal, Meeting
    from mentoring.relationship import services as relationship

    leadership = TopicFactory(name="Leadership")
    coordinator = UserFactory(profile__display_name="Cora Coordinator")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATOR_GROUP)[0])
    today = timezone.localdate()
    programme = services.programme_create(
        created_by=coordinator,
        topics=[leadership],
        name="New managers",
        goals="- Run your first one-to-ones\n- Give hard feedback",
        commitment="An hour every two weeks",
        rhythm="every two weeks",
        matching_mode="self_service",
        enrolment_opens_on=today - dt.timedelta(days=1),
        enrolment_closes_on=today + dt.timedelta(days=10),
    )
    mentor = UserFactory(profile__display_name="Maya Mentor", profile__time_zone="Europe/London")
    protege = UserFactory(profile__display_name="Paul Protege", profile__time_zone="Europe/London")
    m = services.enrolment_create(
        programme=programme, user=mentor, role="mentor", topics=[leadership]
    )
    p = services.enrolment_create(
        programme=programme, user=protege, role="protege", topics=[leadership]
    )
    match = services.match_request(protege=p, mentor=m, user=protege)
    services.match_accept(match=match, user=mentor)

    # The protégé confirms the agreement, sets a goal and plans a meeting.
    page = new_page(protege)
    page.goto(match.get_absolute_url())
    page.locator("#agreement-save").click()
    page.get_by_text("Waiting for Maya Mentor to confirm").wait_for()
    page.locator("input[name=title]").fill("Run your first one-to-ones")
    page.get_by_label("Target date").fill(f"{today + dt.timedelta(days=30):%Y-%m-%d}")
    page.get_by_role("button", name="Add goal").click()
    page.get_by_text("Goal added.").wait_for()
    day = today + dt.timedelta(days=3)
    page.get_by_label("Date and time").fill(f"{day:%Y-%m-%d}T10:30")
    page.get_by_label("Length in minutes").fill("45")
    page.get_by_label("Agenda (optional)").fill("First one-to-one plan")
    page.get_by_role("button", name="Plan and invite us both").click()
    page.get_by_text("Meeting planned").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    event = Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")[0]
    meeting = Meeting.objects.get(starts_at__isnull=False)
    assert event.decoded("dtstart") == meeting.starts_at
    assert timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M") == (
        f"{day:%Y-%m-%d} 10:30"
    )
    assert "First one-to-one plan" in str(event.get("description"))

    # The mentor confirms and marks the goal achieved.
    page = new_page(mentor)
    page.goto(match.get_absolute_url())
    page.locator("#agreement-save").click()
    page.get_by_text("Agreed by both").wait_for()
    page.get_by_role("button", name="Mark achieved").click()
    page.get_by_text("Goal updated.").wait_for()
    assert Goal.objects.get().status == Goal.Status.ACHIEVED

    # The commitment ends; the clock sends the final survey in working hours.
    services.match_complete(match=match, user=mentor)
    nine = dt.datetime.combine(today, dt.time(10, 0), tzinfo=dt.UTC)
    assert relationship.checkins_send(now=nine) == 2
    for person, score in ((mentor, "5"), (protege, "4")):
        page = new_page(person)
        page.goto(match.get_absolute_url())
        page.get_by_role("link", name="Answer the end survey").click()
        page.locator(f"input[name=satisfaction][value='{score}']").check()
        page.get_by_label("Achieved").check()
        page.get_by_label("Yes").check()
        page.get_by_role("button", name="Send my answers").click()
        page.get_by_text("Thank you: your answers help the next pairs.").wait_for()
    assert CheckIn.objects.filter(answered_at__isnull=False).count() == 2

    # The protégé passes it on and counts on the recruitment scoreboard.
    page.get_by_role("button", name="Become a mentor in these topics").click()
    page.get_by_text("Welcome, mentor").wait_for()
    page.goto("/mentoring/")
    assert page.locator("#total-grown").inner_text() == "1"
