"""A talk's journey: an employee proposes it, the network's manager accepts it, and a
colleague finds it in the calendar and adds it to their own."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import Community
from communities.services import community_create
from expertqa.services import network_series_create
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_proposed_talk_reaches_a_colleagues_calendar(new_page, live_server):
    topic = TopicFactory(name="Data engineering")
    manager = UserFactory(profile__display_name="Nina Network")
    network = community_create(
        created_by=manager,
        name="Lunch and learn",
        purpose="Colleagues talk about their passions.",
        kind=Community.Kind.NETWORK,
        topics=[topic],
    )
    network_series_create(community=network, by=manager, title="Data Fridays")
    speaker = UserFactory(profile__display_name="Sam Speaker")
    colleague = UserFactory(profile__display_name="Cleo Colleague")

    page = new_page(speaker)
    page.goto(f"{live_server.url}/sessions/networks/{network.slug}/")
    page.get_by_role("button", name="Propose a talk").click()
    page.get_by_label("Title of the talk").fill("Kafka without tears")
    page.get_by_label("Abstract").fill("What broke in production, and how we fixed it.")
    page.get_by_label("Preferred slot").fill("A Thursday lunchtime")
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("heading", name="Kafka without tears")).to_be_visible()

    page = new_page(manager)
    page.goto(f"{live_server.url}/sessions/networks/{network.slug}/")
    page.get_by_role("link", name="Kafka without tears").click()
    page.get_by_label("Series").select_option(label="Data Fridays")
    starts = timezone.localtime(timezone.now() + timedelta(days=1)).replace(hour=12, minute=30)
    page.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Accept and schedule").click()
    expect(page.get_by_role("heading", name="Kafka without tears")).to_be_visible()
    expect(page.get_by_text("Sam Speaker").first).to_be_visible()

    page = new_page(colleague)
    page.goto(f"{live_server.url}/calendar/?month={starts:%Y-%m}")
    agenda = page.locator(".cal-agenda")
    expect(agenda.get_by_role("link", name="Kafka without tears")).to_be_visible()
    with page.expect_download() as download:
        agenda.get_by_role("link", name="Add to calendar").first.click()
    body = open(download.value.path(), encoding="utf-8").read()
    assert "SUMMARY:Kafka without tears" in body
