"""Curation: a flow's curator subscribes it to RSS/Atom feeds; the clock reads them, new
articles wait in a review queue, and the curator queues the ones that matter as flow items.

The clock never waits on a feed: the beat only claims the feeds that are due (a short
transaction that pushes their next time ahead as a lease) and hands each to its own task;
each fetch has a timeout and a size cap, and a failing feed backs off on its own.

The server does the fetching, so a feed must not become a way to reach what only the server
can: a host that resolves to an internal address is refused when the feed is added, and
again on every connection of every fetch, redirects included, to the very address that was
checked (a name that resolves elsewhere later, or a redirect, gets no further).
CURATION_FEED_ALLOWED_NETWORKS lets an intranet's own news servers through.
"""

import html
import http.client
import ipaddress
import re
import socket
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialearn.outbox.services import task_after_commit

from .. import permissions
from ..models import FEED_NOTE, FEED_SUMMARY, FeedEntry, Flow, FlowFeed, FlowItem
from .flows import flow_item_add

FETCH_TIMEOUT = 10  # seconds, connecting and each read
MAX_BYTES = 5 * 1024 * 1024
INTERVAL = timedelta(minutes=30)
BACKOFF_BASE = timedelta(minutes=5)
BACKOFF_MAX = timedelta(hours=12)
LEASE = timedelta(minutes=5)  # a claimed feed is not claimed again meanwhile
CLAIM_BATCH = 50
FEEDS_PER_FLOW = 20
ENTRIES_PER_FETCH = 100
USER_AGENT = "socialearn-curation/1.0 (+feed reader)"
TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|_hsenc|_hsmi)$", re.I)


def normalise_url(url: str) -> str:
    """One spelling per article: lower-case scheme and host, no default port, no fragment,
    no tracking parameters."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, True) if not TRACKING.match(k)])
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def plain_text(markup: str, limit: int = FEED_SUMMARY) -> str:
    """A feed's HTML as plain text: no tags (scripts and styles dropped whole), entities
    decoded, whitespace collapsed, cut at a word."""
    text = html.unescape(nh3.clean(markup or "", tags=set()))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return text


def _require_curator(user, flow: Flow) -> None:
    if not permissions.can_curate(user, flow):
        raise PermissionDenied(_("Only the flow's curators can."))


def feed_add(*, flow: Flow, by, url: str, now: datetime | None = None) -> FlowFeed:
    _require_curator(by, flow)
    url = url.strip()
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise ValidationError({"url": _("Give a web address starting with http:// or https://.")})
    # Resolving the host can take seconds: done before the transaction, not holding it open.
    refused = address_refusal(url)
    if refused:
        raise ValidationError({"url": refused})
    return _feed_save(flow=flow, by=by, url=url, now=now)


@transaction.atomic
def _feed_save(*, flow: Flow, by, url: str, now: datetime | None) -> FlowFeed:
    Flow.objects.select_for_update().filter(pk=flow.pk).first()  # one feed added at a time
    if flow.feeds.count() >= FEEDS_PER_FLOW:
        raise ValidationError({"url": _("A flow follows at most 20 feeds.")})
    if flow.feeds.filter(url=url).exists():
        raise ValidationError({"url": _("The flow already follows this feed.")})
    now = now or timezone.now()
    feed = FlowFeed(flow=flow, url=url, added_by=by, created_at=now, next_fetch_at=now)
    feed.full_clean()
    feed.save()
    task_after_commit("challenges.tasks.fetch_feed", feed.pk)
    return feed


@transaction.atomic
def feed_remove(*, feed: FlowFeed, by) -> None:
    _require_curator(by, feed.flow)
    feed.delete()


@transaction.atomic
def feeds_claim_due(*, now: datetime | None = None, limit: int = CLAIM_BATCH) -> list[int]:
    """The beat's whole share of the work: take the due feeds (skipping any another beat or
    worker holds), push them ahead by the lease, and hand each to its own task."""
    now = now or timezone.now()
    ids = list(
        FlowFeed.objects.select_for_update(skip_locked=True)
        .filter(next_fetch_at__lte=now)
        .order_by("next_fetch_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        FlowFeed.objects.filter(pk__in=ids).update(next_fetch_at=now + LEASE)
        for pk in ids:
            task_after_commit("challenges.tasks.fetch_feed", pk)
    return ids


class FetchError(Exception):
    pass


# --- where feeds may come from -------------------------------------------------------------


class AddressRefused(OSError):
    """The host resolves to an address feeds may not reach. An OSError, so that urllib
    reports it like any other failure to connect."""


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(cidr.strip(), strict=False)
        for cidr in settings.CURATION_FEED_ALLOWED_NETWORKS
        if cidr.strip()
    ]


# IPv6 addresses that carry an IPv4 one, which a gateway then reaches: NAT64's well-known
# prefix, besides IPv4-mapped and 6to4 addresses.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _as_reached(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour or ip


def is_refused(address: str) -> bool:
    """Internal, special or not public; an allowed network's address never is."""
    ip = _as_reached(ipaddress.ip_address(address.split("%", 1)[0]))  # "fe80::1%eth0": a zone
    if any(ip in network for network in _allowed_networks()):
        return False
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        # The rest of what is not the public internet (shared address space 100.64/10, ...).
        or not ip.is_global
    )


