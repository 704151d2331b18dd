# ruff: noqa: S608
# (The SQL here is built from constant table and column names only; values are parameters.)
"""Engagement figures, each one aggregate SQL query over the activity record.

A period is [start, end): an event at `start` counts, one at `end` does not. Weeks are
Monday-based in the viewer's time zone. Each function runs exactly one query, whatever the
number of scopes, people or events, so the pages built on them run a fixed number of queries.

Definitions (the pages and the CSV exports say the same):
- members: for the organisation, active accounts created before the end; for a community,
  people whose latest joined/left event before the end is "joined"; for a programme, people
  enrolled (mentor or protégé); for a challenge, people who joined it; for a session, people
  who took part in it, all before the end.
- active people: people who did something other than view, join or leave in the period
  (in a public community they need not be members); active members: those of them who are
  members at the end.
- engagement rate: active members / members.
- questions: questions started in the period (threads marked as questions, session
  questions); answered: those with an answer by someone other than the asker so far; time to
  first answer: the median of (first answer - question), percentile_cont in SQL.
- answers that crossed departments: answers in the period whose author's department differs
  from the asker's (both known).
- health index: people active in the 30 days before the end / people active in the 365 days
  before the end.
"""

from __future__ import annotations

import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from socialearn.people.models import Department, Profile, Topic

from .models import Activity, Scope

V = Activity.Verb
ACTIVITY = Activity._meta.db_table
SCOPE = Scope._meta.db_table
PROFILE = Profile._meta.db_table
TOPIC = Topic._meta.db_table
DEPARTMENT = Department._meta.db_table
USER = get_user_model()._meta.db_table

KIND_COLUMN: dict[str, str] = {
    Scope.Kind.COMMUNITY: "community_id",
    Scope.Kind.PROGRAMME: "programme_id",
    Scope.Kind.SESSION: "session_id",
    Scope.Kind.CHALLENGE: "challenge_id",
}
PASSIVE_VERBS = [V.VIEWED, V.JOINED, V.LEFT]
ACTIVE_VERBS = [v.value for v in V if v not in PASSIVE_VERBS]
# Written out in the SQL so that the partial indexes on active verbs apply.
PASSIVE_SQL = "(" + ", ".join(f"'{v.value}'" for v in PASSIVE_VERBS) + ")"
TRENDING_VERBS = [V.POSTED, V.REPLIED, V.REACTED, V.ANSWER_ACCEPTED, V.HELP_REQUESTED]
PERSONAS = [
    ("catalyst", _("Catalysts"), _("start threads that others answer")),
    ("responder", _("Responders"), _("answer other people's questions")),
    ("engager", _("Engagers"), _("react, reply and take part")),
    ("observer", _("Observers"), _("only read or join")),
]
# A person's persona in a table cell, in the reader's language.
PERSONA_NAMES = {
    "catalyst": pgettext_lazy("persona", "catalyst"),
    "responder": pgettext_lazy("persona", "responder"),
    "engager": pgettext_lazy("persona", "engager"),
    "observer": pgettext_lazy("persona", "observer"),
}
HEALTH_KINDS = {None, Scope.Kind.COMMUNITY}
HEALTH_MONTH = timedelta(days=30)
HEALTH_YEAR = timedelta(days=365)
TRENDING_WEEKS_BEFORE = 4


