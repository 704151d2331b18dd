"""Feed curation against a real HTTP server on loopback serving static RSS/Atom files."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from challenges.models import FeedEntry, FlowFeed, FlowItem
from challenges.services import (
    entry_queue,
    feed_add,
    feed_fetch,
    feeds_claim_due,
    flow_create,
    normalise_url,
)

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Data Weekly</title><id>urn:data-weekly</id><updated>2026-11-30T10:00:00Z</updated>
  <entry><title>Streaming joins, explained</title><id>urn:1</id>
    <link href="https://Blog.Example.org/joins?utm_source=rss#top"/>
    <updated>2026-11-30T10:00:00Z</updated>
    <summary type="html">&lt;p&gt;Joins &lt;b&gt;without&lt;/b&gt; tears.
      &lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</summary>
  </entry>
  <entry><title>Same article, other spelling</title><id>urn:2</id>
    <link href="https://blog.example.org/joins"/><updated>2026-11-29T10:00:00Z</updated>
  </entry>
  <entry><title>Lakehouse myths</title><id>urn:3</id>
    <link href="https://blog.example.org/lakehouse"/><updated>2026-11-28T10:00:00Z</updated>
  </entry>
</feed>"""

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Other source</title>
<item><title>Lakehouse myths (again)</title><link>https://blog.example.org/lakehouse</link>
<description>Seen elsewhere.</description></item>
<item><title>Query plans</title><link>https://db.example.org/plans</link></item>
</channel></rss>"""


class FeedServer:
    """Serves /atom.xml and /rss.xml with an ETag; /broken answers 500 until fixed; a path in
    `redirects` answers 302 to its address."""

    def __init__(self, host: str = "127.0.0.1"):
        self.hits: list[tuple[str, str]] = []
        self.broken = True
        self.redirects: dict[str, str] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                outer.hits.append((self.path, self.headers.get("If-None-Match", "")))
                if self.path in outer.redirects:
                    self.send_response(302)
                    self.send_header("Location", outer.redirects[self.path])
                    self.end_headers()
                    return
                bodies = {"/atom.xml": ATOM, "/rss.xml": RSS}
                if self.path == "/broken" and outer.broken:
                    self.send_response(500)
                    self.end_headers()
                    return
                body = bodies.get(self.path, ATOM if self.path == "/broken" else None)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                etag = f'"{self.path}-v1"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feeds(settings):
    # Feeds may not come from internal addresses; this server is one, allowed here alone.
    settings.CURATION_FEED_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    with FeedServer() as server:
        yield server


@pytest.fixture
def flow(network, manager):
    return flow_create(community=network, curator=manager, name="Data reads")


def test_new_entries_arrive_once_and_duplicates_are_dropped(flow, manager, feeds):
    atom = feed_add(flow=flow, by=manager, url=f"{feeds.url}/atom.xml")
    rss = feed_add(flow=flow, by=manager, url=f"{feeds.url}/rss.xml")

    assert feed_fetch(feed_id=atom.pk)["new"] == 2  # two spellings of one article count once
    assert feed_fetch(feed_id=rss.pk)["new"] == 1  # the lakehouse article came from Atom
    again = feed_fetch(feed_id=atom.pk)
    assert again["status"] == 304
    assert again["new"] == 0
    assert feeds.hits[-1] == ("/atom.xml", '"/atom.xml-v1"')

    entries = {e.url: e for e in FeedEntry.objects.filter(flow=flow)}
    assert set(entries) == {
        "https://blog.example.org/joins",
        "https://blog.example.org/lakehouse",
        "https://db.example.org/plans",
    }
    joins = entries["https://blog.example.org/joins"]
    assert joins.summary == "Joins without tears."  # plain text, the script dropped whole
    assert joins.source == "Data Weekly"
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedEntry.objects.create(flow=flow, url=joins.url, title="dup", created_at=timezone.now())


def test_a_broken_feed_shows_its_error_backs_off_and_recovers(flow, manager, feeds):
    feed = feed_add(flow=flow, by=manager, url=f"{feeds.url}/broken")
    now = timezone.now()
    result = feed_fetch(feed_id=feed.pk, now=now)
    feed.refresh_from_db()
    assert "500" in feed.last_error
    assert feed.failures == 1
    assert feed.next_fetch_at == result["retry_at"] > now
    feed_fetch(feed_id=feed.pk, now=now)
    feed.refresh_from_db()
    assert feed.failures == 2
    assert feed.next_fetch_at - now == timedelta(minutes=10)

    assert feeds_claim_due(now=now) == []  # not due while it backs off
    assert feeds_claim_due(now=feed.next_fetch_at) == [feed.pk]
    assert feeds_claim_due(now=feed.next_fetch_at) == []  # leased to the task

    feeds.broken = False
    assert feed_fetch(feed_id=feed.pk)["new"] == 2
    feed.refresh_from_db()
    assert feed.failures == 0
    assert feed.last_error == ""


def test_an_unreachable_feed_and_a_page_that_is_not_a_feed_are_reported(flow, manager, feeds):
    gone = feed_add(flow=flow, by=manager, url="http://127.0.0.1:9/feed")
    missing = feed_add(flow=flow, by=manager, url=f"{feeds.url}/nothing-here")
    feed_fetch(feed_id=gone.pk)
    feed_fetch(feed_id=missing.pk)
    gone.refresh_from_db()
    missing.refresh_from_db()
    assert gone.last_error.startswith("Could not reach the server")
    assert "404" in missing.last_error


def test_the_curator_queues_an_entry_as_a_flow_item_with_a_note(flow, manager, feeds):
    feed = feed_add(flow=flow, by=manager, url=f"{feeds.url}/atom.xml")
    feed_fetch(feed_id=feed.pk)
    entry = FeedEntry.objects.get(url="https://blog.example.org/joins")
    item = entry_queue(
        entry=entry, by=manager, title="Joins", summary="Short.", note="We do this weekly."
    )
    assert item.kind == FlowItem.Kind.RESOURCE
    assert item.url == "https://blog.example.org/joins"
    assert "We do this weekly." in item.body
    entry.refresh_from_db()
    assert entry.status == FeedEntry.Status.QUEUED
    assert entry.item == item


def test_urls_are_normalised():
    assert normalise_url("HTTPS://Ex.org:443/a?utm_medium=x&id=3#frag") == "https://ex.org/a?id=3"
    assert normalise_url("http://ex.org") == "http://ex.org/"


def test_only_web_addresses_are_followed(flow, manager):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        feed_add(flow=flow, by=manager, url="file:///etc/passwd")
    assert not FlowFeed.objects.exists()


@pytest.mark.parametrize("n", [1, 25])
def test_the_review_queue_costs_the_same_whatever_it_holds(
    client, django_assert_max_num_queries, flow, manager, n
):
    now = timezone.now()
    FeedEntry.objects.bulk_create(
        FeedEntry(flow=flow, url=f"https://ex.org/{i}", title=f"A{i}", created_at=now)
        for i in range(n)
    )
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("challenges:flow_review", args=[flow.pk]))
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        response = client.get(reverse("challenges:flow_sources", args=[flow.pk]))
    assert response.status_code == 200


def test_a_web_page_is_not_taken_for_a_feed(flow, manager, feeds, monkeypatch):
    from challenges.services import curation

    feed = feed_add(flow=flow, by=manager, url=f"{feeds.url}/atom.xml")
    monkeypatch.setattr(
        curation,
        "_download",
        lambda f: (200, b"<html><head><title>Blog</title></head><body>Hi</body></html>", {}),
    )
    feed_fetch(feed_id=feed.pk)
    feed.refresh_from_db()
    assert feed.last_error == "This is not an RSS or Atom feed."


# --- feeds from internal addresses ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed.xml",
        "http://10.0.0.5/feed.xml",
        "http://[::1]/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/feed.xml",  # a name that resolves to loopback
        "https://100.64.0.1/feed.xml",  # shared address space: not the public internet
    ],
)
def test_the_feed_form_refuses_internal_addresses(client, flow, manager, url):
    client.force_login(manager)
    response = client.post(reverse("challenges:flow_sources", args=[flow.pk]), {"url": url})
    assert response.status_code == 200
    assert "is an internal address" in response.context["form"].errors["url"][0]
    assert not FlowFeed.objects.exists()


def test_an_allowed_network_lets_its_servers_through(client, flow, manager, settings):
    settings.CURATION_FEED_ALLOWED_NETWORKS = ["10.20.0.0/16", "fd00:12::/48"]
    client.force_login(manager)
    for url in ("http://10.20.3.4/news.xml", "http://[fd00:12::7]/news.xml"):
        response = client.post(reverse("challenges:flow_sources", args=[flow.pk]), {"url": url})
        assert response.status_code == 302
    response = client.post(
        reverse("challenges:flow_sources", args=[flow.pk]), {"url": "http://10.21.0.1/news.xml"}
    )
    assert "is an internal address" in response.content.decode()
    assert FlowFeed.objects.count() == 2


def test_the_fetch_checks_the_address_again(flow, manager, feeds, settings):
    """A name that resolved elsewhere when the feed was added (or a setting since narrowed)
    is refused when fetched: recorded like any failure, and the feed backs off."""
    feed = FlowFeed.objects.create(
        flow=flow,
        url=f"http://localhost:{feeds.port}/atom.xml",
        added_by=manager,
        created_at=timezone.now(),
        next_fetch_at=timezone.now(),
    )
    settings.CURATION_FEED_ALLOWED_NETWORKS = []
    now = timezone.now()
    result = feed_fetch(feed_id=feed.pk, now=now)
    feed.refresh_from_db()
    assert "localhost is an internal address" in feed.last_error
    assert feed.failures == 1
    assert feed.next_fetch_at == result["retry_at"] == now + timedelta(minutes=5)
    assert feeds.hits == []  # never connected


def test_a_redirect_to_a_refused_address_is_not_followed(flow, manager, feeds, settings):
    with FeedServer(host="127.0.0.2") as inside:
        feeds.redirects["/moved"] = f"{inside.url}/atom.xml"
        feed = feed_add(flow=flow, by=manager, url=f"{feeds.url}/moved")
        feed_fetch(feed_id=feed.pk)
        feed.refresh_from_db()
        assert "127.0.0.2 is an internal address" in feed.last_error
        assert feed.failures == 1
        assert inside.hits == []
        assert not FeedEntry.objects.exists()

        # The same redirect, its target allowed too, is followed: the refusal was the guard's.
        settings.CURATION_FEED_ALLOWED_NETWORKS = ["127.0.0.1/32", "127.0.0.2/32"]
        assert feed_fetch(feed_id=feed.pk)["new"] == 2
        assert inside.hits == [("/atom.xml", "")]


@pytest.mark.django_db(transaction=True)
def test_the_address_is_resolved_before_the_transaction_opens(network, manager, monkeypatch):
    """A slow name server must not hold a transaction (and the flow's lock) open."""
    from django.db import connection

    from challenges.services import curation

    flow = flow_create(community=network, curator=manager, name="Data reads")
    seen = []

    def refusal(url):
        seen.append(connection.in_atomic_block)
        return ""

    monkeypatch.setattr(curation, "address_refusal", refusal)
    feed_add(flow=flow, by=manager, url="https://news.example.org/feed.xml")
    assert seen == [False]
    assert FlowFeed.objects.filter(flow=flow).count() == 1
