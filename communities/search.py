"""What communities make searchable, each only where the reader may see it.

Registered with the core's one search (socialearn.people.search) in CommunitiesConfig.ready().
Visibility comes from the selectors every page uses (communities_visible_to,
threads_visible_to, replies_visible_to): private communities and their posts only for their
members, published posts only. Anonymous posts are found by their words, never by their
author's name (no name is indexed), and say "Anonymous". One query per kind.
"""

from datetime import timedelta
from typing import cast

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import ExpressionWrapper, RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.db.models.sql.datastructures import BaseTable
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialearn.people import search
from socialearn.people.models import Profile
from socialearn.people.search import Hit, Terms

from .models import Community, Membership, Reply, Thread
from .selectors import ANONYMOUS, communities_visible_to, replies_visible_to, threads_visible_to

# Bonuses added to a hit's relevance (0..1): what the reader is most likely after.
ACCEPTED = 0.3
FRESH = 0.2
MINE = 0.2
# Of the posts a common word matches, the most recently active are ranked.
CANDIDATES = search.CANDIDATES
# ...looked for among this many of the most recent posts before the full-text index is asked.
RECENT_WALK = 20_000

POST_COLUMNS = (
    "what",
    "thread_pk",
    "reply_pk",
    "title",
    "title_hl",
    "community_name",
    "community_slug",
    "author_name",
    "excerpt",
    "when",
    "score",
)


# What a hit shows besides its score (its community, its author's name) is read by a
# subquery rather than a join: PostgreSQL then reads it for the rows kept after sorting only,
# not for every candidate ranked (joining them for 200 threads and 200 replies was most of a
# common word's search at a large organisation, and the joins most of its planning).


def _author_name():
    """Anonymous stays anonymous; a name is never an email address."""
    name = Profile.objects.filter(user_id=OuterRef("author_id")).values("display_name")[:1]
    return Case(
        When(is_anonymous=True, then=Value(str(ANONYMOUS))),
        When(author__isnull=True, then=Value(gettext("Former member"))),
        default=Coalesce(
            NullIf(Subquery(name, output_field=CharField()), Value("")),
            Value(gettext("Member")),
            output_field=CharField(),
        ),
        output_field=CharField(),
    )


def _community(field: str, community_ref: str):
    return Subquery(
        Community.objects.filter(pk=OuterRef(community_ref)).order_by().values(field)[:1],
        output_field=CharField(),
    )


def _mine(user, community_ref: str):
    if not user.is_authenticated:
        return Value(0.0, output_field=FloatField())
    member = Membership.objects.filter(
        community=OuterRef(community_ref), user=user, status=Membership.Status.ACTIVE
    )
    return Case(
        When(Exists(member), then=Value(MINE)), default=Value(0.0), output_field=FloatField()
    )


def _bonus(condition: Q, amount: float):
    return Case(When(condition, then=Value(amount)), default=Value(0.0), output_field=FloatField())


class _MostRecentRows(BaseTable):
    """A query's table cut to its `walk` most recent rows by `column` (a subquery in FROM
    under the table's own name or alias, so every column the query names is still there)."""

    def __init__(self, table: BaseTable, column: str, walk: int):
        super().__init__(table.table_name, table.table_alias)
        self.column, self.walk = column, walk

    def as_sql(self, compiler, connection):
        name = connection.ops.quote_name
        # Names of a table and a column and a number: nothing typed is in the SQL.
        rows = (
            f"SELECT * FROM {name(self.table_name)}"  # noqa: S608
            f" ORDER BY {name(self.column)} DESC LIMIT {self.walk:d}"
        )
        return f"({rows}) {name(self.table_alias)}", []


def _most_recent(matching: QuerySet, column: str) -> RawSQL:
    """The ids of the CANDIDATES most recent rows of `matching` (a values("pk") queryset
    with its words test), newest `column` first, as one subquery whose cost does not hang
    on the planner's guess of how common the words are.

    A common word's candidates come from walking the newest rows until CANDIDATES match
    ("data": 2,700 replies of 500,000), a rare word's off the full-text index. The planner
    chooses by its guess of how many rows match, and for a word it has no statistics on
    it guesses a third of a percent: "kube", in one reply of 500,000, walked them all
    (250 ms). Here the walk stops after RECENT_WALK rows; only when it found fewer than
    CANDIDATES are the matches read off the index and sorted (by an expression, so that no
    index walk can stand in). The same rows come back either way."""
    model = matching.model
    recent = (f"-{column}", "-pk")
    walk = matching.order_by(*recent)[:CANDIDATES].query.clone()
    base = walk.get_initial_alias()
    db_column = model._meta.get_field(column).column
    table = walk.alias_map[base]
    assert isinstance(table, BaseTable)  # noqa: S101 - a query's first alias is its table
    walk.alias_map[base] = _MostRecentRows(table, db_column, RECENT_WALK)
    walk_sql, walk_params = walk.sql_with_params()
    unwalked = ExpressionWrapper(F(column) + Value(timedelta(0)), output_field=DateTimeField())
    indexed = matching.order_by(unwalked.desc(), "-pk")[:CANDIDATES]
    index_sql, index_params = indexed.query.sql_with_params()
    # Both parts are querysets compiled with their parameters apart: nothing typed is in the SQL.
    return RawSQL(  # noqa: S611
        f"WITH walked AS MATERIALIZED ({walk_sql}) SELECT pk FROM walked"  # noqa: S608
        f" WHERE (SELECT count(*) FROM walked) >= %s UNION ALL SELECT pk FROM ({index_sql})"
        " indexed WHERE (SELECT count(*) FROM walked) < %s",
        (*walk_params, CANDIDATES, *index_params, CANDIDATES),
    )