@dataclass(frozen=True)
class Period:
    """[start, end) in aware datetimes, with the zone that weeks are counted in."""

    start: datetime
    end: datetime
    tz: str
    label: str = ""
    key: str = "30"
    first_day: date | None = None
    last_day: date | None = None

    def as_dict(self) -> dict:
        """The period as a task's JSON argument (from_dict reads it back)."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tz": self.tz,
            "label": str(self.label),
            "key": self.key,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Period:
        first, last = data.get("first_day"), data.get("last_day")
        return cls(
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            tz=data["tz"],
            label=data["label"],
            key=data["key"],
            first_day=date.fromisoformat(first) if first else None,
            last_day=date.fromisoformat(last) if last else None,
        )

    @classmethod
    def for_days(cls, *, first: date, last: date, tz: str, key: str = "custom", label: str = ""):
        """From the first day to the last day, both included, in the zone `tz`."""
        zone = zoneinfo.ZoneInfo(tz)
        start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        label = label or f"{date_format(first, 'DATE_FORMAT')} – {date_format(last, 'DATE_FORMAT')}"
        return cls(start, end, tz, label, key, first, last)

    @classmethod
    def last_days(cls, days: int, *, tz: str, today: date | None = None):
        today = today or timezone.localdate(timezone=zoneinfo.ZoneInfo(tz))
        return cls.for_days(
            first=today - timedelta(days=days - 1),
            last=today,
            tz=tz,
            key=str(days),
            label=ngettext("the last %(days)d day", "the last %(days)d days", days)
            % {"days": days},
        )


@dataclass
class ScopeRef:
    """Which figures: the whole organisation (kind None) or one kind of scope."""

    kind: str | None = None
    object_id: int | None = None

    @property
    def column(self) -> str | None:
        return KIND_COLUMN[self.kind] if self.kind else None

    def key(self, alias: str = "a") -> str:
        return f"{alias}.{self.column}" if self.kind else "0"

    def where(self, alias: str = "a") -> str:
        if not self.kind:
            return "TRUE"
        clause = f"{alias}.{self.column} IS NOT NULL"
        if self.object_id is not None:
            clause += f" AND {alias}.{self.column} = %(oid)s"
        return clause


@dataclass
class Figures:
    members: int = 0
    active: int = 0
    active_members: int = 0
    posts: int = 0
    replies: int = 0
    help_reached: int = 0
    help_requests: int = 0
    welcomed: int = 0
    steps_completed: int = 0
    matches_accepted: int = 0
    matches_completed: int = 0
    goals_set: int = 0
    goals_achieved: int = 0
    meetings_scheduled: int = 0
    checkins_answered: int = 0
    deferred: int = 0
    active_month: int | None = 0
    active_year: int | None = 0
    questions: int = 0
    answered: int = 0
    median_first_answer: float | None = None
    answers: int = 0
    answers_known_departments: int = 0
    answers_crossed: int = 0
    # For rows of a scope table.
    object_id: int | None = None
    name: str = ""
    url: str = ""
    is_private: bool = False

    @property
    def engagement_rate(self) -> float | None:
        """Members who acted in the period / members."""
        return self.active_members / self.members if self.members else None

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.questions if self.questions else None

    @property
    def crossed_share(self) -> float | None:
        if not self.answers_known_departments:
            return None
        return self.answers_crossed / self.answers_known_departments

    @property
    def health_index(self) -> float | None:
        """Active in the last 30 days / active in the last 365 days (organisation and
        communities only)."""
        if not self.active_year or self.active_month is None:
            return None
        return self.active_month / self.active_year


def _members_sql(scope: ScopeRef, *, ids: bool = False) -> str:
    """People who are members at the period end: (k, user_id) rows when ids, else (k, n)."""
    if not scope.kind:
        select = "0 AS k, u.id AS uid" if ids else "0 AS k, count(*) AS members"
        return f"SELECT {select} FROM {USER} u WHERE u.is_active AND u.date_joined < %(end)s"
    key, where = scope.key(), scope.where()
    if scope.kind == Scope.Kind.COMMUNITY:
        latest = f"""
            SELECT DISTINCT ON ({key}, a.actor_id) {key} AS k, a.actor_id AS uid, a.verb
            FROM {ACTIVITY} a
            WHERE {where} AND a.verb IN ('joined', 'left') AND a.actor_id IS NOT NULL
              AND a.occurred_at < %(end)s
            ORDER BY {key}, a.actor_id, a.occurred_at DESC, a.id DESC"""
        if ids:
            return f"SELECT k, uid FROM ({latest}) m WHERE m.verb = 'joined'"
        return f"""SELECT k, count(*) FILTER (WHERE m.verb = 'joined') AS members
            FROM ({latest}) m GROUP BY k"""
    member_verbs: dict[str, str] = {
        Scope.Kind.PROGRAMME: "a.verb IN ('mentor_enrolled', 'protege_enrolled')",
        Scope.Kind.CHALLENGE: "a.verb = 'challenge_joined'",
        Scope.Kind.SESSION: "a.verb <> 'viewed'",
    }
    verbs = member_verbs[scope.kind]
    condition = f"{where} AND {verbs} AND a.actor_id IS NOT NULL AND a.occurred_at < %(end)s"
    if ids:
        return f"SELECT DISTINCT {key} AS k, a.actor_id AS uid FROM {ACTIVITY} a WHERE {condition}"
    return f"""SELECT {key} AS k, count(DISTINCT a.actor_id) AS members
        FROM {ACTIVITY} a WHERE {condition} GROUP BY 1"""


def _event_keys(scope: ScopeRef | None, alias: str = "a") -> tuple[str, str, str]:
    """(key columns, condition, GROUP BY) for the parts that count events: keyed by one
    kind of scope (or the organisation), or, for scope None, by the organisation and every
    kind of scope at once, in one pass over the events (grouping sets)."""
    if scope is not None:
        kind = scope.kind or ""
        return f"'{kind}'::text AS kind, {scope.key(alias)} AS k", scope.where(alias), "1, 2"
    columns = [(kind.value, f"{alias}.{column}") for kind, column in KIND_COLUMN.items()]
    kind = " ".join(f"WHEN GROUPING({c}) = 0 THEN '{k}'" for k, c in columns)
    # Events without this kind of scope form a group keyed NULL, which matches no scope.
    key = " ".join(f"WHEN GROUPING({c}) = 0 THEN {c}" for _k, c in columns)
    sets = ", ".join(f"({c})" for _k, c in columns)
    return (
        f"CASE {kind} ELSE '' END AS kind, CASE {key} ELSE 0 END AS k",
        "TRUE",
        f"GROUPING SETS ((), {sets})",
    )


def _people_sql(scope: ScopeRef, members: str) -> str:
    """Active people, active members (against the member ids in `members`), and for the
    health index those active in the month and the year before the end."""
    key, where = scope.key(), scope.where()
    # The health index looks a year back: only where it is shown (the organisation and
    # communities); elsewhere the people figures read the period alone.
    lower = "LEAST(%(start)s, %(year_start)s)" if scope.kind in HEALTH_KINDS else "%(start)s"
    group = f"a.{scope.column}, a.actor_id" if scope.kind else "a.actor_id"
    # Asking for a year in the order of the partial indexes on active verbs lets PostgreSQL
    # aggregate it straight from the index instead of hashing a year of rows.
    order = f" ORDER BY {group}" if scope.kind in HEALTH_KINDS else ""
    return f"""
        SELECT '{scope.kind or ""}'::text AS kind, per_person.k,
            count(*) FILTER (WHERE last_at >= %(start)s) AS active,
            count(m.uid) FILTER (WHERE last_at >= %(start)s) AS active_members,
            count(*) FILTER (WHERE last_at >= %(month_start)s) AS active_month,
            count(*) FILTER (WHERE last_at >= %(year_start)s) AS active_year
        FROM (
            SELECT {key} AS k, a.actor_id, max(a.occurred_at) AS last_at
            FROM {ACTIVITY} a
            WHERE {where} AND a.actor_id IS NOT NULL AND a.verb NOT IN {PASSIVE_SQL}
              AND a.occurred_at >= {lower} AND a.occurred_at < %(end)s
            GROUP BY {group}{order}
        ) per_person
        LEFT JOIN {members} m ON m.k = per_person.k AND m.uid = per_person.actor_id
        GROUP BY per_person.k"""


def _figures_sql(scope: ScopeRef | None) -> str:
    """The figures of one scope, of every scope of one kind, or (scope None) of the
    organisation and every named scope of every kind, in one query."""
    scopes = [scope] if scope is not None else [ScopeRef(), *map(ScopeRef, KIND_COLUMN)]
    keys = []
    for s in scopes:
        if s.kind:
            part = f"""SELECT s.kind::text, s.object_id AS k, s.name, s.url, s.is_private
                FROM {SCOPE} s WHERE s.kind = '{s.kind}'"""
            if s.object_id is not None:
                part += " AND s.object_id = %(oid)s"
        else:
            part = "SELECT ''::text, 0::bigint, '', '', FALSE"
        keys.append(part)
    member_ctes = "".join(
        f"m_{s.kind or 'org'} AS MATERIALIZED ({_members_sql(s, ids=True)}),\n    " for s in scopes
    )
    members = " UNION ALL ".join(
        f"SELECT '{s.kind or ''}'::text AS kind, k, count(*) AS members "
        f"FROM m_{s.kind or 'org'} GROUP BY k"
        for s in scopes
    )
    people = " UNION ALL ".join(_people_sql(s, f"m_{s.kind or 'org'}") for s in scopes)
    a_keys, a_where, a_group = _event_keys(scope, "a")
    q_keys, q_where, q_group = _event_keys(scope, "q")
    return f"""
    WITH keys (kind, k, name, url, is_private) AS ({" UNION ALL ".join(keys)}),
    {member_ctes}members AS MATERIALIZED ({members}),
    people AS MATERIALIZED ({people}),
    counts AS MATERIALIZED (
        SELECT {a_keys},
            count(*) FILTER (WHERE a.verb = 'posted') AS posts,
            count(*) FILTER (WHERE a.verb = 'replied') AS replies,
            count(*) FILTER (WHERE a.verb = 'help_requested') AS help_requests,
            count(*) FILTER (WHERE a.verb = 'step_completed') AS steps_completed,
            count(*) FILTER (WHERE a.verb = 'match_accepted') AS matches_accepted,
            count(*) FILTER (WHERE a.verb = 'match_completed') AS matches_completed,
            count(*) FILTER (WHERE a.verb = 'mentoring_goal_set') AS goals_set,
            count(*) FILTER (WHERE a.verb = 'mentoring_goal_achieved') AS goals_achieved,
            count(*) FILTER (WHERE a.verb = 'mentoring_meeting_scheduled') AS meetings_scheduled,
            count(*) FILTER (WHERE a.verb = 'mentoring_checkin_answered') AS checkins_answered,
            count(*) FILTER (WHERE a.verb = 'session_deferred') AS deferred
        FROM {ACTIVITY} a
        WHERE {a_where} AND a.occurred_at >= %(start)s AND a.occurred_at < %(end)s
          AND a.verb IN ('posted', 'replied', 'help_requested', 'welcomed', 'step_completed',
                         'match_accepted', 'match_completed', 'session_deferred',
                         'mentoring_goal_set', 'mentoring_goal_achieved',
                         'mentoring_meeting_scheduled', 'mentoring_checkin_answered')
        GROUP BY {a_group}
    ),
    welcomed AS MATERIALIZED (
        -- Apart from the counts, so that they can be hashed rather than sorted.
        SELECT {a_keys}, count(DISTINCT a.target_user_id) AS welcomed
        FROM {ACTIVITY} a
        WHERE {a_where} AND a.verb = 'welcomed'
          AND a.occurred_at >= %(start)s AND a.occurred_at < %(end)s
        GROUP BY {a_group}
    ),
    help AS MATERIALIZED (
        SELECT {a_keys},
            coalesce(sum(CASE WHEN jsonb_typeof(a.extra -> 'reached') = 'number'
                THEN (a.extra ->> 'reached')::numeric END), 0)::bigint AS help_reached
        FROM {ACTIVITY} a
        WHERE {a_where} AND a.verb = 'help_requested'
          AND a.occurred_at >= %(start)s AND a.occurred_at < %(end)s
        GROUP BY {a_group}
    ),
    asked AS (
        -- Each question's first answer by someone else: one index probe per question.
        SELECT q.community_id, q.programme_id, q.session_id, q.challenge_id,
            q.occurred_at AS asked_at, fa.first_at
        FROM {ACTIVITY} q
        LEFT JOIN LATERAL (
            SELECT min(r.occurred_at) AS first_at FROM {ACTIVITY} r
            WHERE r.thread_id = q.thread_id AND r.verb = 'replied' AND r.is_question
              AND r.actor_id IS DISTINCT FROM q.actor_id AND r.occurred_at >= q.occurred_at
        ) fa ON TRUE
        WHERE {q_where} AND q.verb = 'posted' AND q.is_question AND q.thread_id IS NOT NULL
          AND q.occurred_at >= %(start)s AND q.occurred_at < %(end)s
        UNION ALL
        SELECT q.community_id, q.programme_id, q.session_id, q.challenge_id,
            q.occurred_at AS asked_at, fa.first_at
        FROM {ACTIVITY} q
        LEFT JOIN LATERAL (
            SELECT min(r.occurred_at) AS first_at FROM {ACTIVITY} r
            WHERE r.session_id = q.session_id AND r.verb = 'session_answered'
              AND r.object_id = q.object_id AND r.occurred_at >= q.occurred_at
        ) fa ON TRUE
        WHERE {q_where} AND q.verb = 'session_question_asked' AND q.object_id IS NOT NULL
          AND q.occurred_at >= %(start)s AND q.occurred_at < %(end)s
    ),
    questions AS MATERIALIZED (
        SELECT {q_keys}, count(*) AS questions, count(q.first_at) AS answered,
            percentile_cont(0.5) WITHIN GROUP (
                ORDER BY extract(epoch FROM q.first_at - q.asked_at)
            ) FILTER (WHERE q.first_at IS NOT NULL) AS median_first_answer
        FROM asked q GROUP BY {q_group}
    ),
    departments AS MATERIALIZED (
        -- Profiles are wide: read the one column needed once, for both sides of an answer.
        SELECT p.user_id, p.department_id FROM {PROFILE} p WHERE p.department_id IS NOT NULL
    ),
    answers AS MATERIALIZED (
        SELECT {a_keys}, count(*) AS answers,
            count(*) FILTER (WHERE pa.department_id IS NOT NULL
                             AND pt.department_id IS NOT NULL) AS answers_known_departments,
            count(*) FILTER (WHERE pa.department_id <> pt.department_id) AS answers_crossed
        FROM {ACTIVITY} a
        LEFT JOIN departments pa ON pa.user_id = a.actor_id
        LEFT JOIN departments pt ON pt.user_id = a.target_user_id
        WHERE {a_where} AND a.verb IN ('replied', 'session_answered')
          AND (a.verb = 'session_answered' OR a.is_question)
          AND a.target_user_id IS DISTINCT FROM a.actor_id
          AND a.occurred_at >= %(start)s AND a.occurred_at < %(end)s
        GROUP BY {a_group}
    )
    SELECT keys.kind, keys.k AS object_id, keys.name, keys.url, keys.is_private,
        coalesce(members.members, 0) AS members,
        coalesce(people.active, 0) AS active,
        coalesce(people.active_members, 0) AS active_members,
        coalesce(people.active_month, 0) AS active_month,
        coalesce(people.active_year, 0) AS active_year,
        coalesce(counts.posts, 0) AS posts,
        coalesce(counts.replies, 0) AS replies,
        coalesce(counts.help_requests, 0) AS help_requests,
        coalesce(help.help_reached, 0) AS help_reached,
        coalesce(welcomed.welcomed, 0) AS welcomed,
        coalesce(counts.steps_completed, 0) AS steps_completed,
        coalesce(counts.matches_accepted, 0) AS matches_accepted,
        coalesce(counts.matches_completed, 0) AS matches_completed,
        coalesce(counts.goals_set, 0) AS goals_set,
        coalesce(counts.goals_achieved, 0) AS goals_achieved,
        coalesce(counts.meetings_scheduled, 0) AS meetings_scheduled,
        coalesce(counts.checkins_answered, 0) AS checkins_answered,
        coalesce(counts.deferred, 0) AS deferred,
        coalesce(questions.questions, 0) AS questions,
        coalesce(questions.answered, 0) AS answered,
        questions.median_first_answer,
        coalesce(answers.answers, 0) AS answers,
        coalesce(answers.answers_known_departments, 0) AS answers_known_departments,
        coalesce(answers.answers_crossed, 0) AS answers_crossed
    FROM keys
    LEFT JOIN members USING (kind, k)
    LEFT JOIN people USING (kind, k)
    LEFT JOIN counts USING (kind, k)
    LEFT JOIN welcomed USING (kind, k)
    LEFT JOIN help USING (kind, k)
    LEFT JOIN questions USING (kind, k)
    LEFT JOIN answers USING (kind, k)
    ORDER BY keys.kind, coalesce(people.active, 0) DESC, keys.name, keys.k
    """


def _params(period: Period, scope: ScopeRef, **more) -> dict:
    params = {
        "start": period.start,
        "end": period.end,
        "tz": period.tz,
        "month_start": period.end - HEALTH_MONTH,
        "year_start": period.end - HEALTH_YEAR,
        "active_verbs": ACTIVE_VERBS,
        "kind": scope.kind,
        "oid": scope.object_id,
    }
    params.update(more)
    return params


@contextmanager
def tuned():
    """Run the figures of one page in a transaction where PostgreSQL does not JIT-compile
    (compiling these many-branched queries costs seconds, far more than they take to run)
    and may hash a year of activity in memory instead of spilling it to disk."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
        )
        yield


