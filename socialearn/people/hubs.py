"""Topic hubs: everything on one topic, each list bounded, each only what the reader may see.

The core cannot import features, so each feature registers its sections in its
AppConfig.ready() (as it registers search providers): a kind ("questions"), a heading, what
to say when it is empty, and a function that runs ONE query for the reader and returns at most
`limit` hits. A hub page therefore costs one query per section, whatever the topic holds.

Features also register feed items: the topic's RSS/Atom feed is read by feed readers that
are not signed in, so it holds only what anyone may read (public communities, published,
anonymous authors as "Anonymous").
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise

from .search import Hit

SectionFind = Callable[..., list[Hit]]  # find(viewer, topic, *, limit) -> hits


@dataclass(frozen=True)
class Section:
    kind: str
    label: str | Promise  # words, translated when shown
    order: int
    find: SectionFind
    empty: str | Promise = ""


@dataclass(frozen=True)
class FeedItem:
    title: str
    url: str
    description: str
    published: datetime
    author: str = ""
    category: str = ""


FeedFind = Callable[..., list[FeedItem]]  # find(topic, *, limit) -> items (public only)

_sections: dict[str, Section] = {}
_feeds: dict[str, FeedFind] = {}
_feed_markers: dict[str, str] = {}


def register(
    kind: str, *, label: str | Promise, order: int = 50, empty: str | Promise = ""
) -> Callable[[SectionFind], SectionFind]:
    def decorator(func: SectionFind) -> SectionFind:
        _sections[kind] = Section(kind=kind, label=label, order=order, find=func, empty=empty)
        return func

    return decorator


def register_feed(kind: str, *, marker: str = "") -> Callable[[FeedFind], FeedFind]:
    """`marker`: a scalar SQL query read off an index that moves when an item is added
    ("SELECT max(id) FROM ..."), so the kept feed shows a new item at once."""

    def decorator(func: FeedFind) -> FeedFind:
        _feeds[kind] = func
        if marker:
            _feed_markers[kind] = marker
        return func

    return decorator


def sections() -> list[Section]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.kind))


@dataclass
class Filled:
    section: Section
    hits: list[Hit]
    more: bool


def topic_hub(viewer, topic, *, limit: int = 6) -> list[Filled]:
    """Every section for the reader: one query each, one hit beyond `limit` to tell "more"."""
    filled = []
    for s in sections():
        hits = s.find(viewer, topic, limit=limit + 1)
        filled.append(Filled(section=s, hits=hits[:limit], more=len(hits) > limit))
    return filled


# Feed readers poll; the feed is the same for all of them (public items only), so it is kept
# for a minute per language under a key naming each kind's newest item: a new one shows at
# once, an edit or a post hidden within the minute.
FEED_SECONDS = 60


def topic_feed(topic, *, limit: int = 30) -> list[FeedItem]:
    from django.utils import translation

    from .selectors import kept_while

    def find() -> list[FeedItem]:
        items: list[FeedItem] = []
        for find_kind in _feeds.values():
            items.extend(find_kind(topic, limit=limit))
        items.sort(key=lambda i: i.published, reverse=True)
        return items[:limit]

    markers = ", ".join(f"({m})" for m in _feed_markers.values()) or "0"
    return kept_while(
        f"SELECT {markers}",  # noqa: S608 - the features' fixed markers
        prefix=f"people:topic-feed:{topic.pk}:{limit}:{translation.get_language()}",
        seconds=FEED_SECONDS,
        compute=find,
    )
