"""RSS and Atom feeds of a topic: its latest public questions, tips and expert sessions.

Feed readers are not signed in, so the items come from public communities only (the
features' registered feed items, socialearn.people.hubs), anonymous authors as "Anonymous".
"""

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from . import hubs
from .models import Topic
from .selectors import kept_while

FEED_ITEMS = 30

# Feed readers poll and all of them get the same public items, 30 of a busy topic's (writing
# them was most of the cost): the written feed is kept for a minute per language under a key
# naming each kind's newest item, so a new one shows at once, an edit or a post hidden
# within the minute.
FEED_SECONDS = 60
KEPT_HEADERS = ("Content-Type", "Last-Modified")


class TopicFeed(Feed):
    def __call__(self, request, *args, **kwargs):
        def write() -> dict:
            response = super(TopicFeed, self).__call__(request, *args, **kwargs)
            headers = {h: response[h] for h in KEPT_HEADERS if h in response}
            return {"content": response.content, "headers": headers}

        kept = kept_while(
            hubs.feed_markers_sql(),
            prefix=":".join(
                [
                    "people:topic-feed",
                    type(self).__name__,
                    kwargs.get("slug", ""),
                    translation.get_language() or "",
                ]
            ),
            seconds=FEED_SECONDS,
            compute=write,
        )
        return HttpResponse(kept["content"], headers=kept["headers"])

    def get_object(self, request, slug: str) -> Topic:
        return get_object_or_404(Topic, slug=slug)

    def title(self, topic: Topic) -> str:
        return f"{topic.name} · socialearn"

    def link(self, topic: Topic) -> str:
        return topic.get_absolute_url()

    def feed_url(self, topic: Topic) -> str:
        return reverse("people:topic_feed_rss", args=[topic.slug])

    def description(self, topic: Topic) -> str:
        return topic.description or _("New questions, tips and expert sessions on %(topic)s.") % {
            "topic": topic.name
        }

    def items(self, topic: Topic) -> list[hubs.FeedItem]:
        return hubs.topic_feed(topic, limit=FEED_ITEMS)

    def item_title(self, item: hubs.FeedItem) -> str:
        return item.title

    def item_description(self, item: hubs.FeedItem) -> str:
        return item.description

    def item_link(self, item: hubs.FeedItem) -> str:
        return item.url

    def item_guid(self, item: hubs.FeedItem) -> str:
        return f"socialearn-{item.url}"

    item_guid_is_permalink = False

    def item_author_name(self, item: hubs.FeedItem) -> str:
        return item.author

    def item_pubdate(self, item: hubs.FeedItem):
        return item.published

    def item_categories(self, item: hubs.FeedItem):
        return [item.category] if item.category else []


class TopicAtomFeed(TopicFeed):
    feed_type = Atom1Feed

    def feed_url(self, topic: Topic) -> str:
        return reverse("people:topic_feed_atom", args=[topic.slug])

    def subtitle(self, topic: Topic) -> str:
        return self.description(topic)
