"""Connect and disconnect channels; announce items to them (inside the caller's transaction)."""

import html
import json
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialearn.markdown import render_markdown
from socialearn.outbox.services import message_add

from . import crypto, handlers
from .models import Channel, ChannelDelivery

# Where each provider's webhooks live (a host or a parent domain). Any other host is refused,
# so a channel cannot be pointed at a machine inside the network.
WEBHOOK_HOSTS: dict[str, tuple[str, ...]] = {
    Channel.Provider.TEAMS: (
        "webhook.office.com",  # incoming webhooks (tenant.webhook.office.com)
        "outlook.office.com",  # older incoming webhooks
        "logic.azure.com",  # Workflows (Power Automate) HTTP triggers
        "api.powerplatform.com",  # Workflows in Power Platform environments
    ),
    Channel.Provider.SLACK: ("hooks.slack.com",),
}
URL_MAX = 2000
BAD_URL = gettext_lazy("Paste the webhook address the channel gave you; it starts with https://.")


def _host_allowed(provider: str, host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in WEBHOOK_HOSTS.get(provider, ()))


def webhook_url_check(*, provider: str, url: str) -> str:
    """The URL, stripped, or a ValidationError that never repeats it (it is a secret)."""
    url = url.strip()
    if not url or len(url) > URL_MAX:
        raise ValidationError({"url": BAD_URL})
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    # Tests and closed networks may relay webhooks through a host of their own.
    any_host = getattr(settings, "CHANNEL_WEBHOOK_ANY_HOST", False)
    if parts.scheme != "https" and not (any_host and parts.scheme == "http"):
        raise ValidationError({"url": BAD_URL})
    if not host or (not any_host and not _host_allowed(provider, host)):
        names = " or ".join(WEBHOOK_HOSTS.get(provider, ()))
        raise ValidationError(
            {
                "url": _("This is not a %(provider)s webhook address (%(hosts)s).")
                % {"provider": Channel.Provider(provider).label, "hosts": names}
            }
        )
    return url


@transaction.atomic
def channel_connect(*, community, created_by, provider: str, name: str, url: str) -> Channel:
    if provider not in Channel.Provider.values:
        raise ValidationError({"provider": _("Choose Microsoft Teams or Slack.")})
    url = webhook_url_check(provider=provider, url=url)
    channel = Channel(
        community=community,
        provider=provider,
        name=" ".join(name.split()),
        url_encrypted=crypto.url_encrypt(url),
        url_hint=crypto.url_hint(url),
        created_by=created_by,
        created_at=timezone.now(),
    )
    channel.full_clean(exclude=["community", "created_by"])
    channel.save()
    return channel


@transaction.atomic
def channel_disconnect(*, channel: Channel) -> None:
    """Forget the channel, its secret and what it was still owed."""
    channel.delete()


def _deliveries_add(*, channel_filter: str, params: list, key: str, card: dict) -> int:
    """One delivery per matching channel for `key`; only new ones get an outbox message."""
    table = ChannelDelivery._meta.db_table
    channels = Channel._meta.db_table
    sql = f"""
        INSERT INTO {table} (channel_id, key, card, created_at)
        SELECT c.id, %s, %s::jsonb, %s FROM {channels} c WHERE {channel_filter}
        ON CONFLICT (channel_id, key) DO NOTHING
        RETURNING id, channel_id
    """  # noqa: S608 - table names and the filter are ours; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, json.dumps(card), timezone.now(), *params])
        created = cursor.fetchall()
    for delivery_id, channel_id in created:
        message_add(
            kind=handlers.CHANNEL_POST,
            payload={"delivery_id": delivery_id, "channel_id": channel_id},
        )
    return len(created)


def plain_text(markdown: str, limit: int = 600) -> str:
    """A post's Markdown as the short plain text a card shows (links and markup dropped)."""
    text = " ".join(html.unescape(strip_tags(render_markdown(markdown))).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def channels_announce(
    *,
    community_id: int,
    key: str,
    label: str,
    title: str,
    url: str,
    text: str = "",
    community_name: str = "",
) -> int:
    """Post a card about one item to every channel of the community, once per channel.

    Call it inside the transaction that makes the item (the hook any feature uses: flow items,
    challenge steps, sessions, live events). `key` names the item ("flow-item:42"); a second
    call with the same key adds nothing. `url` is a path on the site or an absolute URL.
    Costs one INSERT and, per connected channel, one outbox row; no network.
    """
    if url.startswith("/"):
        url = settings.SITE_URL.rstrip("/") + url
    if not community_name:
        from communities.models import Community

        community_name = (
            Community.objects.filter(pk=community_id).values_list("name", flat=True).first() or ""
        )
    card = {
        "label": label,
        "title": title,
        "text": text,
        "url": url,
        "community": community_name,
    }
    return _deliveries_add(
        channel_filter="c.community_id = %s", params=[community_id], key=key, card=card
    )


@transaction.atomic
def channel_test(*, channel: Channel, now: datetime | None = None) -> None:
    """Send a test card now, to check the address works."""
    when = timezone.localtime(now or timezone.now())
    card = {
        "label": _("Test"),
        "title": _("%(community)s is connected") % {"community": channel.community.name},
        "text": _(
            "New flow items, challenge steps, sessions and live events of this community "
            "will be posted here. Test sent %(when)s."
        )
        % {"when": date_format(when, _("j M Y, H:i T"))},
        "url": settings.SITE_URL.rstrip("/") + channel.community.get_absolute_url(),
        "community": channel.community.name,
    }
    _deliveries_add(
        channel_filter="c.id = %s", params=[channel.pk], key=f"test:{uuid.uuid4().hex}", card=card
    )
