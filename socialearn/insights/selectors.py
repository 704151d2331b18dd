"""What the insights pages and exports read: each table is one aggregate query."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import figures as f
from . import tables as t
from .charts import bar_chart, line_chart
from .figures import Period
from .models import Scope

logger = logging.getLogger(__name__)

KIND_PLURALS = {
    Scope.Kind.COMMUNITY: "communities",
    Scope.Kind.PROGRAMME: "programmes",
    Scope.Kind.SESSION: "sessions",
    Scope.Kind.CHALLENGE: "challenges",
}
PLURAL_KINDS = {plural: kind for kind, plural in KIND_PLURALS.items()}
KIND_HEADINGS = {
    Scope.Kind.COMMUNITY: gettext_lazy("Communities"),
    Scope.Kind.PROGRAMME: gettext_lazy("Mentoring programmes"),
    Scope.Kind.SESSION: gettext_lazy("Expert sessions"),
    Scope.Kind.CHALLENGE: gettext_lazy("Challenges"),
}
# Under a table with nothing in it, and on the row that opens the rest of a long one.
KIND_EMPTY = {
    Scope.Kind.COMMUNITY: gettext_lazy("No communities yet."),
    Scope.Kind.PROGRAMME: gettext_lazy("No mentoring programmes yet."),
    Scope.Kind.SESSION: gettext_lazy("No expert sessions yet."),
    Scope.Kind.CHALLENGE: gettext_lazy("No challenges yet."),
}


def _the_others(kind: str, count: int) -> str:
    texts: dict[str, str] = {
        Scope.Kind.COMMUNITY: ngettext(
            "The other %(count)d community", "The other %(count)d communities", count
        ),
        Scope.Kind.PROGRAMME: ngettext(
            "The other %(count)d mentoring programme",
            "The other %(count)d mentoring programmes",
            count,
        ),
        Scope.Kind.SESSION: ngettext(
            "The other %(count)d expert session", "The other %(count)d expert sessions", count
        ),
        Scope.Kind.CHALLENGE: ngettext(
            "The other %(count)d challenge", "The other %(count)d challenges", count
        ),
    }
    return texts[kind] % {"count": count}


def _thread_rows(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["title"] = row.get("title") or _("Thread %(id)s") % {"id": row["thread_id"]}
        row["community_name"] = row.get("community_name") or ""
    return rows


def _trending(rows: dict) -> dict:
    return {"topics": rows["topics"], "threads": _thread_rows(rows["threads"])}


def _weekly(period: Period, kind=None, object_id=None) -> list[dict]:
    rows = f.weekly_series(period, kind, object_id)
    for row in rows:
        row["week"] = row["week"].isoformat()
    return rows


def weekly_chart(rows: list[dict], *, slug: str = "weekly") -> dict:
    return line_chart(
        title=_("Threads and replies per week"),
        labels=[date_format(date.fromisoformat(r["week"]), "MONTH_DAY_FORMAT") for r in rows],
        series=[
            (_("Threads"), [r["posts"] for r in rows]),
            (_("Replies"), [r["replies"] for r in rows]),
        ],
        slug=slug,
    )


def persona_chart(rows: list[dict], *, slug: str = "personas") -> dict:
    return bar_chart(
        title=_("Participation personas (people)"),
        items=[(r["label"], r["people"]) for r in rows],
        slug=slug,
        width=420,
        # Room for the longest name ("Responders", "Antwortende") at the 19px phones use.
        label_width=130,
    )


def steps_chart(rows: list[dict]) -> dict:
    return bar_chart(
        title=_("Completion per step (% of participants)"),
        items=[
            (
                f"{r['step_index'] if r['step_index'] is not None else '?'}. "
                f"{r['title'] or _('Step %(id)s') % {'id': r['step_id']}}",
                round((r["share"] or 0) * 100),
            )
            for r in rows
        ],
        slug="steps",
        unit="%",
    )


# A closed period's figures cannot change while nothing is recorded into it: they are kept
# (a week at most) under a key naming the closed-periods generation (a new one whenever an
# event is recorded with a moment before CLOSING_GRACE ago: a late or backdated one, see
# services.activity_record), the newest person and the number who left, and the newest
# scope. Page views, recorded as they happen, never reach a closed period, so they no longer
# recompute it (the key named the newest activity row: every page view did).
CLOSED_PERIOD_SECONDS = 7 * 24 * 3600
CLOSED_GENERATION_KEY = "insights:closed-generation"
# A period is worked out as a running one until this long after its end, so that events
# recorded as it closed (in transactions still open then) are in its closed figures.
CLOSING_GRACE = timedelta(minutes=10)
# A period still running changes with every event (every page view is one): its figures are
# worked out at most this often, over a year of a large organisation's activity each time
# (seconds at 100,000 people), and the page says when ("as of 14:05"). Once they are older,
# the next request asks a worker to work them out again and is shown the last ones, as is
# everyone until the worker is done; only a request that finds no figures at all, or cannot
# reach the broker, computes them itself.
CURRENT_PERIOD_SECONDS = 5 * 60
CURRENT_PERIOD_KEPT_SECONDS = 24 * 3600
_refreshing: ContextVar[bool] = ContextVar("insights_refreshing", default=False)


@contextmanager
def refreshing() -> Iterator[None]:
    """Inside, a running period's figures are worked out now whatever is kept (the worker)."""
    token = _refreshing.set(True)
    try:
        yield
    finally:
        _refreshing.reset(token)