def _rows(sql: str, params: dict) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _figures(row: dict, scope: ScopeRef) -> Figures:
    row = dict(row)
    row.pop("kind", None)
    if scope.kind not in HEALTH_KINDS:
        row["active_month"] = row["active_year"] = None
    if row.get("median_first_answer") is not None:
        row["median_first_answer"] = float(row["median_first_answer"])
    return Figures(**row)


def scope_table(period: Period, kind: str) -> list[Figures]:
    """One row of figures for every named scope of this kind (one query)."""
    scope = ScopeRef(kind)
    return [_figures(r, scope) for r in _rows(_figures_sql(scope), _params(period, scope))]


def scope_figures(period: Period, kind: str | None = None, object_id: int | None = None):
    """The figures of the organisation (kind None) or of one scope (one query)."""
    scope = ScopeRef(kind, object_id)
    rows = _rows(_figures_sql(scope), _params(period, scope))
    return _figures(rows[0], scope) if rows else None


def overview_figures(period: Period) -> tuple[Figures, dict[str, list[Figures]]]:
    """The organisation's figures and a table for every kind of scope, in one query that
    reads the period's events once: the same figures as scope_figures(period) and
    scope_table(period, kind) for each kind."""
    rows = _rows(_figures_sql(None), _params(period, ScopeRef()))
    summary = None
    tables: dict[str, list[Figures]] = {kind: [] for kind in KIND_COLUMN}
    for row in rows:
        kind = row["kind"] or None
        figures = _figures(row, ScopeRef(kind))
        if kind is None:
            summary = figures
        else:
            tables[kind].append(figures)
    assert summary is not None
    return summary, tables


