"""The relay's side of channels: POST one card to one webhook, idempotently.

The delivery row is locked and stamped in the relay's transaction, so a delivery already made
is never made again. (A relay that dies after the POST and before its commit leaves the
message to be retried, the one case where a channel can see a card twice.)

Errors name the provider and what went wrong, never the address: the outbox stores and logs
the exception's text, and the address is a secret.
"""

import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from socialearn.outbox import handlers

CHANNEL_POST = "communities.channel_post"
TIMEOUT_SECONDS = 10
ERROR_MAX = 300

logger = logging.getLogger(__name__)


class ChannelPostError(Exception):
    """A webhook refused or did not answer; the message never contains its address."""


class ChannelPaused(ChannelPostError):
    """The channel failed a moment ago: its cards wait without another attempt."""


def _pause() -> timedelta:
    """After an error, a channel's other cards wait this long without a request, so a dead or
    hanging webhook costs the relay one timeout, not one per waiting card."""
    return timedelta(seconds=getattr(settings, "CHANNEL_PAUSE_AFTER_ERROR", 60))


def _opener() -> urllib.request.OpenerDirector:
    """No redirects (a webhook never redirects, and one must not lead elsewhere); the
    environment's proxy is honoured, as intranets need."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _answer_excerpt(error: urllib.error.HTTPError, url: str) -> str:
    try:
        text = error.read(200).decode("utf-8", "replace")
    except Exception:
        return ""
    text = " ".join(text.replace(url, "…").split())
    return f": {text[:120]}" if text else ""


def webhook_post(*, url: str, payload: dict, provider_label: str) -> None:
    """POST the payload as JSON; raise ChannelPostError unless the webhook answers 2xx."""
    request = urllib.request.Request(  # noqa: S310 - the scheme was checked on connect
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "socialearn"},
        method="POST",
    )
    try:
        with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(1000)
    except urllib.error.HTTPError as error:
        raise ChannelPostError(
            _("%(provider)s answered HTTP %(code)s")
            % {"provider": provider_label, "code": error.code}
            + _answer_excerpt(error, url)
        ) from None
    except TimeoutError:
        raise ChannelPostError(
            _("%(provider)s did not answer within %(seconds)s s")
            % {"provider": provider_label, "seconds": TIMEOUT_SECONDS}
        ) from None
    except urllib.error.URLError as error:
        reason = error.reason
        detail = (
            reason.strerror if isinstance(reason, OSError) and reason.strerror else _("no answer")
        )
        raise ChannelPostError(
            _("Could not reach %(provider)s (%(detail)s)")
            % {"provider": provider_label, "detail": detail}
        ) from None
    except Exception as error:
        # Anything else may quote the address (urllib's "unknown url type: ..."): say only what.
        raise ChannelPostError(
            _("Could not post to %(provider)s (%(error)s)")
            % {"provider": provider_label, "error": type(error).__name__}
        ) from None


@handlers.register(
    CHANNEL_POST,
    max_attempts=20,
    backoff_base=timedelta(seconds=30),
    backoff_cap=timedelta(hours=2),
    on_failure=lambda payloads, error: channel_failures_record(payloads, error),
)
def channel_post(payloads: list[dict]) -> None:
    from . import cards, crypto
    from .models import Channel, ChannelDelivery

    for payload in payloads:
        delivery = (
            ChannelDelivery.objects.select_for_update(of=("self",))
            .select_related("channel")
            .filter(pk=payload["delivery_id"])
            .first()
        )
        if delivery is None or delivery.delivered_at is not None:
            continue  # disconnected since, or already delivered
        channel = delivery.channel
        label = channel.get_provider_display()
        failed_at = channel.last_error_at
        if channel.failing and failed_at is not None and failed_at > timezone.now() - _pause():
            raise ChannelPaused(
                _("%(provider)s failed a moment ago; trying again shortly") % {"provider": label}
            )
        try:
            url = crypto.url_decrypt(channel.url_encrypted)
        except crypto.WebhookKeyError:
            raise ChannelPostError(
                _(
                    "The %(provider)s address cannot be read with this server's key; connect "
                    "the channel again"
                )
                % {"provider": label}
            ) from None
        card = {**delivery.card, "open": _("Open in socialearn")}
        webhook_post(url=url, payload=cards.PAYLOADS[channel.provider](card), provider_label=label)
        now = timezone.now()
        delivery.delivered_at = now
        delivery.save(update_fields=["delivered_at"])
        Channel.objects.filter(pk=channel.pk).update(last_success_at=now)


def channel_failures_record(payloads: list[dict], error: Exception) -> None:
    """Show the manager the last error on the channel page (in the relay's failure record)."""
    from .models import Channel

    if isinstance(error, ChannelPaused):
        return  # the error the manager should read is the one that paused the channel
    text = str(error) if isinstance(error, ChannelPostError) else type(error).__name__
    ids = {p.get("channel_id") for p in payloads if p.get("channel_id")}
    Channel.objects.filter(pk__in=ids).update(
        last_error=text[:ERROR_MAX], last_error_at=timezone.now()
    )