def _current_period_cached(
    period: Period, what: str, compute: Callable[[], dict], refresh: Refresh
) -> dict:
    key = f"insights:{what}:current:{period.start.isoformat()}:{period.end.isoformat()}"
    busy = f"{key}:busy"
    now = timezone.now()
    if not _refreshing.get():
        found = cache.get(key)
        if found is not None and (now - found["as_of"]).total_seconds() < CURRENT_PERIOD_SECONDS:
            return found
        if found is not None:
            if cache.add(busy, True, CURRENT_PERIOD_SECONDS) and not _ask_worker(period, refresh):
                return _computed(key, busy, compute, now)
            return found  # a worker is working them out
    return _computed(key, busy, compute, now)


def _computed(key: str, busy: str, compute: Callable[[], dict], now) -> dict:
    found = {**compute(), "as_of": now, "refresh_minutes": CURRENT_PERIOD_SECONDS // 60}
    cache.set(key, found, CURRENT_PERIOD_KEPT_SECONDS)
    cache.delete(busy)
    return found


def _ask_worker(period: Period, refresh: Refresh) -> bool:
    from .tasks import refresh_running_period

    page, scope, table = refresh
    try:
        refresh_running_period.apply_async(
            kwargs={
                "page": page,
                "period": period.as_dict(),
                "language": translation.get_language() or settings.LANGUAGE_CODE,
                "scope_id": scope.pk if scope else None,
                "table": table,
            },
            retry=False,
        )
    except Exception as error:  # the broker is away: this request works them out
        logger.warning("Could not ask a worker for the running figures (%s)", error)
        return False
    return True


# How a worker works a page's figures out again: the page, its scope and table.
Refresh = tuple[str, "Scope | None", "str | None"]


def _period_cached(
    period: Period, what: str, compute: Callable[[], dict], refresh: Refresh
) -> dict:
    # The figures come with their words (labels, notes, chart titles): kept per language,
    # under the keys they always had for the site's own language.
    language = translation.get_language()
    if language != settings.LANGUAGE_CODE:
        what = f"{what}:{language}"
    if period.end + CLOSING_GRACE > timezone.now():
        return _current_period_cached(period, what, compute, refresh)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT max(id) FROM auth_user),"
            " (SELECT count(*) FROM auth_user WHERE NOT is_active),"
            " (SELECT max(id) FROM insights_scope)"
        )
        people = "-".join(str(v) for v in cursor.fetchone())
    generation = cache.get(CLOSED_GENERATION_KEY, "")
    key = f"insights:{what}:{period.start.isoformat()}:{period.end.isoformat()}"
    key += f":{generation}:{people}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CLOSED_PERIOD_SECONDS)
    return found