def _checked_addresses(host: str, port: int) -> list[tuple[str, int]]:
    """Every address the host resolves to, if none is refused; else AddressRefused."""
    found = []
    for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        sockaddr = info[4]
        address = str(sockaddr[0])
        if is_refused(address):
            raise AddressRefused(
                _(
                    "%(host)s is an internal address (%(address)s): feeds come from the "
                    "public web, or from the networks an administrator allowed."
                )
                % {"host": host, "address": address}
            )
        found.append((address, int(sockaddr[1])))
    return found


def address_refusal(url: str) -> str:
    """Why the feed's address is refused, or "" (also when its host does not resolve now:
    the fetch asks again and reports what it finds)."""
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        _checked_addresses(parts.hostname or "", port)
    except AddressRefused as error:
        return str(error)
    except (OSError, UnicodeError, ValueError):
        return ""
    return ""


def _connect_checked(address, timeout, source_address=None) -> socket.socket:
    """socket.create_connection, to the checked addresses only (resolved once, here)."""
    host, port = address
    last_error: OSError | None = None
    for checked in _checked_addresses(host, port):
        try:
            return socket.create_connection(checked, timeout, source_address)
        except OSError as error:
            last_error = error
    raise last_error or OSError(f"No address for {host}")


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_checked


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    # TLS still names and verifies the host; only the TCP connection goes to the address.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _connect_checked


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_CheckedHTTPConnection, req)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_CheckedHTTPSConnection, req, context=self._context)


