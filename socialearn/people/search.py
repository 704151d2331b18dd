"""One search across every kind of thing people make.

The core cannot import features, so each feature registers a provider in its
AppConfig.ready(): a kind ("threads"), a heading, and a function that runs ONE query for the
reader and returns at most `limit` hits of things that reader may see. The core parses the
words once (prefix matching on the last word, trigram similarity for typos), calls every
provider, and renders the groups. A search therefore costs one query per kind, whatever the
number of hits.

Excerpts are made by PostgreSQL's ts_headline over plain text (tags stripped from the
sanitised HTML, never the Markdown source), then escaped here, and only our own highlight
markers become <mark>. The header box's suggestions show no excerpt, so none is made for them.

A provider's query has the same SQL for every search but for its values (the reader's id, the
words): building and compiling it with the ORM cost more than running it, so providers hand
the core a function that builds it and the core compiles it once per process (see `rows`).
"""

import html
import re
from collections import OrderedDict
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, FloatField, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Coalesce, Concat, Greatest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from socialearn.limits import search_prefix
from socialearn.prepared import planned_each_time

from .permissions import _group_names

HL_START, HL_STOP = "\u27e6", "\u27e7"  # unlikely in text; swapped for <mark> after escaping
# A common word matches a fifth of a large organisation's people and tens of thousands of
# posts: a provider ranks at most this many candidates of a kind (ts_rank reads each one's
# whole vector, ts_headline its text), chosen by an index order, so that a search costs the
# same whatever the word.
CANDIDATES = 200
MAX_WORDS = 8
MAX_LENGTH = 200
WORD_RE = re.compile(r"\w+")


# --- the words -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What the reader typed, reduced to words: safe to hand to to_tsquery and pg_trgm."""

    text: str
    words: tuple[str, ...]

    @property
    def tsquery(self) -> str:
        """Every word must match; the last one may be a prefix ("kube" finds Kubernetes).

        Each word is quoted as a lexeme; `\\w+` never holds a quote, a backslash or an operator,
        so nothing the reader types can change the shape of the query."""
        quoted = [f"'{w}'" for w in self.words]
        quoted[-1] += ":*"
        return " & ".join(quoted)

    def query(self, config: str = "english") -> SearchQuery:
        return SearchQuery(self.tsquery, search_type="raw", config=config)


def parse(q: str | None) -> Terms | None:
    text = (q or "").replace("\x00", "").strip()[:MAX_LENGTH]
    words = tuple(w.lower() for w in WORD_RE.findall(text))[:MAX_WORDS]
    if not words:
        return None
    return Terms(text=" ".join(words), words=words)


# --- helpers for providers ------------------------------------------------------------------


class StripTags(Func):
    """Plain text of sanitised HTML, for ts_headline (entities are decoded after escaping)."""

    template = "regexp_replace(%(expressions)s, '<[^>]*>', ' ', 'g')"
    output_field = TextField()


class Freshness(Func):
    """1 for something happening now, 1/2 a month away (before or after), 1/3 two months...

    In floating point: EXTRACT returns numeric, whose arithmetic cost a common word's search
    about a microsecond for each of its candidates; date_part gives the same seconds as a
    double."""

    template = "(1.0 / (1.0 + ABS(date_part('epoch', NOW() - %(expressions)s)) / 2592000.0))"
    output_field = FloatField()


def text_of(*fields: str):
    """The fields as one text, NULLs as empty (for on-the-fly vectors and headlines)."""
    parts: list = []
    for name in fields:
        if parts:
            parts.append(Value(" "))
        parts.append(Coalesce(F(name), Value(""), output_field=TextField()))
    if len(parts) == 1:
        return parts[0]
    return Concat(*parts, output_field=TextField())


def vector(*fields: str, config: str = "english") -> SearchVector:
    return SearchVector(*(search_prefix(name) for name in fields), config=config)


def rank(vector_expr, terms: Terms):
    return SearchRank(vector_expr, terms.query())


def similarity(field_name: str, terms: Terms):
    return TrigramWordSimilarity(terms.text, field_name)


class Unestimated(Func):
    """A text the planner sees only once the query runs (an InitPlan's value)."""

    template = "(SELECT %(expressions)s::text)"
    output_field = TextField()


