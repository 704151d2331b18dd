"""A community manager connects a Slack channel and sends it a test card."""

import pytest
from django.urls import reverse

from communities.channels.handlers import CHANNEL_POST
from communities.services import community_create
from socialearn.outbox.services import outbox_relay
from tests.communities.fake_webhooks import FakeWebhooks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_connects_a_channel_and_its_test_card_arrives(new_page, settings):
    settings.CHANNEL_WEBHOOK_ANY_HOST = True
    manager = UserFactory(profile__display_name="Maria Manager")
    community = community_create(
        created_by=manager, name="Spreadsheet friends", purpose="Learn spreadsheets together"
    )
    with FakeWebhooks() as hooks:
        secret = "T0/B0/e2eSECRETwxyz"
        page = new_page(manager)
        page.goto(community.get_absolute_url())
        page.get_by_role("link", name="Channels").click()
        page.get_by_text("No channel is connected yet").wait_for()
        page.get_by_label("Slack").check()
        page.get_by_label("Channel name").fill("#spreadsheets")
        page.get_by_label("Webhook address").fill(hooks.url("slack", secret))
        page.get_by_role("button", name="Connect").click()
        page.get_by_text("#spreadsheets is connected").wait_for()
        assert secret not in page.content()
        page.get_by_text("127.0.0.1 …wxyz").wait_for()

        page.get_by_role("button", name="Send a test card").click()
        page.get_by_text("A test card is on its way").wait_for()
        outbox_relay(kind=CHANNEL_POST)
        assert hooks.paths() == [f"/slack/{secret}"]
        page.goto(reverse("communities:channels", args=[community.slug]))
        assert "None yet" not in page.locator(".cm-channel-status").inner_text()
