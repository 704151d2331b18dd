"""The tables the insights pages show and export, column by column.

A column is (heading, key, format). The page and the CSV read the same definitions, so an
export always matches what the page shows (CSV keeps full precision, the page rounds).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .figures import Figures

INT, PCT, DURATION, TEXT, NUM = "int", "pct", "duration", "text", "num"

SCOPE_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "community": [
        (gettext_lazy("Members"), "members", INT),
        (gettext_lazy("Active people"), "active", INT),
        (gettext_lazy("Engagement"), "engagement_rate", PCT),
        (gettext_lazy("Threads"), "posts", INT),
        (gettext_lazy("Replies"), "replies", INT),
        (gettext_lazy("Questions"), "questions", INT),
        (gettext_lazy("Answered"), "answered_share", PCT),
        (gettext_lazy("Median first answer"), "median_first_answer", DURATION),
        (gettext_lazy("Cross-department answers"), "crossed_share", PCT),
        (gettext_lazy("Newcomers welcomed"), "welcomed", INT),
        (gettext_lazy("Health"), "health_index", PCT),
    ],
    "programme": [
        (gettext_lazy("Enrolled"), "members", INT),
        (gettext_lazy("Active"), "active", INT),
        (gettext_lazy("Engagement"), "engagement_rate", PCT),
        (gettext_lazy("Matches accepted"), "matches_accepted", INT),
        (gettext_lazy("Matches completed"), "matches_completed", INT),
        (gettext_lazy("Goals set"), "goals_set", INT),
        (gettext_lazy("Goals achieved"), "goals_achieved", INT),
        (gettext_lazy("Meetings planned"), "meetings_scheduled", INT),
        (gettext_lazy("Surveys answered"), "checkins_answered", INT),
    ],
    "session": [
        (gettext_lazy("Participants"), "members", INT),
        (gettext_lazy("Questions"), "questions", INT),
        (gettext_lazy("Answered"), "answered_share", PCT),
        (gettext_lazy("Median first answer"), "median_first_answer", DURATION),
        (gettext_lazy("Deferred"), "deferred", INT),
        (gettext_lazy("Cross-department answers"), "crossed_share", PCT),
    ],
    "challenge": [
        (gettext_lazy("Participants"), "members", INT),
        (gettext_lazy("Active"), "active", INT),
        (gettext_lazy("Engagement"), "engagement_rate", PCT),
        (gettext_lazy("Steps completed"), "steps_completed", INT),
        (gettext_lazy("Replies"), "replies", INT),
    ],
}

SUMMARY_COLUMNS = [
    (gettext_lazy("Members"), "members", INT),
    (gettext_lazy("Active people"), "active", INT),
    (gettext_lazy("Active members"), "active_members", INT),
    (gettext_lazy("Engagement rate"), "engagement_rate", PCT),
    (gettext_lazy("Threads started"), "posts", INT),
    (gettext_lazy("Replies"), "replies", INT),
    (gettext_lazy("Questions"), "questions", INT),
    (gettext_lazy("Questions answered"), "answered", INT),
    (gettext_lazy("Share answered"), "answered_share", PCT),
    (gettext_lazy("Median time to first answer"), "median_first_answer", DURATION),
    (gettext_lazy("Answers"), "answers", INT),
    (gettext_lazy("Answers across departments"), "answers_crossed", INT),
    (gettext_lazy("Share across departments"), "crossed_share", PCT),
    (gettext_lazy("Help requests"), "help_requests", INT),
    (gettext_lazy("People reached by help requests"), "help_reached", INT),
    (gettext_lazy("Newcomers welcomed"), "welcomed", INT),
    (gettext_lazy("Challenge steps completed"), "steps_completed", INT),
    (gettext_lazy("Mentoring matches accepted"), "matches_accepted", INT),
    (gettext_lazy("Active this month"), "active_month", INT),
    (gettext_lazy("Active in the last 12 months"), "active_year", INT),
    (gettext_lazy("Health index"), "health_index", PCT),
]

WEEKLY_COLUMNS = [
    (gettext_lazy("Week of"), "week", TEXT),
    (gettext_lazy("Threads"), "posts", INT),
    (gettext_lazy("Replies"), "replies", INT),
]
TOPIC_COLUMNS = [
    (gettext_lazy("Topic"), "name", TEXT),
    (gettext_lazy("This week"), "this_week", INT),
    (gettext_lazy("Weekly average before"), "before_avg", NUM),
    (gettext_lazy("Rise"), "rise", NUM),
]
THREAD_COLUMNS = [
    (gettext_lazy("Thread"), "title", TEXT),
    (gettext_lazy("Community"), "community_name", TEXT),
    (gettext_lazy("This week"), "this_week", INT),
    (gettext_lazy("Weekly average before"), "before_avg", NUM),
    (gettext_lazy("Rise"), "rise", NUM),
]
PERSONA_COLUMNS = [
    (gettext_lazy("Persona"), "label", TEXT),
    (gettext_lazy("What they do"), "description", TEXT),
    (gettext_lazy("People"), "people", INT),
    (gettext_lazy("Share"), "share", PCT),
]
PEOPLE_COLUMNS = [
    (gettext_lazy("Person"), "name", TEXT),
    (gettext_lazy("Department"), "department", TEXT),
    (gettext_lazy("Persona"), "persona", TEXT),
    (gettext_lazy("Threads"), "posts", INT),
    (gettext_lazy("Replies"), "replies", INT),
    (gettext_lazy("Reactions"), "reactions", INT),
]
MENTORING_COLUMNS = [
    (gettext_lazy("Topic"), "name", TEXT),
    (gettext_lazy("Protégés (demand)"), "demand", INT),
    (gettext_lazy("Mentors (supply)"), "supply", INT),
    (gettext_lazy("Gap"), "gap", INT),
]
STEP_COLUMNS = [
    (gettext_lazy("Step"), "step_index", TEXT),
    (gettext_lazy("Title"), "title", TEXT),
    (gettext_lazy("Completed"), "completed", INT),
    (gettext_lazy("Participants"), "participants", INT),
    (gettext_lazy("Completion"), "share", PCT),
]


def value_of(row, key: str):
    return getattr(row, key) if isinstance(row, Figures) else row.get(key)


def display(value, fmt: str) -> str:
    """A value as the page shows it, in the reader's language ("1,234" or "1.234")."""
    if value is None or value == "":
        return "–"
    if fmt == PCT:
        return _("%(percent)s%%") % {"percent": f"{value * 100:.0f}"}
    if fmt == DURATION:
        return duration(value)
    if fmt == INT:
        return number_format(value, force_grouping=True)
    if fmt == NUM:
        return number_format(value) if isinstance(value, float) else str(value)
    return str(value)


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return _("%(s)d s") % {"s": seconds}
    minutes = seconds // 60
    if minutes < 60:
        return _("%(min)d min") % {"min": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        if minutes:
            return _("%(h)d h %(min)d min") % {"h": hours, "min": minutes}
        return _("%(h)d h") % {"h": hours}
    days, hours = divmod(hours, 24)
    if hours:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    return _("%(d)d d") % {"d": days}


def csv_value(value, fmt: str):
    if value is None:
        return ""
    if fmt == PCT:
        return round(value * 100, 2)
    if fmt == DURATION:
        return round(value / 3600, 3)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # never a formula in someone's spreadsheet
    return value


def csv_heading(heading: str, fmt: str) -> str:
    if fmt == PCT:
        return f"{heading} (%)"
    if fmt == DURATION:
        return _("%(heading)s (hours)") % {"heading": heading}
    return str(heading)


def cells(rows: Iterable, columns) -> list[list[str]]:
    return [[display(value_of(row, key), fmt) for _, key, fmt in columns] for row in rows]


def to_csv(rows: Iterable, columns, *, first: list[tuple[str, str]] | None = None) -> str:
    """CSV text; `first` adds leading (heading, key) text columns (e.g. the scope's name)."""
    first = first or []
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([h for h, _ in first] + [csv_heading(h, fmt) for h, _, fmt in columns])
    for row in rows:
        writer.writerow(
            [csv_value(value_of(row, key), TEXT) for _, key in first]
            + [csv_value(value_of(row, key), fmt) for _, key, fmt in columns]
        )
    return out.getvalue()