def weekly_series(period: Period, kind: str | None = None, object_id: int | None = None):
    """Threads started and replies per week of the period, weeks with nothing included."""
    scope = ScopeRef(kind, object_id)
    sql = f"""
    WITH weeks AS (
        SELECT generate_series(
            date_trunc('week', %(start)s AT TIME ZONE %(tz)s),
            (%(end)s - interval '1 microsecond') AT TIME ZONE %(tz)s,
            interval '1 week'
        ) AS week
    ),
    counts AS (
        SELECT date_trunc('week', a.occurred_at AT TIME ZONE %(tz)s) AS week,
            count(*) FILTER (WHERE a.verb = 'posted') AS posts,
            count(*) FILTER (WHERE a.verb = 'replied') AS replies
        FROM {ACTIVITY} a
        WHERE {scope.where()} AND a.verb IN ('posted', 'replied')
          AND a.occurred_at >= %(start)s AND a.occurred_at < %(end)s
        GROUP BY 1
    )
    SELECT weeks.week::date AS week, coalesce(counts.posts, 0) AS posts,
        coalesce(counts.replies, 0) AS replies
    FROM weeks LEFT JOIN counts USING (week)
    ORDER BY weeks.week
    """
    return _rows(sql, _params(period, scope))


def _trending_threads_sql(scope: ScopeRef) -> str:
    return f"""
    WITH ev AS MATERIALIZED (
        SELECT a.thread_id,
            count(*) FILTER (WHERE a.occurred_at >= %(week_start)s) AS this_week,
            count(*) FILTER (WHERE a.occurred_at < %(week_start)s) AS before
        FROM {ACTIVITY} a
        WHERE {scope.where()} AND a.thread_id IS NOT NULL AND a.verb = ANY(%(verbs)s)
          AND a.occurred_at >= %(before_start)s AND a.occurred_at < %(end)s
        GROUP BY a.thread_id
    ),
    threads AS MATERIALIZED (
        SELECT DISTINCT ON (p.thread_id) p.thread_id, p.topic_ids, p.community_id,
            p.extra ->> 'title' AS title, p.extra ->> 'url' AS url
        FROM ev JOIN {ACTIVITY} p ON p.thread_id = ev.thread_id AND p.verb = 'posted'
        ORDER BY p.thread_id, p.id
    )"""


