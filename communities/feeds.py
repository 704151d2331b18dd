"""RSS and Atom feeds of a public community's latest published threads.

Feed readers are not signed in, so a private community has no feed at all (404), whoever
asks, and anonymous authors are "Anonymous" as everywhere else.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Community
from .selectors import author_name, community_url, public_threads, thread_url

FEED_ITEMS = 30


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

    def items(self, community: Community):
        threads = list(public_threads(community)[:FEED_ITEMS])
        # Every item is a thread of this community: its address reversed once, not per item.
        first = thread_url(slug=community.slug, thread_id=0)
        base = first.removesuffix("0/")
        for thread in threads:
            thread.feed_link = f"{base}{thread.pk}/"
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
        return [thread.get_kind_display()]


class CommunityThreadsAtomFeed(CommunityThreadsFeed):
    feed_type = Atom1Feed

    def feed_url(self, community: Community) -> str:
        return reverse("communities:feed_atom", args=[community.slug])

    def subtitle(self, community: Community) -> str:
        return community.purpose