def closed_periods_changed() -> None:
    """Something was recorded into the past: every closed period's figures are worked out
    again on their next view."""
    cache.set(CLOSED_GENERATION_KEY, uuid.uuid4().hex, None)


def overview(period: Period) -> dict:
    """Everything on the organisation page (a fixed number of queries; one for a closed
    period already computed)."""

    def compute() -> dict:
        with f.tuned():
            return _overview(period)

    return _period_cached(period, "overview", compute, ("overview", None, None))


def nudges_page(period: Period) -> dict:
    """The nudges page's figures (insights.nudges.conversion), kept as the overview's are: its
    one query reads every nudge of the period and what followed it (about 10 ms at 100,000
    people), on every view of a page whose figures change no faster than the overview's."""
    from .nudges import conversion

    return _period_cached(period, "nudges", lambda: conversion(period), ("nudges", None, None))


def _previous_summary(period: Period, kind=None, object_id=None) -> tuple[f.Figures | None, str]:
    previous = previous_period(period)
    if previous is None:
        return None, ""
    return f.scope_figures(previous, kind, object_id), previous.label


def _overview(period: Period) -> dict:
    summary, tables = f.overview_figures(period)
    previous, previous_label = _previous_summary(period)
    kind_tables = []
    for kind, plural in KIND_PLURALS.items():
        rows = tables[kind]
        columns = t.SCOPE_COLUMNS[kind]
        kind_tables.append(
            {
                "kind": kind,
                "slug": plural,
                "heading": str(KIND_HEADINGS[kind]),
                "empty": str(KIND_EMPTY[kind]),
                "others": _the_others(kind, len(rows) - 15) if len(rows) > 15 else "",
                "headings": [str(h) for h, _f, _k in columns],
                "rows": [
                    {"scope": row, "cells": c}
                    for row, c in zip(rows, t.cells(rows, columns), strict=True)
                ],
            }
        )
    weekly = _weekly(period)
    personas = f.persona_distribution(period)
    return {
        "summary": summary,
        "summary_cards": summary_cards(summary, previous=previous, previous_label=previous_label),
        "kind_tables": kind_tables,
        "weekly": weekly,
        "weekly_chart": weekly_chart(weekly),
        **_trending(f.trending(period)),
        "personas": personas,
        "persona_chart": persona_chart(personas),
        "mentoring": f.mentoring_supply_demand(period),
    }


def previous_period(period: Period) -> Period | None:
    """The same number of days just before `period`: what each figure is compared with."""
    if period.first_day is None or period.last_day is None:
        return None
    days = (period.last_day - period.first_day).days + 1
    return Period.for_days(
        first=period.first_day - timedelta(days=days),
        last=period.first_day - timedelta(days=1),
        tz=period.tz,
        key="previous",
        label=ngettext("the previous %(days)d day", "the previous %(days)d days", days)
        % {"days": days},
    )


COUNT, RATE, LOWER_IS_BETTER = "count", "rate", "lower"


def change(now, before, how: str = COUNT) -> dict | None:
    """How a figure moved since the previous period: {"direction": "up"|"down"|"same",
    "text": "+12%"|"−3 pts", "better": bool|None}; None when there is nothing to compare."""
    if now is None or before is None:
        return None
    if how == RATE:
        delta = round((now - before) * 100)
        sign = "+" if delta > 0 else "−" if delta < 0 else "±"
        text = _("%(sign)s%(delta)d pts") % {"sign": sign, "delta": abs(delta)}
    else:
        if not before:
            return None
        delta = round((now - before) / before * 100)
        sign = "+" if delta > 0 else "−" if delta < 0 else "±"
        text = _("%(sign)s%(delta)d%%") % {"sign": sign, "delta": abs(delta)}
    direction = "up" if delta > 0 else "down" if delta < 0 else "same"
    better = None if direction == "same" else (direction == "up") != (how == LOWER_IS_BETTER)
    return {"direction": direction, "text": text, "better": better}


