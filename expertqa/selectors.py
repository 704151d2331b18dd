"""Reads the session pages share. Who may see and do what is written in
expertqa.permissions; the names below keep older callers working."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import cast

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from communities.selectors import communities_visible_to, compiled_readable
from socialearn.people.models import Profile, Topic
from socialearn.people.models import person_name as people_person_name
from socialearn.subqueries import count_per_row

from . import permissions
from .models import Answer, Question, Series, Session, Vote, org_today

# --- who may see and moderate: expertqa.permissions -----------------------------------------

can_view_community = permissions.can_view_community
can_view_session = permissions.can_view_session
is_community_manager = permissions.is_community_manager


def visible_communities(user) -> QuerySet:
    if not user.is_authenticated:
        return Community.objects.none()
    return communities_visible_to(user)


def visible_sessions(user, *, readable=None) -> QuerySet:
    """`readable`: communities_visible_to(user) as ids when the page built it already."""
    if readable is not None and user.is_authenticated:
        return Session.objects.filter(community__in=readable)
    if not user.is_authenticated:
        return Session.objects.none()
    return Session.objects.filter(community__in=compiled_readable(user))


@dataclass
class Viewer:
    """What one person may do on one session's board, worked out once per request."""

    user: object
    is_expert: bool = False
    is_moderator: bool = False
    expert_ids: set = field(default_factory=set)

    @property
    def sees_anonymous_askers(self) -> bool:
        return self.is_moderator


def viewer_for(user, session: Session, expert_ids: set[int] | None = None) -> Viewer:
    if expert_ids is None:
        expert_ids = set(session.experts.values_list("id", flat=True))
    is_moderator = permissions.is_moderator(user, session)
    return Viewer(
        user=user,
        is_expert=user.pk in expert_ids,
        is_moderator=is_moderator,
        expert_ids=expert_ids,
    )


def can_moderate(user, session: Session) -> bool:
    return permissions.is_moderator(user, session)


# --- names ------------------------------------------------------------------------------------


def person_name(user) -> str:
    """Never the email: see people.models.person_name."""
    if user is None:
        return _("Someone who left")
    return people_person_name(user)


def asker_label(question: Question, viewer: Viewer | None) -> str:
    """The asker's name as this viewer may see it: anonymous askers stay anonymous."""
    if not question.is_anonymous:
        return person_name(question.author)
    if viewer is not None and viewer.sees_anonymous_askers:
        return _("Anonymous (to others; %(name)s)") % {"name": person_name(question.author)}
    return _("Anonymous")


# --- state and records ------------------------------------------------------------------------


@dataclass
class Record:
    """The commitment record of one session (or of one expert across sessions)."""

    answered: int = 0
    answered_late: int = 0
    deferred: int = 0
    delivered: int = 0
    delivered_late: int = 0
    overdue: int = 0
    owed: int = 0
    waiting: int = 0

    @property
    def total(self) -> int:
        return (
            self.answered
            + self.answered_late
            + self.deferred
            + self.delivered
            + self.delivered_late
            + self.overdue
            + self.owed
            + self.waiting
        )

    @property
    def due(self) -> int:
        """Questions whose session has closed: the ones a promise can be kept on."""
        return self.total - self.waiting

    @property
    def kept(self) -> int:
        return self.answered + self.deferred + self.delivered

    @property
    def kept_percent(self) -> int:
        return round(100 * self.kept / self.due) if self.due else 100

    def add(self, other: "Record") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


_RECORD_FIELDS = {
    Question.Commitment.ANSWERED: "answered",
    Question.Commitment.ANSWERED_LATE: "answered_late",
    Question.Commitment.DEFERRED: "deferred",
    Question.Commitment.DELIVERED: "delivered",
    Question.Commitment.DELIVERED_LATE: "delivered_late",
    Question.Commitment.OVERDUE: "overdue",
    Question.Commitment.OWED: "owed",
    Question.Commitment.WAITING: "waiting",
}


def record_of(questions, now: datetime | None = None) -> Record:
    record = Record()
    now = now or timezone.now()
    for q in questions:
        name = _RECORD_FIELDS[q.commitment(now)]
        setattr(record, name, getattr(record, name) + 1)
    return record


RECORD_COUNTS = ("n_questions", "n_answered", "n_deferred", "n_delivered", "n_overdue", "n_open")


