"""An L&D admin uploads a course roster: bad lines are shown, then a fixed roster succeeds."""

import pytest
from django.contrib.auth.models import Group

from communities.models import Community
from socialearn.insights.access import LND_ADMIN_GROUP
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_lnd_admin_fixes_a_roster_and_creates_cohorts(new_page):
    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=LND_ADMIN_GROUP)[0])
    topic = TopicFactory(name="Negotiation")
    for i in range(3):
        UserFactory(email=f"learner{i}@example.com", profile__interests=[topic])
    page = new_page(admin)
    page.goto("/communities/cohorts/upload/")

    page.get_by_label("Course name").fill("Negotiation basics")
    page.get_by_label("…or paste the emails").fill(
        "email\nlearner0@example.com\nlearner1@example\nnobody@example.com\nlearner2@example.com"
    )
    page.get_by_role("button", name="Create cohorts").click()

    errors = page.locator("table.roster-errors tbody tr")
    assert errors.count() == 2
    assert errors.nth(0).inner_text().startswith("3")
    assert errors.nth(1).inner_text().startswith("4")
    assert not Community.objects.filter(kind="cohort").exists()

    page.get_by_label("…or paste the emails").fill(
        "learner0@example.com\nlearner1@example.com\nlearner2@example.com"
    )
    page.get_by_role("button", name="Create cohorts").click()
    page.get_by_text("3 participants split into 1 cohort").wait_for()
    assert page.get_by_role("cell", name="Negotiation basics · Negotiation").is_visible()