def summary_cards(
    summary: f.Figures,
    *,
    health: bool = True,
    previous: f.Figures | None = None,
    previous_label: str = "",
) -> list[dict]:
    """The headline figures, each with a one-line explanation and, given the previous
    period's figures, how it moved since."""
    s = summary

    def n(value) -> str:
        return t.display(value, t.INT)

    cards: list[dict[str, Any]] = [
        {
            "label": _("Members"),
            "value": t.display(s.members, t.INT),
            "note": _("at the end of the period"),
        },
        {
            "label": _("Engagement rate"),
            "value": t.display(s.engagement_rate, t.PCT),
            "note": _("%(members)s members acted; %(people)s people in all")
            % {"members": n(s.active_members), "people": n(s.active)},
        },
        {
            "label": _("Threads and replies"),
            "value": f"{n(s.posts)} · {n(s.replies)}",
            "note": _("threads started · replies"),
        },
        {
            "label": _("Questions answered"),
            "value": t.display(s.answered_share, t.PCT),
            "note": _("%(answered)s of %(questions)s questions")
            % {"answered": n(s.answered), "questions": n(s.questions)},
        },
        {
            "label": _("Median time to first answer"),
            "value": t.display(s.median_first_answer, t.DURATION),
            "note": _("for questions asked in the period"),
        },
        {
            "label": _("Answers across departments"),
            "value": t.display(s.crossed_share, t.PCT),
            "note": _("%(crossed)s of %(answers)s answers")
            % {"crossed": n(s.answers_crossed), "answers": n(s.answers_known_departments)},
        },
        {
            "label": _("People reached by help requests"),
            "value": t.display(s.help_reached, t.INT),
            "note": _("by %(requests)s requests") % {"requests": n(s.help_requests)},
        },
        {
            "label": _("Newcomers welcomed"),
            "value": t.display(s.welcomed, t.INT),
            "note": _("in onboarding"),
        },
    ]
    if health:
        cards.append(
            {
                "label": _("Health index"),
                "value": t.display(s.health_index, t.PCT),
                "note": _("%(month)s active this month of %(year)s in 12 months")
                % {"month": n(s.active_month), "year": n(s.active_year)},
            }
        )
    if previous is not None:
        p = previous
        moves = [
            change(s.members, p.members),
            change(s.engagement_rate, p.engagement_rate, RATE),
            change(s.posts + s.replies, p.posts + p.replies),
            change(s.answered_share, p.answered_share, RATE),
            change(s.median_first_answer, p.median_first_answer, LOWER_IS_BETTER),
            change(s.crossed_share, p.crossed_share, RATE),
            change(s.help_reached, p.help_reached),
            change(s.welcomed, p.welcomed),
            change(s.health_index, p.health_index, RATE),
        ]
        for card, move in zip(cards, moves, strict=False):
            if move:
                move["since"] = previous_label
            card["change"] = move
    return cards


def scope_page(period: Period, scope: Scope) -> dict:
    def compute() -> dict:
        with f.tuned():
            return _scope_page(period, scope)

    what = f"scope:{scope.kind}:{scope.object_id}"
    return _period_cached(period, what, compute, ("scope", scope, None))