def _words_then_alike(by_words: QuerySet, alike: QuerySet) -> RawSQL:
    """The ids `by_words` finds, and those `alike` finds when they are fewer than CANDIDATES,
    as one subquery: the words' candidates are read once (a CTE) and counted, and the titles
    alike walked only when that count falls short (asking SQL for "the 200th by words" in
    the alike branch walked the words' candidates a second time)."""
    words_sql, words_params = by_words.query.sql_with_params()
    alike_sql, alike_params = alike.query.sql_with_params()
    # Both parts are querysets compiled with their parameters apart: nothing typed is in the SQL.
    return RawSQL(  # noqa: S611
        f"WITH by_words AS MATERIALIZED ({words_sql}) SELECT pk FROM by_words"  # noqa: S608
        f" UNION SELECT pk FROM ({alike_sql}) alike WHERE (SELECT count(*) FROM by_words) < %s",
        (*words_params, *alike_params, CANDIDATES),
    )


def _thread_rows(user, terms: Terms, threads: QuerySet, *, excerpts: bool) -> QuerySet:
    query = terms.query()
    relevance = search.best(
        search.rank(F("search_vector"), terms), search.similarity("title", terms)
    )
    # Words first, off the full-text index: the most recently active threads whose words
    # match. Titles only alike (a typo, a word cut short) are looked for only when the words
    # found fewer than CANDIDATES: the trigram test, made on every title walked, cost a common
    # word 30 ms for candidates its words had already found. Their test goes unestimated:
    # whatever the guess, the planner reads the titles alike off their trigram index.
    recent = ("-last_activity_at", "-pk")
    by_words = threads.filter(search_vector=query).order_by(*recent).values("pk")
    alike = threads.filter(search.similar("title", terms, estimated=False))
    alike = alike.order_by(*recent).values("pk")
    candidates = _words_then_alike(by_words[:CANDIDATES], alike[:CANDIDATES])
    return (
        Thread.objects.filter(pk__in=candidates)
        .annotate(
            what=Value("thread", output_field=CharField()),
            thread_pk=F("pk"),
            reply_pk=Value(None, output_field=IntegerField()),
            title_hl=search.headline(F("title"), terms, words=40),
            community_name=_community("name", "community_id"),
            community_slug=_community("slug", "community_id"),
            author_name=_author_name(),
            excerpt=search.headline_or_blank(
                search.StripTags(F("body_html")), terms, excerpts=excerpts
            ),
            when=F("last_activity_at"),
            score=relevance
            + _bonus(Q(accepted_reply__isnull=False), ACCEPTED)
            + FRESH * search.Freshness(F("last_activity_at"))
            + _mine(user, "community_id"),
        )
        .values(*POST_COLUMNS)
    )


def _reply_rows(user, terms: Terms, *, excerpts: bool) -> QuerySet:
    query = terms.query()
    matching = replies_visible_to(user).filter(search_vector=query).values("pk")
    candidates = _most_recent(matching, "created_at")
    return (
        Reply.objects.filter(pk__in=candidates)
        .annotate(
            what=Value("reply", output_field=CharField()),
            thread_pk=F("thread_id"),
            reply_pk=F("pk"),
            title=F("thread__title"),
            title_hl=F("thread__title"),
            community_name=_community("name", "thread__community_id"),
            community_slug=_community("slug", "thread__community_id"),
            author_name=_author_name(),
            excerpt=search.headline_or_blank(
                search.StripTags(F("body_html")), terms, excerpts=excerpts
            ),
            when=F("created_at"),
            # The accepted answer is read off the reply's thread, joined for its title already
            # (a reply is accepted in its own thread only: services.answers), rather than by
            # looking each candidate up among every thread's accepted reply.
            score=search.rank(F("search_vector"), terms)
            + _bonus(Q(thread__accepted_reply=F("pk")), ACCEPTED)
            + FRESH * search.Freshness(F("created_at"))
            + _mine(user, "thread__community_id"),
        )
        .values(*POST_COLUMNS)
    )


