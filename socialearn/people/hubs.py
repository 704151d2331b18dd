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
from datetime import UTC, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

from socialearn.compiled import STAND_INS, ForQuerySet, for_queryset, id_array

from .search import Hit

# find(viewer, topic, *, limit, places) -> hits; `places`: the ids of the communities the
# viewer may read (evidence.readable_places), read once for the whole hub.
SectionFind = Callable[..., list[Hit]]


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


# Two stand-ins for each value a section's query takes (compiled_rows()).
SECTION_STAND_INS: dict[str, tuple[Any, Any]] = {
    "reader": STAND_INS,
    "topic": (-7_000_000_011, -7_000_000_012),
    "places": ([-7_000_000_021], [-7_000_000_022, -7_000_000_023]),
    "now": (datetime(1901, 1, 1, tzinfo=UTC), datetime(1902, 2, 2, tzinfo=UTC)),
}

_compiled: dict[tuple, ForQuerySet | None] = {}


def compiled_rows(build: Callable[..., QuerySet], *fixed: Any, **values: Any) -> list:
    """list(build(*fixed, **values)), from SQL compiled once per process for each build and
    `fixed` (a limit, which the SQL holds as text; a role that changes the query's shape):
    each section's query cost more to build and compile than to run. `values` are some of
    SECTION_STAND_INS (the topic's id, the readable places as a list, the reader's id, the
    clock); a build that depends on more than those is built for each view as before."""
    key = (build, fixed, tuple(sorted(values)))
    if key not in _compiled:
        _compiled[key] = for_queryset(
            lambda **stand_ins: build(*fixed, **stand_ins),
            {name: SECTION_STAND_INS[name] for name in values},
        )
    kept = _compiled[key]
    if kept is None:
        return list(build(*fixed, **values))
    if "places" in values:
        # One literal for the hub's several queries (some hundred ids at the large seed).
        values["places"] = id_array(frozenset(values["places"]))
    return kept.results(**values)


@dataclass
class Filled:
    section: Section
    hits: list[Hit]
    more: bool


def topic_hub(viewer, topic, *, limit: int = 6, places: set[int] | None = None) -> list[Filled]:
    """Every section for the reader: one query each, one hit beyond `limit` to tell "more".
    `places`: the reader's readable_places() when the page has read them (else one query)."""
    from .evidence import readable_places

    if places is None:
        places = readable_places(viewer)
    filled = []
    for s in sections():
        hits = s.find(viewer, topic, limit=limit + 1, places=places)
        filled.append(Filled(section=s, hits=hits[:limit], more=len(hits) > limit))
    return filled


def topic_feed(topic, *, limit: int = 30) -> list[FeedItem]:
    items: list[FeedItem] = []
    for find in _feeds.values():
        items.extend(find(topic, limit=limit))
    items.sort(key=lambda i: i.published, reverse=True)
    return items[:limit]


def feed_markers_sql() -> str:
    """One SELECT of every feed kind's marker (index reads), for a cache key."""
    return "SELECT " + (", ".join(f"({m})" for m in _feed_markers.values()) or "0")