def with_record_counts(sessions: QuerySet, now: datetime) -> QuerySet:
    """The sessions with their board's counts (see add_record_counts), read by one subquery
    per session over its questions' index: joining every question to group the sessions by
    all their columns cost most of the listing's database time."""
    today = org_today(now)
    answered = Q(answered_at__isnull=False)
    deferred = Q(deferred_to__isnull=False)
    counts = (
        Question.objects.filter(session=OuterRef("pk"), status=Question.Status.VISIBLE)
        .order_by()
        .values("session")
        .annotate(
            counts=JSONObject(
                n_questions=Count("id"),
                n_answered=Count("id", filter=answered & ~deferred),
                n_deferred=Count("id", filter=deferred & ~answered & Q(deferred_to__gte=today)),
                n_delivered=Count("id", filter=deferred & answered),
                n_overdue=Count("id", filter=deferred & ~answered & Q(deferred_to__lt=today)),
                n_open=Count("id", filter=~answered & ~deferred),
            )
        )
        .values("counts")
    )
    return sessions.annotate(record_counts=Subquery(counts, output_field=JSONField()))


def add_record_counts(sessions) -> None:
    """Each session's n_questions, n_answered, n_deferred, n_delivered, n_overdue and n_open
    (the questions on its board) from with_record_counts; 0 for a session without any."""
    for s in sessions:
        counts = s.record_counts or {}
        for name in RECORD_COUNTS:
            setattr(s, name, counts.get(name, 0))


def session_state(session: Session, now: datetime | None = None) -> str:
    """Scheduled / open / closed, or "commitment kept" once nothing is owed after close.

    Uses the n_open annotation when the session carries it, else one COUNT.
    """
    now = now or timezone.now()
    state = session.clock_state(now)
    if state != Session.State.CLOSED:
        return state
    owed = getattr(session, "n_open", None)
    if owed is None:
        owed = session.questions.owed().count()
    return Session.State.KEPT if owed == 0 else Session.State.CLOSED


# --- listings ---------------------------------------------------------------------------------


def _listing_base(user, query: str = "") -> QuerySet:
    qs = visible_sessions(user).select_related("topic", "community", "series")
    if query:
        matching_questions = Question.objects.filter(
            session=OuterRef("pk"), status=Question.Status.VISIBLE, body__icontains=query
        )
        # Past sessions are their record: answers are found as well as questions.
        matching_answers = Answer.objects.filter(
            question__session=OuterRef("pk"),
            question__status=Question.Status.VISIBLE,
            body__icontains=query,
        )
        qs = qs.filter(
            Q(title__icontains=query)
            | Q(description__icontains=query)
            | Q(topic__name__icontains=query)
            | Q(series__title__icontains=query)
            | Exists(matching_questions)
            | Exists(matching_answers)
        )
    return qs


# The columns of a session card: its clock, its names and links.
LISTING_FIELDS = (
    "title",
    "kind",
    "starts_at",
    "ends_at",
    "cancelled_at",
    "recording_url",
    "topic__name",
    "community__name",
    "series__title",
    "series__slug",
)


@dataclass
class Listing:
    live: list
    upcoming: list
    past: Page


# The live and the upcoming sessions the list shows at most.
LISTED = 20


def session_listing(user, *, query: str = "", page: int | str = 1, per_page: int = 20):
    """The live sessions, the upcoming ones and one page of the past ones with their records,
    read as one UNION of the three (besides the past ones' count for the pages). Without a
    search, in SQL written once (_listing_rows)."""
    now = timezone.now()
    if query:
        past, sessions = _searched_listing_rows(user, query, now, page=page, per_page=per_page)
    else:
        past, sessions = _listing_rows(user, now, page=page, per_page=per_page)
    # The three parts are apart by their clocks; a UNION promises no order, so each part is
    # put back in its own (stable sorts).
    live_rows = sorted(
        (s for s in sessions if s.starts_at <= now < s.ends_at and s.cancelled_at is None),
        key=lambda s: (s.ends_at, s.pk),
    )
    upcoming_rows = sorted(
        (
            s
            for s in sessions
            if s.starts_at > now or (s.ends_at > now and s.cancelled_at is not None)
        ),
        key=lambda s: s.starts_at,
    )
    past.object_list = sorted(
        (s for s in sessions if s.ends_at <= now), key=lambda s: (s.ends_at, s.pk), reverse=True
    )
    add_record_counts([*live_rows, *past.object_list])
    add_expert_list([*live_rows, *upcoming_rows, *past.object_list])
    for s in [*live_rows, *past.object_list]:
        s.state = session_state(s, now)  # type: ignore[attr-defined]
    for s in upcoming_rows:
        s.state = Session.State.CANCELLED if s.cancelled_at else Session.State.SCHEDULED  # type: ignore[attr-defined]
    return Listing(live=live_rows, upcoming=upcoming_rows, past=past)


