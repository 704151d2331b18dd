"""Team channels: cards to Microsoft Teams and Slack through the outbox, each item once per
channel, and the webhook address kept secret (a fake webhook server on loopback)."""

import json
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from challenges import services as challenge_services
from challenges.models import FlowItem
from communities.channels import services
from communities.channels.handlers import CHANNEL_POST
from communities.channels.models import Channel, ChannelDelivery
from communities.models import Membership
from expertqa.services import session_schedule
from socialearn.outbox.models import Message
from socialearn.outbox.services import outbox_relay
from tests.challenges.conftest import make_challenge
from tests.factories import UserFactory

from .fake_webhooks import FakeWebhooks

pytestmark = pytest.mark.django_db

TEAMS_SECRET = "sig-TEAMSsecretVALUE9f3e"
SLACK_SECRET = "T000/B000/SLACKsecretVALUE7a1c"


@pytest.fixture
def hooks(settings):
    settings.CHANNEL_WEBHOOK_ANY_HOST = True  # the fake server is http on loopback
    settings.SITE_URL = "https://learn.example.org"
    with FakeWebhooks() as server:
        yield server


@pytest.fixture
def connected(hooks, community, manager):
    teams = services.channel_connect(
        community=community,
        created_by=manager,
        provider="teams",
        name="Data / General",
        url=hooks.url("teams", TEAMS_SECRET),
    )
    slack = services.channel_connect(
        community=community,
        created_by=manager,
        provider="slack",
        name="#data-people",
        url=hooks.url("slack", SLACK_SECRET),
    )
    return teams, slack


def relay(now=None):
    return outbox_relay(kind=CHANNEL_POST, now=now)


def post_flow_item(community, curator, title="Pivot tables in five minutes"):
    flow = challenge_services.flow_create(community=community, curator=curator, name="Tips")
    item = challenge_services.flow_item_add(
        flow=flow,
        kind=FlowItem.Kind.TIP,
        title=title,
        body="Use **Alt+N+V** to start one. <b>bold</b> & more",
    )
    assert challenge_services.flow_item_post_now(item=item)
    item.refresh_from_db()
    return item


def test_a_posted_flow_item_reaches_each_channel_once_as_its_card(
    hooks, connected, community, manager
):
    item = post_flow_item(community, manager)
    assert relay() == {"done": 2, "failed": 0}
    assert relay() == {"done": 0, "failed": 0}
    assert sorted(hooks.paths()) == [f"/slack/{SLACK_SECRET}", f"/teams/{TEAMS_SECRET}"]
    bodies = dict(hooks.received)
    link = "https://learn.example.org" + item.thread.get_absolute_url()

    teams = bodies[f"/teams/{TEAMS_SECRET}"]
    (attachment,) = teams["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard"
    texts = [block["text"] for block in card["body"]]
    assert "Pivot tables in five minutes" in texts
    assert f"{community.name} · New tip" in texts
    assert "Use Alt+N+V to start one." in texts[2]  # Markdown as plain text
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in socialearn", "url": link}
    ]

    slack = bodies[f"/slack/{SLACK_SECRET}"]
    assert slack["text"] == f"{community.name}: Pivot tables in five minutes"
    kinds = [block["type"] for block in slack["blocks"]]
    assert kinds == ["context", "header", "section", "actions"]
    assert "&amp; more" in slack["blocks"][2]["text"]["text"]  # mrkdwn escaped
    assert slack["blocks"][3]["elements"][0]["url"] == link

    teams_channel, slack_channel = connected
    for channel in (teams_channel, slack_channel):
        channel.refresh_from_db()
        assert channel.last_success_at is not None
        assert not channel.failing


def test_announcing_the_same_item_again_adds_nothing(hooks, connected, community):
    args = dict(
        community_id=community.pk, key="live:1", label="Live now", title="Town hall", url="/x/"
    )
    assert services.channels_announce(**args) == 2
    assert services.channels_announce(**args) == 0
    relay()
    assert len(hooks.received) == 2


