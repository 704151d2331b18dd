"""Expertise from evidence: what people did on a topic, counted beside what they declared.

The core cannot import features, so each feature registers a source in its
AppConfig.ready(): a kind ("accepted_answers"), how to name a count of it, and a function
returning, for a viewer, a QuerySet of its objects annotated with three columns:

    ev_user    the person the object is evidence for
    ev_topic   one topic it is on (an object on two topics appears twice)
    ev_object  the object's id (counted DISTINCT)

With a viewer a source keeps only what that viewer may see (threads of private communities
stay out); with viewer=None it counts everything for ranking and reach. Anonymous posts
are never evidence: counting them would tell who wrote them.

Counting is set-based: one grouped query per source, combined with UNION ALL into a single
query, whatever the number of people or topics.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, F, Func, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import Promise

from socialearn.compiled import ForReader, for_reader

SourceRows = Callable[[object], QuerySet]
# items(viewer, user_id, topic_id, limit) -> [search.Hit]: the objects themselves, newest first
SourceItems = Callable[..., list]


@dataclass(frozen=True)
class Source:
    kind: str
    singular: str | Promise
    plural: str | Promise
    order: int
    rows: SourceRows  # rows(viewer or None) -> QuerySet annotated ev_user, ev_topic, ev_object
    items: SourceItems | None = None
    # How much one object of this kind weighs in "find an expert" (an accepted answer is
    # stronger evidence than a tip edit).
    weight: int = 1
    # The field (of rows()) naming the community an object is read in: a viewer sees it
    # when that community is among readable_places(viewer). None: the source shows the same
    # to every viewer (rows(viewer) ignores the viewer).
    place: str | None = None
    # A scalar SQL query read off an index that moves when an object of this kind is added
    # ("SELECT max(id) FROM ..."): kept evidence is then recounted at once.
    marker: str = ""


_registry: dict[str, Source] = {}


def register(
    kind: str,
    *,
    singular: str | Promise,
    plural: str | Promise,
    order: int = 50,
    weight: int = 1,
    items: SourceItems | None = None,
    place: str | None = None,
    marker: str = "",
) -> Callable[[SourceRows], SourceRows]:
    def decorator(func: SourceRows) -> SourceRows:
        _registry[kind] = Source(
            kind=kind,
            singular=singular,
            plural=plural,
            order=order,
            rows=func,
            items=items,
            weight=weight,
            place=place,
            marker=marker,
        )
        return func

    return decorator


_readable_places: list[Callable[[object], Iterable[int]]] = []


def register_readable_places(func: Callable[[object], Iterable[int]]) -> None:
    """The feature that owns communities says which ones a viewer may read (ids)."""
    _readable_places[:] = [func]


def readable_places(viewer) -> set[int]:
    """Ids of the communities this viewer may read: one query."""
    return {pk for func in _readable_places for pk in func(viewer)}


class InPlaces(Func):
    """`field = ANY(places)`: a column among readable_places(), as one array parameter.
    Pages that have read the viewer's places already filter by them instead of building and
    planning the rules' subquery again (`field__in=places` compiles one parameter a place)."""

    output_field = BooleanField()

    def __init__(self, field: str, places: Iterable[int]):
        super().__init__(F(field))
        self.places = list(places)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"{sql} = ANY(%s::bigint[])", (*params, self.places)


def sources() -> list[Source]:
    return sorted(_registry.values(), key=lambda s: (s.order, s.kind))


@dataclass
class Count_:
    kind: str
    n: int
    label: str | Promise
    url: str = ""


@dataclass
class TopicEvidence:
    topic_id: int
    topic: Any = None
    counts: list[Count_] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(c.n for c in self.counts)


def _grouped(source: Source, viewer, *, user_ids, topic_ids) -> QuerySet:
    qs = source.rows(viewer)
    if user_ids is not None:
        qs = qs.filter(ev_user__in=list(user_ids))
    if topic_ids is not None:
        qs = qs.filter(ev_topic__in=list(topic_ids))
    return (
        qs.filter(ev_user__isnull=False, ev_topic__isnull=False)
        .annotate(ev_kind=Value(source.kind))
        .values("ev_kind", "ev_user", "ev_topic")
        .annotate(n=Count("ev_object", distinct=True))
        .values_list("ev_kind", "ev_user", "ev_topic", "n")
        .order_by()
    )