def _searched_listing_rows(
    user, query: str, now: datetime, *, page: int | str, per_page: int
) -> tuple[Page, list[Session]]:
    """The page of past sessions and the rows of the three parts, with their record counts
    (with_record_counts), for a search; _listing_rows without one."""
    # Only what the cards show (expertqa/_session_card.html): compiling every column of the
    # session, its topic, community and series three times over was most of the listing's
    # Python time.
    base = with_record_counts(_listing_base(user, query).only(*LISTING_FIELDS), now)
    live = base.filter(starts_at__lte=now, ends_at__gt=now, cancelled_at__isnull=True)
    # A session cancelled during what would have been its window stays with the upcoming
    # ones (marked cancelled) until the window has passed.
    upcoming = base.filter(Q(starts_at__gt=now) | Q(ends_at__gt=now, cancelled_at__isnull=False))
    past_qs = base.filter(ends_at__lte=now).order_by("-ends_at", "-id")
    past = Paginator(past_qs, per_page).get_page(page)
    sessions = list(
        live.order_by("ends_at", "id")[:LISTED].union(  # the id: sessions often close together
            upcoming.order_by("starts_at")[:LISTED], cast(QuerySet, past.object_list), all=True
        )
    )
    return past, sessions


# _searched_listing_rows without a search, written out in SQL with only what the cards show:
# tests/expertqa/test_session_listing.py holds the two equal; change them together. Building
# and compiling the ORM's UNION of three parts, each with its record counts, was most of the
# list's time for a few dozen rows. The upcoming cards show no record: their counts are not
# read.
_LISTING_ROWS = """
SELECT s.id, s.title, s.topic_id, s.community_id, s.kind, s.series_id, s.starts_at, s.ends_at,
       s.cancelled_at, s.recording_url, t.id, t.name, c.id, c.name, r.id, r.title, r.slug,
       {counts}
  FROM expertqa_session s
  JOIN communities_community c ON c.id = s.community_id
  JOIN people_topic t ON t.id = s.topic_id
  LEFT JOIN expertqa_series r ON r.id = s.series_id
 WHERE s.community_id IN ({readable})"""
# The counts of with_record_counts, in the order of RECORD_COUNTS (%s: today, today, visible).
_LISTING_COUNTS = """(SELECT ARRAY[count(*),
         count(*) FILTER (WHERE q.answered_at IS NOT NULL AND q.deferred_to IS NULL),
         count(*) FILTER (WHERE q.deferred_to IS NOT NULL AND q.answered_at IS NULL
                            AND q.deferred_to >= %s),
         count(*) FILTER (WHERE q.deferred_to IS NOT NULL AND q.answered_at IS NOT NULL),
         count(*) FILTER (WHERE q.deferred_to IS NOT NULL AND q.answered_at IS NULL
                            AND q.deferred_to < %s),
         count(*) FILTER (WHERE q.answered_at IS NULL AND q.deferred_to IS NULL)]
          FROM expertqa_question q WHERE q.session_id = s.id AND q.status = %s)"""
_LISTING_SQL = """
({live} AND s.cancelled_at IS NULL AND s.starts_at <= %s AND s.ends_at > %s
 ORDER BY s.ends_at, s.id LIMIT %s)
UNION ALL
({upcoming} AND (s.starts_at > %s OR (s.cancelled_at IS NOT NULL AND s.ends_at > %s))
 ORDER BY s.starts_at LIMIT %s)
UNION ALL
({past} AND s.ends_at <= %s
 ORDER BY s.ends_at DESC, s.id DESC LIMIT %s OFFSET %s)
"""
_PAST_COUNT_SQL = """
SELECT count(*) FROM expertqa_session s WHERE s.community_id IN ({readable}) AND s.ends_at <= %s
"""
# The columns of _LISTING_ROWS that are the session's own, in the model's order (Model.from_db
# reads them so).
_LISTING_SESSION_COLUMNS = (
    "id",
    "title",
    "topic_id",
    "community_id",
    "kind",
    "series_id",
    "starts_at",
    "ends_at",
    "cancelled_at",
    "recording_url",
)


@cache
def _listing_sql(readable_sql: str) -> str:
    with_counts = _LISTING_ROWS.format(counts=_LISTING_COUNTS, readable=readable_sql)
    without = _LISTING_ROWS.format(counts="NULL::bigint[]", readable=readable_sql)
    return _LISTING_SQL.format(live=with_counts, upcoming=without, past=with_counts)