def trending(
    period: Period, kind=None, object_id=None, *, include_private=False, limit: int = 10
) -> dict[str, list[dict]]:
    """What rose most in the last 7 days of the period against the weekly average of the
    4 weeks before, in one query: {"topics": [...], "threads": [...]}.

    Topics count the activity on threads by the thread's topics (from its posted event).
    Threads of private communities (or of communities insights has no name for) are left out
    unless include_private (a community's own page, seen by people allowed to see it).
    Titles and links come from the posted event's extra {"title", "url"}."""
    scope = ScopeRef(kind, object_id)
    visible = "TRUE" if include_private else "s.id IS NOT NULL AND NOT s.is_private"
    weeks = TRENDING_WEEKS_BEFORE
    sql = (
        _trending_threads_sql(scope)
        + f""",
    topic_rows AS (
        SELECT t.id, t.name, t.slug, x.this_week, x.before_avg,
            x.this_week - x.before_avg AS rise
        FROM (
            SELECT tid.value::bigint AS topic_id, sum(ev.this_week) AS this_week,
                round(sum(ev.before)::numeric / {weeks}, 1) AS before_avg
            FROM ev JOIN threads USING (thread_id)
            CROSS JOIN LATERAL jsonb_array_elements_text(threads.topic_ids) AS tid
            GROUP BY 1
        ) x
        JOIN {TOPIC} t ON t.id = x.topic_id
        WHERE x.this_week > x.before_avg
        ORDER BY rise DESC, x.this_week DESC, t.name
        LIMIT %(limit)s
    ),
    thread_rows AS (
        SELECT ev.thread_id, threads.title, threads.url, threads.community_id,
            s.name AS community_name, ev.this_week,
            round(ev.before::numeric / {weeks}, 1) AS before_avg,
            ev.this_week - round(ev.before::numeric / {weeks}, 1) AS rise
        FROM ev
        LEFT JOIN threads USING (thread_id)
        LEFT JOIN {SCOPE} s ON s.kind = 'community' AND s.object_id = threads.community_id
        WHERE {visible} AND ev.this_week > ev.before::numeric / {weeks}
        ORDER BY rise DESC, ev.this_week DESC, ev.thread_id
        LIMIT %(limit)s
    )
    SELECT 'topic' AS what,
        row_number() OVER (ORDER BY rise DESC, this_week DESC, name) AS position,
        id, name, slug, NULL AS thread_id, NULL AS title, NULL AS url,
        NULL::bigint AS community_id, NULL AS community_name, this_week, before_avg, rise
    FROM topic_rows
    UNION ALL
    SELECT 'thread',
        row_number() OVER (ORDER BY rise DESC, this_week DESC, thread_id),
        NULL, NULL, NULL, thread_id, title, url, community_id, community_name,
        this_week, before_avg, rise
    FROM thread_rows
    ORDER BY what DESC, position
    """
    )
    result: dict[str, list[dict]] = {"topics": [], "threads": []}
    topic_keys = ("id", "name", "slug", "this_week", "before_avg", "rise")
    thread_keys = (
        "thread_id",
        "title",
        "url",
        "community_id",
        "community_name",
        "this_week",
        "before_avg",
        "rise",
    )
    for row in _rows(sql, _trending_params(period, scope, limit)):
        if row["what"] == "topic":
            result["topics"].append({k: row[k] for k in topic_keys})
        else:
            result["threads"].append({k: row[k] for k in thread_keys})
    return result


