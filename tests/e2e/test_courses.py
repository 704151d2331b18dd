"""Someone enrols in a course, introduces themselves, and the facilitator sees it; a
colleague finds an open course in the calendar and adds it to their own. Set
E2E_SCREENSHOTS=<folder> to keep screenshots of the calendar at desktop and phone width."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from challenges.courses.models import Enrolment
from socialearn.people.permissions import LD_ADMIN
from tests.courses.conftest import make_course
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_enrol_introduce_yourself_and_the_facilitator_sees_it(new_page):
    lnd = UserFactory(profile__display_name="Lee Learning")
    lnd.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    facilitator = UserFactory(profile__display_name="Fay Facilitator")
    course = make_course(created_by=lnd, facilitators=[facilitator], title="Running retros")
    learner = UserFactory(profile__display_name="Lena Learner")

    page = new_page(learner)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").first.click()
    page.get_by_role("link", name="Running retros").click()
    page.get_by_role("button", name="Enrol").click()
    page.get_by_text("You are enrolled.").wait_for()
    expect(page.get_by_text("0 of 1 steps done")).to_be_visible()
    expect(page.get_by_role("link", name="Introduce yourself")).to_be_visible()

    page.get_by_label("Introduce yourself").fill("Hi, I run retros for the Payments team.")
    page.get_by_role("button", name="Post my introduction").click()
    page.get_by_text("Thanks for introducing yourself.").wait_for()
    expect(page.get_by_text("1 of 1 steps done")).to_be_visible()
    assert Enrolment.objects.filter(course=course, user=learner).exists()

    facilitator_page = new_page(facilitator)
    facilitator_page.goto(f"/courses/{course.pk}/")
    facilitator_page.get_by_role("button", name="Facilitator view").click()
    figures = facilitator_page.locator(".figures")
    expect(figures.get_by_text("introduced themselves")).to_be_visible()
    assert figures.locator(".figure").nth(1).inner_text().startswith("1")
    row = facilitator_page.get_by_role("row", name="Lena Learner")
    expect(row.get_by_role("cell", name="yes")).to_be_visible()


def _shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_an_open_course_is_in_the_calendar_and_goes_into_ones_own(new_page):
    from communities.models import Community
    from communities.services import community_create
    from expertqa.services import session_schedule
    from tests.challenges.conftest import make_challenge

    lnd = UserFactory(profile__display_name="Lee Learning")
    lnd.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    start = timezone.localdate() + timedelta(days=2)
    make_course(created_by=lnd, title="Running retros", starts_on=start, days=3)
    make_course(created_by=lnd, title="Leaders only", starts_on=start, enrolment="roster")
    # Something else on the same days, so the page looks as it does in use.
    network = community_create(
        created_by=lnd, name="Lunch and learn", purpose="Talks.", kind=Community.Kind.NETWORK
    )
    session_schedule(
        created_by=lnd,
        title="Kafka without tears",
        topic=TopicFactory(name="Data engineering"),
        community=network,
        experts=[lnd],
        starts_at=timezone.now() + timedelta(days=3),
        invite=False,
    )
    make_challenge(community=network, designer=lnd, start=start, steps=2, title="Feedback week")
    colleague = UserFactory(profile__display_name="Cleo Colleague")

    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page = new_page(colleague, width=width, height=height)
        page.goto(f"/calendar/?month={start:%Y-%m}")
        agenda = page.locator(".cal-agenda")
        expect(agenda.get_by_role("link", name="Running retros")).to_be_visible()
        expect(page.get_by_text("Leaders only")).to_have_count(0)
        _shot(page, f"calendar-{name}")

    row = agenda.locator("li", has_text="Running retros")
    expect(row).to_contain_text("Course, open for enrolment")
    with page.expect_download() as download:
        row.get_by_role("link", name="Add to calendar").click()
    body = open(download.value.path(), encoding="utf-8").read()
    assert "SUMMARY:Running retros" in body
    assert f"DTSTART;VALUE=DATE:{start:%Y%m%d}" in body
    assert f"DTEND;VALUE=DATE:{start + timedelta(days=3):%Y%m%d}" in body