def _listing_rows(user, now: datetime, *, page: int | str, per_page: int):
    """_searched_listing_rows(user, "", ...) in two queries of SQL written once: the page of
    past sessions, and the rows of the three parts with the cards' columns (each session's
    topic, community and series with their names) and, but for the upcoming ones, their
    record counts (as with_record_counts leaves them)."""
    readable = compiled_readable(user)
    with connection.cursor() as cursor:
        cursor.execute(_PAST_COUNT_SQL.format(readable=readable.sql), [*readable.params, now])
        (n_past,) = cursor.fetchone()
        # The page's number checked as the ORM's paginator checks it: its rows are a range.
        past = Paginator(range(n_past), per_page).get_page(page)
        today = org_today(now)
        counts = (today, today, Question.Status.VISIBLE)
        cursor.execute(
            _listing_sql(readable.sql),
            [
                *counts,
                *readable.params,
                *(now, now, LISTED),
                *readable.params,
                *(now, now, LISTED),
                *counts,
                *readable.params,
                *(now, per_page, cast(range, past.object_list).start),
            ],
        )
        found = cursor.fetchall()
    db = connection.alias
    sessions = []
    for row in found:
        session = Session.from_db(db, _LISTING_SESSION_COLUMNS, row[:10])
        topic_id, topic_name, community_id, community_name = row[10:14]
        series_id, series_title, series_slug, record = row[14:]
        session.topic = Topic.from_db(db, ("id", "name"), (topic_id, topic_name))
        session.community = Community.from_db(db, ("id", "name"), (community_id, community_name))
        session.series = (
            None
            if series_id is None
            else Series.from_db(db, ("id", "title", "slug"), (series_id, series_title, series_slug))
        )
        if record is not None:
            record = dict(zip(RECORD_COUNTS, record, strict=True))
        session.record_counts = record  # type: ignore[attr-defined]
        sessions.append(session)
    return past, sessions


def listed_series(user, limit: int = 12) -> QuerySet:
    """The series of the communities the person may read, by title, for the session list
    (with the rules' SQL compiled once: compiled_readable)."""
    return Series.objects.filter(community__in=compiled_readable(user)).order_by("title")[:limit]


# Each session's experts, with the columns their names are written from (person_name), in the
# order of their accounts.
_EXPERTS_SQL = """
SELECT se.session_id, u.id, u.first_name, u.last_name, p.id, p.display_name
  FROM expertqa_session_experts se
  JOIN auth_user u ON u.id = se.user_id
  LEFT JOIN people_profile p ON p.user_id = u.id
 WHERE se.session_id = ANY(%s)
 ORDER BY u.id
"""


def add_expert_list(sessions: list) -> None:
    """Each session's `expert_list`: its experts (with their profiles), to be named, in one
    query. Prefetching `experts` built a filtered queryset for each session, which cost more
    than the query that read them all."""
    from django.contrib.auth import get_user_model

    if not sessions:
        return
    by_pk = {s.pk: s for s in sessions}
    for s in sessions:
        s.expert_list = []
    with connection.cursor() as cursor:
        cursor.execute(_EXPERTS_SQL, [list(by_pk)])
        found = cursor.fetchall()
    db = connection.alias
    User = get_user_model()
    profile_of = Profile.user.field.remote_field  # user.profile, the reverse one-to-one
    for session_id, user_id, first_name, last_name, profile_id, display_name in found:
        user = User.from_db(db, ("id", "first_name", "last_name"), (user_id, first_name, last_name))
        profile = None
        if profile_id is not None:
            profile = Profile.from_db(db, ("id", "display_name"), (profile_id, display_name))
        profile_of.set_cached_value(user, profile)
        by_pk[session_id].expert_list.append(user)


def _people():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("profile")


# What the home page shows of a session: reading every column of it, its topic and its
# community cost more than the rest of the section.
DASHBOARD_SESSION_COLUMNS = ("title", "starts_at", "ends_at", "topic__name")


def live_and_next(user, limit: int = 3, *, readable=None) -> tuple[list, list]:
    """The sessions open now (closing first) and those of the coming week (soonest first),
    `limit` of each, in one query."""
    now = timezone.now()
    base = (
        visible_sessions(user, readable=readable)
        .select_related("topic")
        .only(*DASHBOARD_SESSION_COLUMNS)
        .filter(cancelled_at__isnull=True)
    )
    live = base.filter(starts_at__lte=now, ends_at__gt=now).order_by("ends_at")[:limit]
    upcoming = base.filter(starts_at__gt=now, starts_at__lte=now + timedelta(days=7)).order_by(
        "starts_at"
    )[:limit]
    sessions = list(live.union(upcoming, all=True))
    # A UNION promises no order: each part is put back in its own (a stable sort).
    return (
        sorted((s for s in sessions if s.starts_at <= now), key=lambda s: s.ends_at),
        sorted((s for s in sessions if s.starts_at > now), key=lambda s: s.starts_at),
    )


