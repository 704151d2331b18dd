"""An L&D admin looks at the organisation's figures and picks another period."""

import pytest
from django.contrib.auth.models import Group

from socialearn.insights import access
from socialearn.insights.services import activity_record, scope_upsert
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lnd_admin():
    user = UserFactory(username="lena@example.com", first_name="Lena")
    group, _ = Group.objects.get_or_create(name=access.LND_ADMIN_GROUP)
    user.groups.add(group)
    return user


def test_the_period_picker_updates_the_figures_in_place(new_page, lnd_admin):
    ann = UserFactory()
    scope_upsert(kind="community", object_id=1, name="Data people")
    activity_record(verb="joined", actor=ann, community_id=1)
    activity_record(verb="posted", actor=ann, community_id=1, thread_id=1, extra={"title": "Hi"})

    page = new_page(lnd_admin, width=390, height=800)
    page.goto("/insights/")
    assert page.get_by_role("heading", name="Insights", level=1).is_visible()
    assert page.get_by_text("the last 30 days").first.is_visible()
    assert page.get_by_role("img", name="Threads and replies per week").is_visible()
    assert not page.get_by_label("From", exact=True).is_visible()

    page.get_by_label("Period", exact=True).select_option("custom")
    assert page.get_by_label("From", exact=True).is_visible()
    page.get_by_label("Period", exact=True).select_option("7")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/insights/?period=7*")
    assert page.get_by_text("the last 7 days").first.is_visible()
    assert not page.get_by_label("From", exact=True).is_visible()
    page.get_by_label("Period", exact=True).select_option("custom")
    assert page.get_by_label("From", exact=True).is_visible()
    assert page.get_by_role("link", name="Data people").is_visible()

    page.get_by_role("link", name="Data people").click()
    assert page.get_by_role("heading", name="Data people").is_visible()
