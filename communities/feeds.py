"""RSS and Atom feeds of a public community's latest published threads.

Feed readers are not signed in, so a private community has no feed at all (404), whoever
asks, and anonymous authors are "Anonymous" as everywhere else.

Feed readers ask again and again for a feed that has not changed: the written feed is kept
under a fingerprint of what it shows (the community's name and purpose, the language, and its
newest threads: which ones, their titles, kinds, anonymity and edits), read in one query, so a
new, edited, hidden or deleted thread shows at once. Authors' names are not in the
fingerprint: a renamed author shows within FEED_KEPT_SECONDS.
"""

import hashlib

from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.utils.translation import get_language

from .models import Community, Thread
from .selectors import (
    author_name,
    community_url,
    public_threads,
    public_threads_fingerprint,
    thread_url,
)

FEED_ITEMS = 30
FEED_KEPT_SECONDS = 10 * 60


class CommunityThreadsFeed(Feed):
    def get_object(self, request, slug: str) -> Community:
        return get_object_or_404(
            Community,
            slug=slug,
            visibility=Community.Visibility.PUBLIC,
            status__in=[Community.Status.ACTIVE, Community.Status.ARCHIVED],
        )

    def title(self, community: Community) -> str:
        return f"{community.name} · socialearn"

    def link(self, community: Community) -> str:
        return community_url(community)

    def feed_url(self, community: Community) -> str:
        return reverse("communities:feed_rss", args=[community.slug])

    def description(self, community: Community) -> str:
        return community.purpose

    def __call__(self, request, *args, **kwargs):
        """Django's, but the feed is written out as one string before it becomes the
        response's content (written into the response, each of its thousand pieces was
        encoded and stored on its own, a tenth of the feed's time), and that string is kept
        under the fingerprint of what it shows."""
        try:
            obj = self.get_object(request, *args, **kwargs)
        except ObjectDoesNotExist:
            raise Http404("Feed object does not exist.") from None

        def written() -> tuple[str, str, float]:
            feedgen = self.get_feed(obj, request)
            latest = feedgen.latest_post_date().timestamp()
            return feedgen.writeString("utf-8"), feedgen.content_type, latest

        content, content_type, latest = cache.get_or_set(
            self._kept_key(obj, request), written, FEED_KEPT_SECONDS
        )
        response = HttpResponse(content, content_type=content_type)
        response.headers["Last-Modified"] = http_date(latest)
        return response

    def _kept_key(self, community: Community, request) -> str:
        # Links are absolute: the site's domain (get_current_site) and the request's scheme.
        shown = repr(
            (
                community.slug,
                community.name,
                community.purpose,
                get_language(),
                get_current_site(request).domain,
                request.is_secure(),
            )
        )
        about = hashlib.blake2b(shown.encode(), digest_size=16).hexdigest()
        threads = public_threads_fingerprint(community, FEED_ITEMS)
        return f"feed:{type(self).__name__}:{community.pk}:{about}:{threads}"

    def items(self, community: Community):
        threads = list(public_threads(community)[:FEED_ITEMS])
        # Every item is a thread of this community: its address reversed and the names of the
        # kinds translated once, not per item.
        first = thread_url(slug=community.slug, thread_id=0)
        base = first.removesuffix("0/")
        kinds = {value: str(label) for value, label in Thread.Kind.choices}
        for thread in threads:
            thread.community = community
            thread.feed_link = f"{base}{thread.pk}/"
            thread.feed_category = kinds.get(thread.kind, thread.kind)
        return threads

    def item_title(self, thread) -> str:
        return thread.title

    def item_description(self, thread) -> str:
        # body_html is sanitised Markdown; the feed escapes it as text for the reader.
        return thread.body_html

    def item_link(self, thread) -> str:
        return thread.feed_link

    def item_guid(self, thread) -> str:
        return f"socialearn-thread-{thread.pk}"

    item_guid_is_permalink = False

    def item_author_name(self, thread) -> str:
        return author_name(thread)

    def item_pubdate(self, thread):
        return thread.created_at

    def item_updateddate(self, thread):
        return thread.edited_at or thread.created_at

    def item_categories(self, thread):
        return [thread.feed_category]


class CommunityThreadsAtomFeed(CommunityThreadsFeed):
    feed_type = Atom1Feed

    def feed_url(self, community: Community) -> str:
        return reverse("communities:feed_atom", args=[community.slug])

    def subtitle(self, community: Community) -> str:
        return community.purpose