def _opener() -> urllib.request.OpenerDirector:
    """HTTP and HTTPS only, redirects included: no file:, ftp: or data: handler at all, no
    proxy, and every connection (each redirect opens its own) checked on the way."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        _CheckedHTTPHandler(),
        _CheckedHTTPSHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def _download(feed: FlowFeed) -> tuple[int, bytes, dict]:
    """(status, body, headers); 304 is a status, not an error. Raises FetchError."""
    request = urllib.request.Request(feed.url, headers={"User-Agent": USER_AGENT})  # noqa: S310 (the opener speaks only http and https)
    if feed.etag:
        request.add_header("If-None-Match", feed.etag)
    if feed.last_modified:
        request.add_header("If-Modified-Since", feed.last_modified)
    try:
        with _opener().open(request, timeout=FETCH_TIMEOUT) as response:
            body = response.read(MAX_BYTES + 1)
            if len(body) > MAX_BYTES:
                raise FetchError(_("The feed is larger than 5 MB."))
            return response.status, body, dict(response.headers)
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return 304, b"", dict(error.headers or {})
        raise FetchError(_("The server answered %(code)s.") % {"code": error.code}) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, AddressRefused):
            raise FetchError(str(error.reason)) from error
        raise FetchError(
            _("Could not reach the server: %(reason)s") % {"reason": error.reason}
        ) from error
    except (TimeoutError, OSError, ValueError) as error:
        raise FetchError(_("Could not read the feed: %(error)s") % {"error": error}) from error


def _published(entry) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        year, month, day, hour, minute, second = parsed[:6]
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _entries_from(feed: FlowFeed, parsed, now: datetime) -> list[FeedEntry]:
    source = (parsed.feed.get("title") or feed.title or urlsplit(feed.url).hostname or "")[:200]
    rows, seen = [], set()
    for entry in parsed.entries[:ENTRIES_PER_FETCH]:
        link = (entry.get("link") or "").strip()
        if urlsplit(link).scheme.lower() not in ("http", "https"):
            continue
        url = normalise_url(link)
        if len(url) > 500 or url in seen:
            continue
        seen.add(url)
        content = entry.get("summary") or ""
        if not content and entry.get("content"):
            content = entry["content"][0].get("value", "")
        rows.append(
            FeedEntry(
                flow_id=feed.flow_id,
                feed=feed,
                source=source,
                url=url,
                title=plain_text(entry.get("title") or "", 160) or url[:160],
                summary=plain_text(content),
                published_at=_published(entry),
                created_at=now,
            )
        )
    return rows


def _failed(feed_id: int, error: str, now: datetime) -> dict:
    feed = FlowFeed.objects.select_for_update().filter(pk=feed_id).first()
    if feed is None:
        return {"feed": feed_id, "gone": True}
    feed.failures = min(feed.failures + 1, 30)
    delay = min(BACKOFF_BASE * (2 ** (feed.failures - 1)), BACKOFF_MAX)
    feed.last_error = error[:300]
    feed.last_fetched_at = now
    feed.next_fetch_at = now + delay
    feed.save(update_fields=["failures", "last_error", "last_fetched_at", "next_fetch_at"])
    return {"feed": feed_id, "error": feed.last_error, "retry_at": feed.next_fetch_at}


def feed_fetch(*, feed_id: int, now: datetime | None = None) -> dict:
    """Read one feed (outside any transaction: the network is slow), then record the new
    articles and the outcome in one short transaction. Safe to run twice."""
    import feedparser

    feed = FlowFeed.objects.filter(pk=feed_id).first()
    if feed is None:
        return {"feed": feed_id, "gone": True}
    now = now or timezone.now()
    try:
        status, body, headers = _download(feed)
        parsed = None
        if status != 304:
            parsed = feedparser.parse(body)
            if not parsed.version and not parsed.entries:
                raise FetchError(_("This is not an RSS or Atom feed."))
    except FetchError as error:
        with transaction.atomic():
            return _failed(feed_id, str(error), now)
    except Exception as error:  # the worker's time limit, a parser crash: still this feed's
        with transaction.atomic():
            return _failed(feed_id, f"{type(error).__name__}: {error}", now)
    with transaction.atomic():
        feed = FlowFeed.objects.select_for_update().filter(pk=feed_id).first()
        if feed is None:
            return {"feed": feed_id, "gone": True}
        new = 0
        if parsed is not None:
            rows = _entries_from(feed, parsed, now)
            before = FeedEntry.objects.filter(flow_id=feed.flow_id).count()
            FeedEntry.objects.bulk_create(rows, ignore_conflicts=True)
            new = FeedEntry.objects.filter(flow_id=feed.flow_id).count() - before
            feed.title = (parsed.feed.get("title") or feed.title)[:200]
        lower = {k.lower(): v for k, v in headers.items()}
        feed.etag = (lower.get("etag") or feed.etag)[:255]
        feed.last_modified = (lower.get("last-modified") or feed.last_modified)[:64]
        feed.failures = 0
        feed.last_error = ""
        feed.last_fetched_at = now
        feed.last_success_at = now
        feed.next_fetch_at = now + INTERVAL
        feed.save()
    return {"feed": feed_id, "status": status, "new": new}


@transaction.atomic
def entry_queue(
    *, entry: FeedEntry, by, title: str, summary: str, note: str, now: datetime | None = None
) -> FlowItem:
    """The curator's pick: a resource item at the end of the flow's queue, with their note."""
    entry = FeedEntry.objects.select_for_update().select_related("flow").get(pk=entry.pk)
    _require_curator(by, entry.flow)
    if entry.status != FeedEntry.Status.NEW:
        raise ValidationError(_("This article was already dealt with."))
    note = (note or "").strip()
    if len(note) > FEED_NOTE:
        raise ValidationError({"note": _("Keep the note under 1,000 characters.")})
    body = (summary or "").strip()
    if note:
        body = f"{body}\n\n**{_('Why it matters:')}** {note}".strip()
    item = flow_item_add(
        flow=entry.flow, kind=FlowItem.Kind.RESOURCE, title=title.strip(), body=body, url=entry.url
    )
    entry.status = FeedEntry.Status.QUEUED
    entry.note = note
    entry.item = item
    entry.decided_at = now or timezone.now()
    entry.save(update_fields=["status", "note", "item", "decided_at"])
    return item


@transaction.atomic
def entry_dismiss(*, entry: FeedEntry, by, now: datetime | None = None) -> FeedEntry:
    _require_curator(by, entry.flow)
    updated = FeedEntry.objects.filter(pk=entry.pk, status=FeedEntry.Status.NEW).update(
        status=FeedEntry.Status.DISMISSED, decided_at=now or timezone.now()
    )
    if not updated:
        raise ValidationError(_("This article was already dealt with."))
    entry.refresh_from_db()
    return entry