def trending_topics(period: Period, kind=None, object_id=None, *, limit: int = 10):
    return trending(period, kind, object_id, limit=limit)["topics"]


def trending_threads(
    period: Period, kind=None, object_id=None, *, include_private=False, limit: int = 10
):
    return trending(period, kind, object_id, include_private=include_private, limit=limit)[
        "threads"
    ]


def _trending_params(period: Period, scope: ScopeRef, limit: int) -> dict:
    week_start = period.end - timedelta(days=7)
    return _params(
        period,
        scope,
        week_start=week_start,
        before_start=week_start - timedelta(weeks=TRENDING_WEEKS_BEFORE),
        verbs=[str(v) for v in TRENDING_VERBS],
        limit=limit,
    )


def _personas_sql(scope: ScopeRef) -> str:
    """(uid, persona, counts) for members at the end plus everyone who acted in the period."""
    where = scope.where()
    # One scope's members are one row per person already; all scopes of a kind are not.
    distinct = "DISTINCT" if scope.kind and scope.object_id is None else ""
    return f"""
    WITH acts AS (
        SELECT a.actor_id AS uid,
            bool_or(a.verb = 'session_answered' OR a.verb = 'answer_accepted'
                OR (a.verb = 'replied' AND a.is_question
                    AND a.target_user_id IS DISTINCT FROM a.actor_id)) AS responder,
            bool_or(a.verb <> ALL(%(passive)s)) AS acted,
            count(*) FILTER (WHERE a.verb = 'posted') AS posts,
            count(*) FILTER (WHERE a.verb = 'replied') AS replies,
            count(*) FILTER (WHERE a.verb = 'reacted') AS reactions
        FROM {ACTIVITY} a
        WHERE {where} AND a.actor_id IS NOT NULL
          AND a.occurred_at >= %(start)s AND a.occurred_at < %(end)s
        GROUP BY 1
    ),
    catalysts AS (
        SELECT DISTINCT p.actor_id AS uid
        FROM {ACTIVITY} p
        WHERE {where.replace("a.", "p.")} AND p.verb = 'posted' AND p.thread_id IS NOT NULL
          AND p.occurred_at >= %(start)s AND p.occurred_at < %(end)s
          AND EXISTS (
              SELECT 1 FROM {ACTIVITY} r
              WHERE r.thread_id = p.thread_id AND r.verb = 'replied'
                AND r.actor_id IS DISTINCT FROM p.actor_id
                AND r.occurred_at >= %(start)s AND r.occurred_at < %(end)s
          )
    ),
    members AS (SELECT {distinct} uid FROM ({_members_sql(scope, ids=True)}) m)
    -- Members at the end and everyone who acted: one join, no de-duplicating union.
    SELECT uid,
        CASE WHEN catalysts.uid IS NOT NULL THEN 'catalyst'
             WHEN acts.responder THEN 'responder'
             WHEN acts.acted THEN 'engager'
             ELSE 'observer' END AS persona,
        coalesce(acts.posts, 0) AS posts, coalesce(acts.replies, 0) AS replies,
        coalesce(acts.reactions, 0) AS reactions
    FROM acts
    FULL JOIN members USING (uid)
    LEFT JOIN catalysts USING (uid)
    """