# live_and_next for the home page, written out in SQL with only what the section shows:
# tests/expertqa/test_dashboard.py holds the two equal; change them together. Building and
# compiling the ORM's UNION was most of the section's time for at most six rows.
_DASHBOARD_SQL = """
(SELECT s.id, s.title, s.starts_at, s.ends_at, t.id, t.name
   FROM expertqa_session s JOIN people_topic t ON t.id = s.topic_id
  WHERE s.community_id IN ({readable}) AND s.cancelled_at IS NULL
    AND s.starts_at <= %s AND s.ends_at > %s
  ORDER BY s.ends_at LIMIT %s)
UNION ALL
(SELECT s.id, s.title, s.starts_at, s.ends_at, t.id, t.name
   FROM expertqa_session s JOIN people_topic t ON t.id = s.topic_id
  WHERE s.community_id IN ({readable}) AND s.cancelled_at IS NULL
    AND s.starts_at > %s AND s.starts_at <= %s
  ORDER BY s.starts_at LIMIT %s)
"""


def dashboard_sessions(readable: RawSQL, limit: int = 3) -> tuple[list, list]:
    """live_and_next(user, limit, readable=) in one query of its own: the sessions open now
    (closing first) and those of the coming week (soonest first), each with its title, times
    and topic's name. `readable`: compiled_readable(user)."""
    now = timezone.now()
    params = [
        *(*readable.params, now, now, limit),
        *(*readable.params, now, now + timedelta(days=7), limit),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_DASHBOARD_SQL.format(readable=readable.sql), params)
        found = cursor.fetchall()
    live: list[Session] = []
    upcoming: list[Session] = []
    for pk, title, starts_at, ends_at, topic_pk, topic_name in found:
        session = Session(id=pk, title=title, starts_at=starts_at, ends_at=ends_at)
        session.topic = Topic(id=topic_pk, name=topic_name)
        (live if starts_at <= now else upcoming).append(session)
    # A UNION promises no order: each part is put back in its own (a stable sort).
    return sorted(live, key=lambda s: s.ends_at), sorted(upcoming, key=lambda s: s.starts_at)


def series_detail(user, series: Series) -> dict:
    now = timezone.now()
    sessions = list(
        with_record_counts(Session.objects.filter(series=series), now)
        .select_related("topic", "community", "series")
        .prefetch_related(Prefetch("experts", queryset=_people()))
        .order_by("starts_at")
    )
    add_record_counts(sessions)
    for s in sessions:
        s.state = session_state(s, now)  # type: ignore[attr-defined]
    return {
        "upcoming": [s for s in sessions if s.starts_at > now],
        "live": [s for s in sessions if s.starts_at <= now < s.ends_at],
        "past": [s for s in reversed(sessions) if s.ends_at <= now],
    }


# --- the board --------------------------------------------------------------------------------


def session_for_board(pk: int) -> Session:
    return (
        Session.objects.select_related(
            "topic", "community", "series", "moderator__profile", "thread"
        )
        .prefetch_related(Prefetch("experts", queryset=_people()))
        .get(pk=pk)
    )


# The columns the calendar file (expertqa.ics) and the access check read: the session's own,
# the community's status and visibility, and the organiser's address and name.
_CALENDAR_COLUMNS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "cancelled_at",
    "sequence",
    "community__status",
    "community__visibility",
    "community__created_by_id",
    *(
        f"{person}__{column}"
        for person in ("moderator", "created_by")
        for column in ("email", "first_name", "last_name", "profile__display_name")
    ),
)


def session_for_calendar(pk: int) -> Session:
    """What the calendar file names (expertqa.ics) and its access check read, in one query:
    the board's read (its topic, series, thread and experts) cost it a second query and
    most of its time; only those columns, since writing the SQL for every column of five
    tables (two accounts, two profiles) was most of what remained."""
    return (
        Session.objects.select_related("community", "moderator__profile", "created_by__profile")
        .only(*_CALENDAR_COLUMNS)
        .get(pk=pk)
    )


@dataclass
class Board:
    session: Session
    viewer: Viewer
    questions: list
    hidden: list
    owed: list
    record: Record
    state: str
    sort: str
    version: int
    # The questions on the board in all (the record's total); `questions` is one window of
    # them when the board is read a window at a time.
    total: int = 0
    page: int = 1
    has_more: bool = False

    @property
    def state_label(self) -> str:
        return str(Session.State(self.state).label)

    @property
    def next_page(self) -> int:
        return self.page + 1