def test_a_failing_then_recovering_webhook_gets_each_item_exactly_once(
    hooks, connected, community, manager, settings
):
    # The relay runs below are seconds apart in real time; the pause is tested on its own.
    settings.CHANNEL_PAUSE_AFTER_ERROR = 0
    teams, slack = connected
    hooks.fail_next = 3
    first = post_flow_item(community, manager, "First tip")
    second = post_flow_item(community, manager, "Second tip")
    now = timezone.now()
    totals = relay(now)
    assert totals["failed"] >= 1
    teams.refresh_from_db()
    slack.refresh_from_db()
    failing = [c for c in (teams, slack) if c.failing]
    assert failing
    assert all("answered HTTP 500" in c.last_error for c in failing)

    # Later runs, past the backoff: the webhook has recovered.
    for minutes in (5, 30, 120):
        relay(now + timedelta(minutes=minutes))
    titles = sorted(
        (
            path.split("/")[1],
            body.get("text") or body["attachments"][0]["content"]["body"][1]["text"],
        )
        for path, body in hooks.received
    )
    assert titles == [
        ("slack", f"{community.name}: First tip"),
        ("slack", f"{community.name}: Second tip"),
        ("teams", "First tip"),
        ("teams", "Second tip"),
    ]
    assert not ChannelDelivery.objects.filter(delivered_at__isnull=True).exists()
    assert first.pk != second.pk
    for channel in (teams, slack):
        channel.refresh_from_db()
        assert not channel.failing  # the manager sees it works again


def test_a_dead_webhook_never_blocks_the_clock(settings, community, manager):
    settings.CHANNEL_WEBHOOK_ANY_HOST = True
    services.channel_connect(
        community=community,
        created_by=manager,
        provider="slack",
        name="#gone",
        url="http://127.0.0.1:9/hooks/nobody-listens",  # discard port: refused at once
    )
    challenge = make_challenge(community=community, designer=manager, start=date(2026, 1, 5))
    counts = challenge_services.post_due(now=datetime(2026, 1, 7, 9, 0, 30, tzinfo=UTC))
    assert counts["steps"] == 3  # posted whatever the channel does
    assert relay()["failed"] == 3
    channel = Channel.objects.get()
    assert channel.failing
    assert channel.last_error.startswith("Could not reach Slack")
    keys = set(ChannelDelivery.objects.values_list("key", flat=True))
    assert keys == {f"challenge-step:{pk}" for pk in challenge.steps.values_list("pk", flat=True)}


def test_after_an_error_a_channels_other_cards_wait_without_a_request(
    hooks, connected, community, manager
):
    """A dead or hanging webhook costs the relay one attempt per pause, not one per card."""
    hooks.fail_next = 1
    make_challenge(community=community, designer=manager, start=date(2026, 1, 5), steps=5)
    challenge_services.post_due(now=datetime(2026, 1, 9, 9, 0, 30, tzinfo=UTC))  # 5 steps due
    teams, _ = connected
    ChannelDelivery.objects.filter(channel=teams).delete()  # one channel, so one request fails
    assert relay()["failed"] == 5
    assert len(hooks.received) == 0  # only the first card was tried; the others waited
    slack = Channel.objects.get(provider="slack")
    assert slack.last_error.startswith("Slack answered HTTP 500")  # not "failed a moment ago"

    Channel.objects.filter(pk=slack.pk).update(last_error_at=timezone.now() - timedelta(minutes=2))
    relay(timezone.now() + timedelta(hours=3))
    assert len(hooks.received) == 5


def test_a_scheduled_session_is_announced_to_the_channels(
    hooks, connected, community, manager, topic
):
    session = session_schedule(
        created_by=manager,
        title="Ask a data engineer",
        topic=topic,
        community=community,
        experts=[manager],
        starts_at=timezone.now() + timedelta(days=2),
        invite=False,
    )
    relay()
    bodies = dict(hooks.received)
    slack = bodies[f"/slack/{SLACK_SECRET}"]
    assert slack["text"].endswith("Ask a data engineer")
    assert slack["blocks"][-1]["elements"][0]["url"] == (
        "https://learn.example.org" + session.get_absolute_url()
    )


def test_the_webhook_address_is_never_shown_logged_or_stored_in_clear(
    hooks, connected, community, manager, caplog
):
    caplog.set_level(logging.DEBUG)
    hooks.fail_next = 10
    post_flow_item(community, manager)
    relay()
    secrets = [TEAMS_SECRET, SLACK_SECRET, hooks.base]

    def leaks(text: str) -> list[str]:
        return [s for s in secrets if s in text]

    assert leaks(caplog.text) == []
    for message in Message.objects.filter(kind=CHANNEL_POST):
        assert leaks(message.last_error + str(message.payload)) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT url_encrypted, url_hint, last_error FROM communities_channel")
        for row in cursor.fetchall():
            assert leaks(" ".join(row)) == []

    client = Client()
    client.force_login(manager)
    page = client.get(reverse("communities:channels", args=[community.slug])).content.decode()
    assert leaks(page) == []
    assert "127.0.0.1 …9f3e" in page  # the hint: host and last four characters
    assert "answered HTTP 500" in page  # the manager sees the last error

    root = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(root)
    listing = client.get(reverse("admin:communities_channel_changelist")).content.decode()
    change = client.get(
        reverse("admin:communities_channel_change", args=[connected[0].pk])
    ).content.decode()
    assert "Data / General" in listing
    assert leaks(listing) == []
    assert leaks(change) == []