def persona_distribution(period: Period, kind=None, object_id=None) -> list[dict]:
    """How many people are catalysts, responders, engagers and observers (one query)."""
    scope = ScopeRef(kind, object_id)
    sql = f"SELECT persona, count(*) AS people FROM ({_personas_sql(scope)}) x GROUP BY persona"
    counts = {r["persona"]: r["people"] for r in _rows(sql, _persona_params(period, scope))}
    total = sum(counts.values())
    return [
        {
            "persona": key,
            "label": str(label),
            "description": str(description),
            "people": counts.get(key, 0),
            "share": counts.get(key, 0) / total if total else None,
        }
        for key, label, description in PERSONAS
    ]


def persona_people(
    period: Period, kind=None, object_id=None, *, limit: int | None = None, contributors=False
) -> list[dict]:
    """Each person's persona with their name and department, most involved first."""
    scope = ScopeRef(kind, object_id)
    rank = " ".join(f"WHEN '{key}' THEN {i}" for i, (key, *_rest) in enumerate(PERSONAS))
    sql = f"""
    SELECT x.uid AS user_id, x.persona, x.posts, x.replies, x.reactions,
        coalesce(nullif(pr.display_name, ''), nullif(trim(u.first_name || ' ' || u.last_name), ''),
                 u.email, u.username) AS name,
        d.name AS department
    FROM ({_personas_sql(scope)}) x
    JOIN {USER} u ON u.id = x.uid
    LEFT JOIN {PROFILE} pr ON pr.user_id = u.id
    LEFT JOIN {DEPARTMENT} d ON d.id = pr.department_id
    {"WHERE x.persona <> 'observer'" if contributors else ""}
    ORDER BY CASE x.persona {rank} END, x.posts + x.replies + x.reactions DESC, name, x.uid
    {"LIMIT %(limit)s" if limit else ""}
    """
    rows = _rows(sql, _persona_params(period, scope, limit=limit))
    for row in rows:
        row["persona"] = str(PERSONA_NAMES.get(row["persona"], row["persona"]))
    return rows