def _scope_page(period: Period, scope: Scope) -> dict:
    kind, oid = scope.kind, scope.object_id
    summary = f.scope_figures(period, kind, oid)
    previous, previous_label = _previous_summary(period, kind, oid)
    weekly = _weekly(period, kind, oid)
    personas = f.persona_distribution(period, kind, oid)
    context = {
        "summary": summary,
        "summary_cards": summary_cards(
            summary,
            health=kind in f.HEALTH_KINDS,
            previous=previous,
            previous_label=previous_label,
        ),
        "weekly": weekly,
        "weekly_chart": weekly_chart(weekly),
        "personas": personas,
        "persona_chart": persona_chart(personas),
        "people": t.cells(
            f.persona_people(period, kind, oid, limit=20, contributors=True), t.PEOPLE_COLUMNS
        ),
        "people_headings": [str(h) for h, _f, _k in t.PEOPLE_COLUMNS],
    }
    if kind == Scope.Kind.COMMUNITY:
        context["topics"] = f.trending_topics(period, kind, oid)
        context["threads"] = _thread_rows(
            f.trending_threads(period, kind, oid, include_private=True)
        )
    if kind == Scope.Kind.PROGRAMME:
        context["mentoring"] = f.mentoring_supply_demand(period, oid)
    if kind == Scope.Kind.CHALLENGE:
        steps = f.challenge_steps(period, oid)
        context["steps"] = steps
        context["steps_chart"] = steps_chart(steps)
    return context


# --- exports: table slug -> (rows, columns) ----------------------------------------------

Export = Callable[[Period, Scope | None], tuple[list, list]]


def _summary(period, scope):
    kind, oid = (scope.kind, scope.object_id) if scope else (None, None)
    return [f.scope_figures(period, kind, oid)], t.SUMMARY_COLUMNS


def _scope_table(kind: str) -> Export:
    def export(period, scope):
        name = (gettext_lazy("Name"), "name", t.TEXT)
        return f.scope_table(period, kind), [name, *t.SCOPE_COLUMNS[kind]]

    return export


def _args(scope):
    return (scope.kind, scope.object_id) if scope else (None, None)


EXPORTS: dict[str, tuple[Export, set]] = {
    # slug: (rows and columns, where it is offered: "org" and/or scope kinds)
    "summary": (_summary, {"org", *KIND_PLURALS}),
    **{plural: (_scope_table(kind), {"org"}) for kind, plural in KIND_PLURALS.items()},
    "weekly": (lambda p, s: (_weekly(p, *_args(s)), t.WEEKLY_COLUMNS), {"org", *KIND_PLURALS}),
    "trending-topics": (
        lambda p, s: (f.trending_topics(p, *_args(s)), t.TOPIC_COLUMNS),
        {"org", Scope.Kind.COMMUNITY},
    ),
    "trending-threads": (
        lambda p, s: (
            _thread_rows(f.trending_threads(p, *_args(s), include_private=s is not None)),
            t.THREAD_COLUMNS,
        ),
        {"org", Scope.Kind.COMMUNITY},
    ),
    "personas": (
        lambda p, s: (f.persona_distribution(p, *_args(s)), t.PERSONA_COLUMNS),
        {"org", *KIND_PLURALS},
    ),
    "people": (
        lambda p, s: (f.persona_people(p, *_args(s)), t.PEOPLE_COLUMNS),
        {"org", *KIND_PLURALS},
    ),
    "mentoring": (
        lambda p, s: (
            f.mentoring_supply_demand(p, s.object_id if s else None),
            t.MENTORING_COLUMNS,
        ),
        {"org", Scope.Kind.PROGRAMME},
    ),
    "steps": (
        lambda p, s: (f.challenge_steps(p, s.object_id if s else 0), t.STEP_COLUMNS),
        {Scope.Kind.CHALLENGE},
    ),
}


def export_table(period: Period, table: str, scope: Scope | None) -> str | None:
    """The CSV text of one table, or None when this table is not offered there."""
    entry = EXPORTS.get(table)
    where = scope.kind if scope else "org"
    if entry is None or where not in entry[1]:
        return None

    def compute() -> dict:
        with f.tuned():
            rows, columns = entry[0](period, scope)
        return {"text": t.to_csv(rows, columns)}

    # The same figures as the page's, kept as long (a period still running: 5 minutes).
    what = f"export:{table}:" + (f"{scope.kind}:{scope.object_id}" if scope else "org")
    return _period_cached(period, what, compute, ("export", scope, table))["text"]