def test_only_webhook_addresses_of_the_provider_are_accepted(client, community, manager):
    client.force_login(manager)
    url = reverse("communities:channels", args=[community.slug])
    for provider, address in [
        ("slack", "https://intranet.example.org/hooks/abc"),
        ("teams", "https://hooks.slack.com/services/T/B/x"),
        ("slack", "http://hooks.slack.com/services/T/B/x"),
        ("teams", "not an address"),
    ]:
        response = client.post(url, {"provider": provider, "name": "Ch", "url": address})
        assert response.status_code == 200
        assert response.context["form"].errors["url"]
        assert address not in response.content.decode()
    assert not Channel.objects.exists()
    response = client.post(
        url,
        {
            "provider": "teams",
            "name": "General",
            "url": "https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi",
        },
    )
    assert response.status_code == 302
    assert Channel.objects.get().url_hint == "contoso.webhook.office.com …/ghi"


def test_only_managers_open_and_change_the_channels(client, community, member, outsider, manager):
    channel = services.channel_connect(
        community=community,
        created_by=manager,
        provider="slack",
        name="#data",
        url="https://hooks.slack.com/services/T/B/abcd",
    )
    page = reverse("communities:channels", args=[community.slug])
    disconnect = reverse("communities:channel_disconnect", args=[community.slug, channel.pk])
    client.force_login(member)
    assert client.get(page).status_code == 403
    assert client.post(disconnect).status_code == 403
    client.force_login(manager)
    assert client.post(disconnect).status_code == 302
    assert not Channel.objects.exists()


def test_a_test_card_is_sent_on_request(hooks, connected, client, community, manager):
    teams, _ = connected
    client.force_login(manager)
    response = client.post(reverse("communities:channel_test", args=[community.slug, teams.pk]))
    assert response.status_code == 302
    relay()
    assert hooks.paths() == [f"/teams/{TEAMS_SECRET}"]


@pytest.mark.parametrize("count", [1, 12])
def test_the_channel_page_runs_a_fixed_number_of_queries(
    count, client, community, manager, django_assert_max_num_queries
):
    for n in range(count):
        channel = services.channel_connect(
            community=community,
            created_by=manager,
            provider="slack",
            name=f"#c{n}",
            url=f"https://hooks.slack.com/services/T/B/{n:04d}",
        )
        ChannelDelivery.objects.create(
            channel=channel,
            key=f"k{n}",
            card={"label": "New tip", "title": f"T{n}"},
            created_at=timezone.now(),
        )
    client.force_login(manager)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("communities:channels", args=[community.slug]))
    assert response.status_code == 200
    assert Membership.objects.filter(community=community, role="manager").exists()


def test_the_empty_page_says_what_to_do(client, community, manager):
    client.force_login(manager)
    text = client.get(reverse("communities:channels", args=[community.slug])).content.decode()
    assert "No channel is connected yet" in text


def test_a_live_event_start_is_announced_once_when_it_starts(
    hooks, connected, community, manager, topic
):
    from expertqa.live import services as live

    starts_at = timezone.now() + timedelta(minutes=10)
    event = live.live_event_schedule(
        created_by=manager,
        community=community,
        topic=topic,
        title="All-hands backchannel",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        hosts=[manager],
        invite=False,
    )
    relay()
    hooks.received.clear()

    assert live.announce_started_events(now=starts_at - timedelta(minutes=1)) == 0
    assert live.announce_started_events(now=starts_at + timedelta(minutes=1)) == 1
    assert live.announce_started_events(now=starts_at + timedelta(minutes=2)) == 0
    relay()
    relay()

    slack = [body for path, body in hooks.received if path.startswith("/slack/")]
    assert len(slack) == 1
    assert "All-hands backchannel" in slack[0]["text"]
    assert "Live event starting now" in json.dumps(slack[0])
    assert slack[0]["blocks"][-1]["elements"][0]["url"].endswith(
        reverse("expertqa:live_detail", args=[event.pk])
    )


def test_a_start_long_past_is_not_announced(hooks, connected, community, manager, topic):
    from expertqa.live import services as live

    starts_at = timezone.now() - timedelta(days=1)
    live.live_event_schedule(
        created_by=manager,
        community=community,
        topic=topic,
        title="Yesterday's chat",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        hosts=[manager],
        invite=False,
    )
    assert live.announce_started_events() == 0