def _persona_params(period: Period, scope: ScopeRef, **more) -> dict:
    return _params(period, scope, passive=[str(v) for v in PASSIVE_VERBS], **more)


def mentoring_supply_demand(period: Period, programme_id=None, *, limit: int = 20) -> list[dict]:
    """People enrolled as mentors (supply) and protégés (demand) per topic, up to the end."""
    scope = ScopeRef(Scope.Kind.PROGRAMME if programme_id else None, programme_id)
    sql = f"""
    SELECT t.id, t.name,
        count(DISTINCT a.actor_id) FILTER (WHERE a.verb = 'mentor_enrolled') AS supply,
        count(DISTINCT a.actor_id) FILTER (WHERE a.verb = 'protege_enrolled') AS demand
    FROM {ACTIVITY} a
    CROSS JOIN LATERAL jsonb_array_elements_text(a.topic_ids) AS tid
    JOIN {TOPIC} t ON t.id = tid.value::bigint
    WHERE {scope.where()} AND a.verb IN ('mentor_enrolled', 'protege_enrolled')
      AND jsonb_typeof(a.topic_ids) = 'array' AND a.occurred_at < %(end)s
    GROUP BY t.id, t.name
    ORDER BY count(DISTINCT a.actor_id) DESC, t.name
    LIMIT %(limit)s
    """
    rows = _rows(sql, _params(period, scope, limit=limit))
    for row in rows:
        row["gap"] = row["demand"] - row["supply"]
    return rows


def challenge_steps(period: Period, challenge_id: int) -> list[dict]:
    """For each step: people who completed it by the end, out of those who joined."""
    sql = f"""
    WITH joined AS (
        SELECT count(DISTINCT a.actor_id) AS n FROM {ACTIVITY} a
        WHERE a.challenge_id = %(oid)s AND a.verb = 'challenge_joined' AND a.occurred_at < %(end)s
    ),
    steps AS (
        SELECT a.object_id AS step_id,
            min(CASE WHEN jsonb_typeof(a.extra -> 'step_index') = 'number'
                THEN (a.extra ->> 'step_index')::numeric::int END) AS step_index,
            max(a.extra ->> 'step_title') AS title,
            count(DISTINCT a.actor_id) AS completed
        FROM {ACTIVITY} a
        WHERE a.challenge_id = %(oid)s AND a.verb = 'step_completed'
          AND a.object_id IS NOT NULL AND a.occurred_at < %(end)s
        GROUP BY a.object_id
    )
    SELECT steps.step_id, steps.step_index, steps.title, steps.completed,
        joined.n AS participants
    FROM steps CROSS JOIN joined
    ORDER BY steps.step_index NULLS LAST, steps.step_id
    """
    rows = _rows(sql, _params(period, ScopeRef(Scope.Kind.CHALLENGE, challenge_id)))
    for row in rows:
        n = row["participants"]
        row["share"] = row["completed"] / n if n else None
    return rows