BOARD_ORDERS = {
    "votes": ["-vote_count", "created_at", "id"],
    "new": ["-created_at", "-id"],
}
# The owed list names at most this many; the record counts them all.
OWED_LISTED = 30


def _record_counts(now: datetime) -> dict:
    """Question counts per commitment, deciding as Question.commitment() does; the
    unanswered are owed or waiting by their session's clock (see _record_from)."""
    import zoneinfo

    from django.conf import settings
    from django.db.models.functions import TruncDate

    today = org_today(now)
    answered = Q(answered_at__isnull=False)
    deferred = Q(deferred_to__isnull=False)
    answered_on = TruncDate("answered_at", tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return {
        "answered": Count("id", filter=~deferred & Q(answered_at__lte=F("session__ends_at"))),
        "answered_late": Count("id", filter=~deferred & Q(answered_at__gt=F("session__ends_at"))),
        "delivered": Count("id", filter=deferred & answered & Q(deferred_to__gte=answered_on)),
        "delivered_late": Count("id", filter=deferred & answered & Q(deferred_to__lt=answered_on)),
        "overdue": Count("id", filter=deferred & ~answered & Q(deferred_to__lt=today)),
        "deferred": Count("id", filter=deferred & ~answered & Q(deferred_to__gte=today)),
        "unanswered": Count("id", filter=~deferred & ~answered),
    }


# The names of _record_counts, in its order.
RECORD_COLUMNS = (
    "answered",
    "answered_late",
    "delivered",
    "delivered_late",
    "overdue",
    "deferred",
    "unanswered",
)


def _record_from(counts: dict, session: Session, now: datetime) -> Record:
    counts = {name: counts.get(name) or 0 for name in RECORD_COLUMNS}
    unanswered = counts.pop("unanswered")
    owes = session.cancelled_at is None and now >= session.ends_at
    return Record(**counts, owed=unanswered if owes else 0, waiting=0 if owes else unanswered)


@cache
def _board_record_sql() -> str:
    """The counts of _record_counts for one session's board, as SQL written once: the ORM
    spent more time compiling its seven filtered counts than the database spent counting."""
    q, s = Question._meta.db_table, Session._meta.db_table
    answered_on = "(q.answered_at AT TIME ZONE %(tz)s)::date"
    return (
        "SELECT"  # noqa: S608 - our names
        " count(*) FILTER (WHERE q.deferred_to IS NULL AND q.answered_at <= s.ends_at),"
        " count(*) FILTER (WHERE q.deferred_to IS NULL AND q.answered_at > s.ends_at),"
        " count(*) FILTER (WHERE q.deferred_to IS NOT NULL AND q.answered_at IS NOT NULL"
        f"   AND q.deferred_to >= {answered_on}),"
        " count(*) FILTER (WHERE q.deferred_to IS NOT NULL AND q.answered_at IS NOT NULL"
        f"   AND q.deferred_to < {answered_on}),"
        " count(*) FILTER (WHERE q.deferred_to IS NOT NULL AND q.answered_at IS NULL"
        "   AND q.deferred_to < %(today)s),"
        " count(*) FILTER (WHERE q.deferred_to IS NOT NULL AND q.answered_at IS NULL"
        "   AND q.deferred_to >= %(today)s),"
        " count(*) FILTER (WHERE q.deferred_to IS NULL AND q.answered_at IS NULL)"
        f" FROM {q} q JOIN {s} s ON s.id = q.session_id"
        " WHERE q.session_id = %(session)s AND q.status = %(visible)s"
    )


def board_record(session: Session, now: datetime) -> Record:
    """The session's commitment record counted in SQL (_record_counts, written once)."""
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute(
            _board_record_sql(),
            {
                "tz": settings.TIME_ZONE,
                "today": org_today(now),
                "session": session.pk,
                "visible": Question.Status.VISIBLE,
            },
        )
        row = cursor.fetchone()
    return _record_from(dict(zip(RECORD_COLUMNS, row, strict=True)), session, now)


def board_page_of(session: Session, question_id: int, *, sort: str, per_page: int) -> int:
    """The window of the board (in `sort` order) a question is in: 1 when it is not there."""
    question = (
        Question.objects.on_board()
        .filter(session=session, pk=question_id)
        .values("vote_count", "created_at", "id")
        .first()
    )
    if question is None:
        return 1
    votes, created, pk = question["vote_count"], question["created_at"], question["id"]
    newer = Q(created_at__gt=created) | Q(created_at=created, id__gt=pk)
    if sort == "new":
        before = newer
    else:
        older = Q(created_at__lt=created) | Q(created_at=created, id__lt=pk)
        before = Q(vote_count__gt=votes) | (Q(vote_count=votes) & older)
    ahead = Question.objects.on_board().filter(before, session=session).count()
    return ahead // per_page + 1


def board_for(
    session: Session,
    user,
    *,
    sort: str = "votes",
    page: int = 1,
    per_page: int | None = None,
) -> Board:
    """Everything the board shows, in a fixed number of queries whatever its size.

    With `per_page`, one window of the questions in the chosen order (page 1 the first), its
    record counted in SQL: an all-hands collects a thousand questions, and reading them all
    for each view made the page slow. Without, every question (the live page's columns).
    """
    now = timezone.now()
    expert_ids = {e.pk for e in session.experts.all()}
    viewer = viewer_for(user, session, expert_ids=expert_ids)
    order = BOARD_ORDERS.get(sort, BOARD_ORDERS["votes"])
    on_board = Question.objects.on_board().filter(session=session)
    if per_page is None:
        visible = list(_board_rows(session, user).order_by(*order))
        record = record_of(_with_session(visible, session), now)
        has_more = False
    else:
        page = max(page, 1)
        offset = (page - 1) * per_page
        visible = _board_window(session, user, sort, offset=offset, limit=per_page + 1)
        has_more = len(visible) > per_page
        visible = visible[:per_page]
        record = board_record(session, now)
    hidden: list[Question] = []
    if viewer.is_moderator:
        hidden = list(
            Question.objects.filter(session=session, status=Question.Status.HIDDEN).order_by(*order)
        )
    for q in [*_with_session(visible, session), *_with_session(hidden, session)]:
        q.is_mine = user.is_authenticated and q.author_id == user.pk
        q.voted = getattr(q, "voted", False)
        q.state = q.commitment(now)
        q.answer_list = []
        q.n_duplicates = getattr(q, "n_duplicates", 0)
    _add_people([*visible, *hidden])
    for q in [*visible, *hidden]:
        q.asker = asker_label(q, viewer)  # type: ignore[attr-defined]
    _add_answers(visible)
    session.n_open = record.owed + record.waiting  # type: ignore[attr-defined]
    state = session_state(session, now)
    if per_page is None:
        owed = [q for q in visible if q.state == Question.Commitment.OWED]  # type: ignore[attr-defined]
    elif record.owed:
        owed = list(on_board.owed().order_by("created_at", "id")[:OWED_LISTED])
    else:
        owed = []
    return Board(
        session=session,
        viewer=viewer,
        questions=visible,
        hidden=hidden,
        owed=owed,
        record=record,
        state=state,
        sort=sort,
        version=session.version,
        total=record.total,
        page=page,
        has_more=has_more,
    )


@cache
def _board_window_sql(sort: str) -> str:
    """The board's rows in `sort` order (BOARD_ORDERS), each with n_duplicates (count_per_row)
    and whether the reader voted, as SQL written once: building and compiling the ORM's
    query with its two subqueries cost more than running it. %s: the reader, the session, the
    status shown, the limit and the offset. tests/expertqa/test_board_window.py holds it
    equal to the ORM's."""
    q, vote = Question._meta.db_table, Vote._meta.db_table
    columns = ", ".join(f'q."{f.column}"' for f in Question._meta.concrete_fields)
    order = {
        "votes": 'q."vote_count" DESC, q."created_at" ASC, q."id" ASC',
        "new": 'q."created_at" DESC, q."id" DESC',
    }[sort]
    return (
        f"SELECT {columns},"  # noqa: S608 - our names
        f" COALESCE((SELECT count(*) FROM {q} d WHERE d.merged_into_id = q.id), 0),"
        f" EXISTS (SELECT 1 FROM {vote} v WHERE v.question_id = q.id AND v.user_id = %s)"
        f" FROM {q} q WHERE q.session_id = %s AND q.status = %s"
        f" ORDER BY {order} LIMIT %s OFFSET %s"
    )


def _board_rows(session: Session, user) -> QuerySet:
    """The board's questions, each with how many duplicates were merged into it and (for a
    signed-in reader) whether they voted for it, in the same query."""
    rows = Question.objects.on_board().filter(session=session)
    rows = rows.annotate(n_duplicates=count_per_row(Question.objects.all(), "merged_into"))
    if user.is_authenticated:
        rows = rows.annotate(voted=Exists(Vote.objects.filter(question=OuterRef("pk"), user=user)))
    return rows


def _board_window(session: Session, user, sort: str, *, offset: int, limit: int) -> list:
    """`limit` questions of _board_rows from `offset` in `sort` order, for a signed-in reader
    in SQL written once (_board_window_sql)."""
    sort = sort if sort in BOARD_ORDERS else "votes"
    if not user.is_authenticated:
        return list(
            _board_rows(session, user).order_by(*BOARD_ORDERS[sort])[offset : offset + limit]
        )
    with connection.cursor() as cursor:
        cursor.execute(
            _board_window_sql(sort),
            [user.pk, session.pk, Question.Status.VISIBLE, limit, offset],
        )
        found = cursor.fetchall()
    names = [f.attname for f in Question._meta.concrete_fields]
    n, db = len(names), connection.alias
    questions = []
    for row in found:
        question = Question.from_db(db, names, row[:n])
        question.n_duplicates, question.voted = row[n], row[n + 1]  # type: ignore[attr-defined]
        questions.append(question)
    return questions


def _with_session(questions: list, session: Session) -> list:
    for q in questions:
        q.session = session  # commitment() reads the window without a query
    return questions


def _add_people(questions: list) -> None:
    """Each question's asker and deferring expert, with their profiles, in one query: only
    what their names are written from (person_name), not every column of two tables for
    each of a window's thirty people."""
    from django.contrib.auth import get_user_model

    ids = {q.author_id for q in questions} | {q.deferred_by_id for q in questions}
    ids.discard(None)
    if not ids:
        return
    users = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .select_related("profile")
        .only("first_name", "last_name", "profile__display_name")
    )
    people = {u.pk: u for u in users}
    for q in questions:
        if q.author_id in people:
            q.author = people[q.author_id]
        if q.deferred_by_id in people:
            q.deferred_by = people[q.deferred_by_id]


