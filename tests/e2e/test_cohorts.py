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


def test_a_member_welcomes_a_newcomer_without_leaving_the_page(new_page):
    from datetime import timedelta

    from django.utils import timezone

    from communities.services import community_create, membership_join
    from socialearn.notifications.models import Notification

    veteran = UserFactory()
    community = community_create(
        created_by=veteran,
        name="Welcome to Lyon",
        purpose="Your first weeks.",
        kind=Community.Kind.ONBOARDING,
    )
    newcomer = UserFactory(
        profile__display_name="Nina Newcomer",
        profile__started_company_on=timezone.localdate() - timedelta(days=2),
    )
    membership_join(community=community, user=newcomer)
    page = new_page(veteran)
    page.goto(f"/communities/{community.slug}/newcomers/")
    row = page.locator("tr.newcomer", has_text="Nina Newcomer")
    row.get_by_role("button", name="Welcome").click()
    row.get_by_text("Welcomed").wait_for()
    assert page.url.endswith("/newcomers/")
    assert Notification.objects.filter(recipient=newcomer, kind="newcomer_welcomed").exists()