def similar(field_name: str, terms: Terms, *, estimated: bool = True) -> Q:
    """The indexed trigram test (pg_trgm's %> with its word-similarity threshold).

    To estimate the test the planner works out the words' similarity to every value in the
    column's statistics: 200 titles of a large organisation's threads, 1.5 ms of a search's
    planning. Not `estimated`, it takes its default guess instead and still uses the trigram
    index (the value is known before the scan starts); for a test whose plan that guess
    does not change."""
    text = terms.text if estimated else Unestimated(Value(terms.text))
    return Q(**{f"{field_name}__trigram_word_similar": text})


def headline(expr, terms: Terms, *, words: int = 24):
    """A highlighted excerpt, read from the text's bounded prefix as search vectors are."""
    return SearchHeadline(
        search_prefix(expr),
        terms.query(),
        config="english",
        start_sel=HL_START,
        stop_sel=HL_STOP,
        max_words=words,
        min_words=max(6, words // 2),
    )


def headline_or_blank(expr, terms: Terms, *, excerpts: bool, words: int = 24):
    """`headline`, or nothing where no excerpt is shown (the suggestions)."""
    if not excerpts:
        return Value("", output_field=TextField())
    return headline(expr, terms, words=words)


def best(*scores):
    return Greatest(*scores, output_field=FloatField())


def mark(text: str | None, *, from_html: bool = False) -> SafeString:
    """Escape a headline and turn our highlight markers, and nothing else, into <mark>."""
    text = text or ""
    if from_html:
        text = html.unescape(text)
    text = " ".join(text.split())
    return mark_safe(  # noqa: S308 - everything but our markers is escaped first
        escape(text).replace(HL_START, "<mark>").replace(HL_STOP, "</mark>")
    )


# --- queries compiled once per process --------------------------------------------------------
#
# A provider's query is built by a function of the reader, the words and a few shape arguments
# (limit, offset, excerpts). Its SQL is compiled once, from a stand-in reader (the reader's
# rights under another id) and stand-in words, then run with each search's own values in the
# stand-ins' places. Whatever else the SQL depends on is part of the key: the shape arguments,
# the language (labels such as "Anonymous" are written into the SQL), the reader's flags
# (signed in, superuser, active; staff status grants nothing outside the admin) and, only for
# a query whose building asks for them, the reader's groups (read once per request, so a kind
# that never asks costs no query for them).
# Two checks make sure nothing else is: no query may touch the database while it is built (a
# list read for the stand-in would be the wrong reader's), and it is compiled twice, with two
# sets of stand-ins, where only the stand-ins' places may differ. A builder must not read the
# clock either (today's date would be kept): time goes into the SQL as NOW(), as Freshness does.

Builder = Callable[..., QuerySet]  # build(user, terms, **shape) -> a values() queryset
COMPILED_MAX = 256  # shapes kept (kinds x pages x rights x languages seen); the oldest go

# User ids no row has, and words `parse` never makes (U+FDD0 is not a word character).
_STAND_INS = ((-7_000_000_001, ("\ufdd0a",)), (-7_000_000_002, ("\ufdd0b",)))


class ShapeError(RuntimeError):
    """A builder whose SQL depends on more than its key: it cannot be compiled once."""


class _GroupsAsked(Exception):
    pass


class _UnknownGroups:
    """The stand-in's groups before the reader's are read: asking for them says so."""

    def _asked(self, *args):
        raise _GroupsAsked

    __contains__ = __iter__ = __len__ = __bool__ = __eq__ = __hash__ = _asked
    __and__ = __rand__ = __or__ = __ror__ = __sub__ = __rsub__ = _asked

    def __getattr__(self, name):
        raise _GroupsAsked


@dataclass(frozen=True)
class _Compiled:
    alias: str
    sql: str
    params: tuple
    slots: dict  # param position -> "user", "tsquery" or "text"
    names: tuple
    converters: dict
    empty: bool = False  # the ORM found the query can match nothing (EmptyResultSet)


_ASKS_GROUPS = object()  # cached for a key whose query depends on the reader's groups
_compiled: "OrderedDict[tuple, object]" = OrderedDict()


def forget_compiled() -> None:
    """Drop every compiled query (for tests that change a module's constants)."""
    _compiled.clear()


def _flags(user) -> tuple:
    if user is None or not user.is_authenticated:
        return ("anonymous",)
    return (user.is_superuser, user.is_active)


def _stand_in(user, pk: int, groups):
    """The reader as far as a permission check can tell, under an id no one has."""
    if user is None or not user.is_authenticated:
        return user
    twin = get_user_model()(pk=pk, is_superuser=user.is_superuser, is_active=user.is_active)
    twin._socialearn_group_names = groups  # type: ignore[attr-defined]
    return twin


def _refuse(*args, **kwargs):
    raise ShapeError("a search query read the database while it was built")


def _compile_with(build: Builder, user, shape: dict, groups, pk: int, words: tuple):
    twin = _stand_in(user, pk, groups)
    terms = Terms(text=" ".join(words), words=words)
    qs = build(twin, terms, **shape)
    compiler = qs.query.get_compiler(qs.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return qs.db, None, (), {}, (), {}
    places = {terms.tsquery: "tsquery", terms.text: "text"}
    if twin is not None and twin.is_authenticated:
        places[twin.pk] = "user"
    query = qs.query
    names = tuple(
        query.selected or (*query.extra_select, *query.values_select, *query.annotation_select)
    )
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    return qs.db, sql, tuple(params), places, names, converters


def _place(places: dict, value) -> str | None:
    try:
        return places.get(value)
    except TypeError:  # a list or another unhashable value is no stand-in's
        return None


def _compile(build: Builder, user, shape: dict, groups) -> object:
    try:
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(_refuse))
            a, b = (_compile_with(build, user, shape, groups, *s) for s in _STAND_INS)
    except _GroupsAsked:
        return _ASKS_GROUPS
    alias, sql, params, places, names, converters = a
    if sql != b[1] or len(params) != len(b[2]):
        raise ShapeError(f"{build.__qualname__}: the SQL depends on the reader or the words")
    if sql is None:
        return _Compiled(alias, "", (), {}, (), {}, empty=True)
    slots = {}
    for i, (pa, pb) in enumerate(zip(params, b[2], strict=True)):
        if pa != pb:
            place = _place(places, pa)
            if place is None or place != _place(b[3], pb):
                raise ShapeError(f"{build.__qualname__}: a value is neither constant nor ours")
            slots[i] = place
    return _Compiled(alias, sql, params, slots, names, converters)


def _cached(key: tuple, make: Callable[[], object]) -> object:
    found = _compiled.get(key)
    if found is None:
        found = _compiled[key] = make()
        while len(_compiled) > COMPILED_MAX:
            _compiled.popitem(last=False)
    return found


def rows(user, terms: Terms, build: Builder, **shape) -> list[dict]:
    """The rows of `build(user, terms, **shape)`, a values() queryset, compiled once per
    process for its key and run with this reader's id and these words."""
    key = (build, tuple(sorted(shape.items())), get_language(), _flags(user))
    compiled = _cached(key, lambda: _compile(build, user, shape, _UnknownGroups()))
    if compiled is _ASKS_GROUPS:
        groups = _group_names(user)
        compiled = _cached((*key, groups), lambda: _compile(build, user, shape, groups))
    assert isinstance(compiled, _Compiled)  # noqa: S101 - a second _ASKS_GROUPS cannot happen
    if compiled.empty:
        return []
    values = {"user": getattr(user, "pk", None), "tsquery": terms.tsquery, "text": terms.text}
    params = list(compiled.params)
    for i, name in compiled.slots.items():
        params[i] = values[name]
    connection = connections[compiled.alias]
    with connection.cursor() as cursor, planned_each_time():
        cursor.execute(compiled.sql, params)
        found = cursor.fetchall()
    if compiled.converters:
        found = [list(r) for r in found]
        for r in found:
            for pos, (convs, expr) in compiled.converters.items():
                for conv in convs:
                    r[pos] = conv(r[pos], expr, connection)
    return [dict(zip(compiled.names, r, strict=True)) for r in found]


# --- the registry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    title: SafeString | str
    url: str
    excerpt: SafeString | str = ""
    meta: str = ""
    label: str = ""  # a short tag before the title ("Reply", "Answer")


Finder = Callable[..., list[Hit]]


@dataclass(frozen=True)
class Provider:
    kind: str
    label: str | Promise  # lazy: each reader sees it in their language
    order: int
    find: Finder  # find(user, terms, *, limit, offset, excerpts) -> list[Hit]


_registry: dict[str, Provider] = {}


def register(kind: str, *, label: str | Promise, order: int = 50) -> Callable[[Finder], Finder]:
    def decorator(func: Finder) -> Finder:
        _registry[kind] = Provider(kind=kind, label=label, order=order, find=func)
        return func

    return decorator


def providers() -> list[Provider]:
    return sorted(_registry.values(), key=lambda p: (p.order, p.kind))


def provider(kind: str) -> Provider | None:
    return _registry.get(kind)


@dataclass
class Group:
    kind: str
    label: str | Promise
    hits: list[Hit] = field(default_factory=list)
    more: bool = False


def search(
    user, q: str | None, *, kind: str = "", limit: int = 5, offset: int = 0, excerpts: bool = True
):
    """(terms, groups): each kind's best hits the reader may see, one query per kind.

    With `kind` only that kind is searched (one query), `offset` pages through it. Each group
    says whether there is more (the provider is asked for one hit beyond the limit). Without
    `excerpts` the hits carry none (the suggestions show titles only)."""
    terms = parse(q)
    if terms is None:
        return None, []
    one = provider(kind)
    groups = []
    for p in [one] if one is not None else providers():
        hits = p.find(user, terms, limit=limit + 1, offset=offset, excerpts=excerpts)
        groups.append(Group(kind=p.kind, label=p.label, hits=hits[:limit], more=len(hits) > limit))
    return terms, groups


# --- the core's own kinds: people and topics --------------------------------------------------


MEMBER = _("Member")


def _people_rows(user, terms: Terms, *, limit: int, offset: int) -> QuerySet:
    from .models import Profile
    from .selectors import _active_profiles

    # Names are in the vector unstemmed; the stemmed prefix ("jone":*) still matches them, and
    # the trigram test catches the rest. Matching ids come from a UNION of the two index
    # scans: with an OR the planner reads every profile and computes trigrams for each.
    # Words (in job titles, bios, topics) match many: the first candidates in directory order.
    query = terms.query()
    by_words = Profile.objects.filter(search_vector=query).order_by("display_name", "id")
    matching = by_words.values("pk")[:CANDIDATES].union(
        Profile.objects.filter(similar("display_name", terms)).values("pk")
    )
    score = best(SearchRank(F("search_vector"), query), similarity("display_name", terms))
    order = ("-score", "display_name", "id")
    # The page's rows are chosen among the profiles alone; their person, department and place
    # are joined for those rows only, not for every candidate ranked.
    page = (
        _active_profiles()
        .filter(pk__in=matching)
        .annotate(score=score)
        .order_by(*order)
        .values("pk")[offset : offset + limit]
    )
    return (
        Profile.objects.filter(pk__in=page)
        .annotate(score=score)
        .order_by(*order)
        .values(
            "user_id",
            "display_name",
            "user__first_name",
            "user__last_name",
            "job_title",
            "department__name",
            "location__name",
        )
    )


@register("people", label=_("People"), order=10)
def find_people(user, terms: Terms, *, limit: int, offset: int = 0, excerpts: bool = True):
    hits = []
    for r in rows(user, terms, _people_rows, limit=limit, offset=offset):
        name = (
            r["display_name"] or f"{r['user__first_name']} {r['user__last_name']}".strip()
        ) or str(MEMBER)
        meta = " · ".join(
            x for x in (r["job_title"], r["department__name"], r["location__name"]) if x
        )
        hits.append(
            Hit(
                title=escape(name),
                url=reverse("people:profile", args=[r["user_id"]]),
                meta=meta,
            )
        )
    return hits


def _topic_rows(user, terms: Terms, *, limit: int, offset: int, excerpts: bool) -> QuerySet:
    from .models import Topic

    v = vector("name", "description")
    return (
        Topic.objects.annotate(v=v)
        .filter(Q(v=terms.query()) | similar("name", terms))
        .annotate(
            score=best(rank(v, terms), similarity("name", terms)),
            excerpt=headline_or_blank(text_of("description"), terms, excerpts=excerpts, words=16),
        )
        .order_by("-score", "name")
        .values("name", "slug", "excerpt")[offset : offset + limit]
    )


@register("topics", label=_("Topics"), order=90)
def find_topics(user, terms: Terms, *, limit: int, offset: int = 0, excerpts: bool = True):
    found = rows(user, terms, _topic_rows, limit=limit, offset=offset, excerpts=excerpts)
    return [
        Hit(
            title=escape(r["name"]),
            url=reverse("people:topic", args=[r["slug"]]),
            excerpt=mark(r["excerpt"]),
        )
        for r in found
    ]