def evidence_counts(
    *,
    viewer,
    user_ids: Iterable[int] | None = None,
    topic_ids: Iterable[int] | None = None,
) -> list[tuple[str, int, int, int]]:
    """(kind, user id, topic id, count) rows, one query for every source together."""
    parts = [_grouped(s, viewer, user_ids=user_ids, topic_ids=topic_ids) for s in sources()]
    if not parts:
        return []
    first, *rest = parts
    return list(first.union(*rest, all=True)) if rest else list(first)


def place_rows(
    *, topic_ids: Iterable[int] | None = None, user_ids: Iterable[int] | None = None
) -> list[tuple[str, int, int, int | None, int]]:
    """(kind, topic id, user id, community id, count) of everything on these topics (or by
    these people), whoever may see it: one query. Kept for everyone and restricted to each
    viewer (weighted_by_place(), then visible_totals()): an object is in one community, so
    counts per community add up."""
    query = _place_rows_query(topic_ids=topic_ids, user_ids=user_ids)
    return [] if query is None else list(query)


def _place_rows_query(
    *, topic_ids: Iterable[int] | None = None, user_ids: Iterable[int] | None = None
) -> QuerySet | None:
    """place_rows()'s query; None when it can have no rows."""
    wanted: dict[str, Any] = {}
    for column, ids in (("ev_topic", topic_ids), ("ev_user", user_ids)):
        if ids is None:
            wanted[f"{column}__isnull"] = False
        else:
            wanted[f"{column}__in"] = list(ids)
    if any(value == [] for value in wanted.values()):
        return None
    parts = []
    for s in sources():
        place = F(s.place) if s.place else Value(None, output_field=IntegerField())
        parts.append(
            s.rows(None)
            .filter(**wanted)
            .annotate(ev_kind=Value(s.kind), ev_place=place)
            .values("ev_kind", "ev_topic", "ev_user", "ev_place")
            .annotate(n=Count("ev_object", distinct=True))
            .values_list("ev_kind", "ev_topic", "ev_user", "ev_place", "n")
            .order_by()
        )
    if not parts:
        return None
    first, *rest = parts
    return first.union(*rest, all=True) if rest else first


def _person_sql(user_id: int) -> tuple[str, tuple]:
    query = _place_rows_query(user_ids=[user_id])
    if query is None:
        raise LookupError("no source of evidence")
    return query.query.sql_with_params()


# place_rows() for one person, compiled once per process for the sources registered then
# (each named by what its SQL comes from).
_compiled_for_person: dict[tuple, ForReader | None] = {}


def _registered() -> tuple:
    return tuple((s.kind, s.rows, s.place) for s in sources())


def person_place_rows(user_id: int) -> list[tuple[str, int, int, int | None, int]]:
    """place_rows(user_ids=[user_id]), its SQL compiled once per process and the person's id
    put in its places: every profile page asks for it, and building the union of every
    source's grouped query through the ORM cost more than running it. The sources read no
    clock and nothing but the person's id differs from one person to the next; a build that
    depends on more falls back to the ORM's (socialearn.compiled.for_reader).
    tests/people/test_evidence.py holds it equal to place_rows()."""
    registered = _registered()
    if registered not in _compiled_for_person:
        try:
            _compiled_for_person[registered] = for_reader(_person_sql)
        except LookupError:
            _compiled_for_person[registered] = None
    compiled = _compiled_for_person[registered]
    if compiled is None:
        return place_rows(user_ids=[user_id])
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params_for(user_id))
        return cursor.fetchall()


def weighted_by_place(
    rows: Iterable[tuple[str, int, int, int | None, int]],
) -> dict[int, list[tuple[int, int | None, int]]]:
    """place_rows() as {topic id: [(user id, community id, weighted count)]}, one row per
    person and community; community None for what every viewer sees. Objects of a source
    with places that are in no community are seen by nobody and left out."""
    totals: dict[tuple[int, int, int | None], int] = defaultdict(int)
    for kind, topic_id, user_id, place, n in rows:
        source = _registry.get(kind)
        if source is None or (source.place and place is None):
            continue
        totals[(topic_id, user_id, place if source.place else None)] += n * source.weight
    by_topic: dict[int, list[tuple[int, int | None, int]]] = defaultdict(list)
    for (topic_id, user_id, place), n in totals.items():
        by_topic[topic_id].append((user_id, place, n))
    return dict(by_topic)


def visible_totals(
    weighted: Iterable[tuple[int, int | None, int]], places: set[int]
) -> dict[int, int]:
    """Weighted totals per person of a topic's weighted_by_place() rows as a viewer who may
    read these communities (readable_places()) sees them."""
    totals: dict[int, int] = defaultdict(int)
    for user_id, place, n in weighted:
        if place is None or place in places:
            totals[user_id] += n
    return dict(totals)


