"""One search across every kind of thing people make.

The core cannot import features, so each feature registers a provider in its
AppConfig.ready(): a kind ("threads"), a heading, and a function that runs ONE query for the
reader and returns at most `limit` hits of things that reader may see. The core parses the
words once (prefix matching on the last word, trigram similarity for typos), calls every
provider, and renders the groups. A search therefore costs one query per kind, whatever the
number of hits.

Excerpts are made by PostgreSQL's ts_headline over plain text (tags stripped from the
sanitised HTML, never the Markdown source), then escaped here, and only our own highlight
markers become <mark>.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db.models import F, FloatField, Func, Q, TextField, Value
from django.db.models.functions import Coalesce, Concat, Greatest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from socialearn.limits import search_prefix

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
    """1 for something happening now, 1/2 a month away (before or after), 1/3 two months..."""

    template = "(1.0 / (1.0 + ABS(EXTRACT(EPOCH FROM (NOW() - %(expressions)s))) / 2592000.0))"
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


def similar(field_name: str, terms: Terms) -> Q:
    """The indexed trigram test (pg_trgm's %> with its word-similarity threshold)."""
    return Q(**{f"{field_name}__trigram_word_similar": terms.text})


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
    find: Finder  # find(user, terms, *, limit, offset) -> list[Hit]


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


def search(user, q: str | None, *, kind: str = "", limit: int = 5, offset: int = 0):
    """(terms, groups): each kind's best hits the reader may see, one query per kind.

    With `kind` only that kind is searched (one query), `offset` pages through it. Each group
    says whether there is more (the provider is asked for one hit beyond the limit)."""
    terms = parse(q)
    if terms is None:
        return None, []
    one = provider(kind)
    groups = []
    for p in [one] if one is not None else providers():
        hits = p.find(user, terms, limit=limit + 1, offset=offset)
        groups.append(Group(kind=p.kind, label=p.label, hits=hits[:limit], more=len(hits) > limit))
    return terms, groups


# --- the core's own kinds: people and topics --------------------------------------------------


MEMBER = _("Member")


@register("people", label=_("People"), order=10)
def find_people(user, terms: Terms, *, limit: int, offset: int = 0) -> list[Hit]:
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
    rows = (
        _active_profiles()
        .filter(pk__in=matching)
        .annotate(
            score=best(
                SearchRank(F("search_vector"), query),
                similarity("display_name", terms),
            )
        )
        .order_by("-score", "display_name", "id")
        .values(
            "user_id",
            "display_name",
            "user__first_name",
            "user__last_name",
            "job_title",
            "department__name",
            "location__name",
        )[offset : offset + limit]
    )
    hits = []
    for r in rows:
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


@register("topics", label=_("Topics"), order=90)
def find_topics(user, terms: Terms, *, limit: int, offset: int = 0) -> list[Hit]:
    from .models import Topic

    v = vector("name", "description")
    rows = (
        Topic.objects.annotate(v=v)
        .filter(Q(v=terms.query()) | similar("name", terms))
        .annotate(
            score=best(rank(v, terms), similarity("name", terms)),
            excerpt=headline(text_of("description"), terms, words=16),
        )
        .order_by("-score", "name")
        .values("name", "slug", "excerpt")[offset : offset + limit]
    )
    return [
        Hit(
            title=escape(r["name"]),
            url=reverse("people:topic", args=[r["slug"]]),
            excerpt=mark(r["excerpt"]),
        )
        for r in rows
    ]