def _add_answers(questions: list) -> None:
    """Each question's answers (oldest first)."""
    if not questions:
        return
    by_pk = {q.pk: q for q in questions}
    answers = (
        Answer.objects.filter(question_id__in=list(by_pk))
        .select_related("author__profile")
        .order_by("created_at", "id")
    )
    for a in answers:
        a.author_name = person_name(a.author)  # type: ignore[attr-defined]
        by_pk[a.question_id].answer_list.append(a)


def changes_since(session: Session, since: datetime) -> dict:
    """How many questions and answers arrived after `since` (for the "new" bar)."""
    questions = Question.objects.filter(
        session=session, status=Question.Status.VISIBLE, created_at__gt=since
    ).count()
    answers = Answer.objects.filter(
        question__session=session,
        question__status=Question.Status.VISIBLE,
        created_at__gt=since,
    ).count()
    deferrals = Question.objects.filter(
        session=session, status=Question.Status.VISIBLE, deferred_at__gt=since
    ).count()
    return {"questions": questions, "answers": answers, "deferrals": deferrals}


# --- commitments per expert -------------------------------------------------------------------


# The "still to deliver" list names this many, the most pressing first; it says how many more.
PENDING_LISTED = 50


def expert_commitments(expert, viewer_user) -> dict:
    """The expert's record per session and in all, counted in SQL per session."""
    now = timezone.now()
    sessions = list(
        visible_sessions(viewer_user)
        .filter(experts=expert)
        .select_related("topic", "community")
        .order_by("-starts_at")
    )
    by_session = {s.pk: s for s in sessions}
    on_board = Question.objects.on_board().filter(session_id__in=list(by_session))
    counts = {
        row["session_id"]: row
        for row in on_board.values("session_id").annotate(**_record_counts(now)).order_by()
    }
    total = Record()
    for s in sessions:
        s.record = _record_from(counts.get(s.pk, {}), s, now)
        total.add(s.record)
        s.state = s.clock_state(now)
        if s.state == Session.State.CLOSED and not (s.record.owed or s.record.waiting):
            s.state = Session.State.KEPT
    # Owed: unanswered, undeferred, in a session that closed without being cancelled.
    owed = Q(
        answered_at__isnull=True,
        deferred_to__isnull=True,
        session__ends_at__lte=now,
        session__cancelled_at__isnull=True,
    )
    promised = Q(answered_at__isnull=True, deferred_to__isnull=False)
    n_pending = total.owed + total.overdue + total.deferred
    pending = list(
        on_board.filter(owed | promised).order_by("deferred_to", "created_at", "id")[
            :PENDING_LISTED
        ]
    )
    for q in pending:
        q.session = by_session[q.session_id]
        q.state = q.commitment(now)
    return {
        "sessions": sessions,
        "total": total,
        "pending": pending,
        "pending_more": n_pending - len(pending),
    }