def markers_sql() -> str:
    """One SELECT of every source's marker (index reads), for a cache key."""
    found = [f"({s.marker})" for s in sources() if s.marker]
    return "SELECT " + (", ".join(found) or "0")


GENERATION_KEY = "people:evidence-generation"


def generation() -> int:
    from django.core.cache import cache

    return cache.get(GENERATION_KEY, 0)


def changed() -> None:
    """Evidence changed in a way no marker shows (an answer accepted or no longer): kept
    counts are recounted on the next view."""
    from django.core.cache import cache

    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def evidence_user_q(field_name: str, *, topic_ids: Iterable[int]) -> Q:
    """A filter for people with any evidence on these topics, as uncorrelated subqueries
    (one per source) the planner runs once: for audiences and rankings over many people."""
    ids = list(topic_ids)
    q = Q(pk__in=[])
    for s in sources():
        q |= Q(**{f"{field_name}__in": s.rows(None).filter(ev_topic__in=ids).values("ev_user")})
    return q


def evidence_score(user_ref, *, topic_id: int, viewer=None):
    """An expression: the weighted count of a person's evidence on one topic (0 without).

    `user_ref` is an OuterRef to the user id column of the outer query."""
    from django.db.models import OuterRef, Subquery

    assert isinstance(user_ref, OuterRef)
    total: Any = Value(0, output_field=IntegerField())
    for s in sources():
        counted = (
            s.rows(viewer)
            .filter(ev_user=user_ref, ev_topic=topic_id)
            .order_by()
            .values("ev_user")
            .annotate(n=Count("ev_object", distinct=True))
            .values("n")
        )
        total = total + Coalesce(Subquery(counted, output_field=IntegerField()), 0) * s.weight
    return total


def person_evidence(*, viewer, user_id: int) -> list[TopicEvidence]:
    """A person's evidence per topic, most first, each count linking to its objects.

    Three queries: the communities the viewer may read, every source's counts per community
    together (whoever may see them), then the topics they are on. Counts per community are
    kept to those the viewer may read, as the topic hubs restrict their kept evidence:
    asking each source for what the viewer may see built and planned the visibility rules
    four times over in one query, most of a profile page's work."""
    from .models import Topic

    if viewer is None or not viewer.is_authenticated:
        rows = evidence_counts(viewer=viewer, user_ids=[user_id])
    else:
        rows = _visible_counts(person_place_rows(user_id), readable_places(viewer))
    topics = Topic.objects.only("id", "name", "slug").in_bulk({r[2] for r in rows})
    by_topic: dict[int, TopicEvidence] = {}
    links: dict[int, str] = {}  # one reverse a topic, not one a count
    for kind, _user, topic_id, n in rows:
        topic = topics.get(topic_id)
        if topic is None:
            continue
        item = by_topic.setdefault(topic_id, TopicEvidence(topic_id=topic_id, topic=topic))
        if topic_id not in links:
            links[topic_id] = reverse("people:evidence", args=[user_id, topic.slug])
        source = _registry[kind]
        item.counts.append(
            Count_(
                kind=kind,
                n=n,
                label=source.singular if n == 1 else source.plural,
                url=f"{links[topic_id]}#{kind}",
            )
        )
    order = {s.kind: s.order for s in sources()}
    for item in by_topic.values():
        item.counts.sort(key=lambda c: order.get(c.kind, 99))
    return sorted(by_topic.values(), key=lambda e: (-e.total, e.topic.name))


def _visible_counts(
    rows: Iterable[tuple[str, int, int, int | None, int]], places: set[int]
) -> list[tuple[str, int, int, int]]:
    """place_rows() as evidence_counts() rows (kind, user id, topic id, count) for a viewer
    who may read these communities: an object of a source with places counts when its
    community is among them (in none, it counts for nobody)."""
    counts: dict[tuple[str, int, int], int] = defaultdict(int)
    for kind, topic_id, user_id, place, n in rows:
        source = _registry.get(kind)
        if source is None or (source.place and (place is None or place not in places)):
            continue
        counts[(kind, user_id, topic_id)] += n
    return [(kind, user_id, topic_id, n) for (kind, user_id, topic_id), n in counts.items()]


def totals_by_user(rows: Iterable[tuple[str, int, int, int]]) -> dict[int, int]:
    """Weighted totals per person from evidence_counts rows."""
    totals: dict[int, int] = defaultdict(int)
    for kind, user_id, _topic, n in rows:
        source = _registry.get(kind)
        totals[user_id] += n * (source.weight if source else 1)
    return dict(totals)
