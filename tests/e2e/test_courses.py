"""Someone enrols in a course, introduces themselves, and the facilitator sees it."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from challenges.courses.models import Enrolment
from socialearn.people.permissions import LD_ADMIN
from tests.courses.conftest import make_course
from tests.factories import UserFactory

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