def _post_hits(rows) -> list[Hit]:
    hits = []
    for r in rows:
        url = reverse("communities:thread", args=[r["community_slug"], r["thread_pk"]])
        if r["reply_pk"]:
            url += f"#reply-{r['reply_pk']}"
        when = date_format(timezone.localtime(r["when"]), "DATE_FORMAT")
        hits.append(
            Hit(
                title=search.mark(r["title_hl"]) if r["what"] == "thread" else escape(r["title"]),
                url=url,
                excerpt=search.mark(r["excerpt"], from_html=True),
                meta=" · ".join((r["community_name"], r["author_name"], when)),
                label=gettext("Reply") if r["what"] == "reply" else "",
            )
        )
    return hits


def _threads_and_replies(
    user, terms: Terms, *, limit: int, offset: int, excerpts: bool
) -> QuerySet:
    threads = _thread_rows(
        user,
        terms,
        threads_visible_to(user).exclude(kind=Thread.Kind.TIP),
        excerpts=excerpts,
    )
    # Each kind's best first, cut to the page, so that excerpts are made for those rows only.
    best = ("-score", "-when")
    replies = _reply_rows(user, terms, excerpts=excerpts)
    return (
        threads.order_by(*best)[: offset + limit]
        .union(replies.order_by(*best)[: offset + limit], all=True)
        .order_by(*best)
    )[offset : offset + limit]


@search.register("threads", label=cast(str, _("Threads and replies")), order=30)
def find_threads(
    user, terms: Terms, *, limit: int, offset: int = 0, excerpts: bool = True
) -> list[Hit]:
    return _post_hits(
        search.rows(
            user, terms, _threads_and_replies, limit=limit, offset=offset, excerpts=excerpts
        )
    )


def _tips(user, terms: Terms, *, limit: int, offset: int, excerpts: bool) -> QuerySet:
    tips = threads_visible_to(user).filter(kind=Thread.Kind.TIP)
    rows = _thread_rows(user, terms, tips, excerpts=excerpts)
    return rows.order_by("-score", "-when")[offset : offset + limit]


@search.register("tips", label=cast(str, _("Tips")), order=40)
def find_tips(
    user, terms: Terms, *, limit: int, offset: int = 0, excerpts: bool = True
) -> list[Hit]:
    return _post_hits(
        search.rows(user, terms, _tips, limit=limit, offset=offset, excerpts=excerpts)
    )


def _communities(user, terms: Terms, *, limit: int, offset: int, excerpts: bool) -> QuerySet:
    v = F("search_vector")  # search.vector("name", "purpose"), kept by the database
    return (
        communities_visible_to(user)
        .exclude(status=Community.Status.PROPOSED)
        .filter(Q(search_vector=terms.query()) | search.similar("name", terms))
        .annotate(
            score=search.best(search.rank(v, terms), search.similarity("name", terms))
            + _mine(user, "pk"),
            excerpt=search.headline_or_blank(F("purpose"), terms, excerpts=excerpts, words=20),
        )
        .order_by("-score", "name")
        .values("name", "slug", "kind", "status", "excerpt", "score")[offset : offset + limit]
    )


@search.register("communities", label=cast(str, _("Communities")), order=20)
def find_communities(
    user, terms: Terms, *, limit: int, offset: int = 0, excerpts: bool = True
) -> list[Hit]:
    kinds = dict(Community.Kind.choices)
    rows = search.rows(user, terms, _communities, limit=limit, offset=offset, excerpts=excerpts)
    hits = []
    for r in rows:
        meta = str(kinds.get(r["kind"], ""))
        if r["status"] == Community.Status.ARCHIVED:
            meta += " · " + gettext("archived")
        hits.append(
            Hit(
                title=escape(r["name"]),
                url=reverse("communities:detail", args=[r["slug"]]),
                excerpt=search.mark(r["excerpt"]),
                meta=meta,
            )
        )
    return hits


def similar_questions(user, title: str, *, limit: int = 5) -> list[dict]:
    """Questions the asker may read whose title is like the one being typed, answered first
    among the closest.

    One query. Matches any of the title's words (a question is rarely asked twice in the same
    words), or the whole title with a typo."""
    terms = search.parse(title)
    if terms is None or len(terms.text) < 4:
        return []
    any_word = search.SearchQuery(
        " | ".join(f"'{w}'" for w in terms.words), search_type="raw", config="english"
    )
    rows = (
        threads_visible_to(user)
        .filter(kind__in=[Thread.Kind.QUESTION, Thread.Kind.HELP])
        .filter(Q(search_vector=any_word) | search.similar("title", terms))
        .annotate(
            answered=Case(
                When(accepted_reply__isnull=False, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            score=search.best(
                search.SearchRank(F("search_vector"), any_word),
                search.similarity("title", terms),
            ),
        )
        .order_by("-score", "-last_activity_at")
        .values("pk", "title", "answered", "reply_count", "community__slug", "community__name")[
            : 2 * limit
        ]
    )
    # The closest matches, the answered ones of them first (sorted() keeps the score order).
    closest = sorted(rows, key=lambda r: -r["answered"])[:limit]
    return [
        {
            "title": r["title"],
            "url": reverse("communities:thread", args=[r["community__slug"], r["pk"]]),
            "answered": bool(r["answered"]),
            "replies": r["reply_count"],
            "community": r["community__name"],
        }
        for r in closest
    ]
