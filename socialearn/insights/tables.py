"""The tables the insights pages show and export, column by column.

A column is (heading, key, format). The page and the CSV read the same definitions, so an
export always matches what the page shows (CSV keeps full precision, the page rounds).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from .figures import Figures

INT, PCT, DURATION, TEXT, NUM = "int", "pct", "duration", "text", "num"

SCOPE_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "community": [
        ("Members", "members", INT),
        ("Active people", "active", INT),
        ("Engagement", "engagement_rate", PCT),
        ("Threads", "posts", INT),
        ("Replies", "replies", INT),
        ("Questions", "questions", INT),
        ("Answered", "answered_share", PCT),
        ("Median first answer", "median_first_answer", DURATION),
        ("Cross-department answers", "crossed_share", PCT),
        ("Newcomers welcomed", "welcomed", INT),
        ("Health", "health_index", PCT),
    ],
    "programme": [
        ("Enrolled", "members", INT),
        ("Active", "active", INT),
        ("Engagement", "engagement_rate", PCT),
        ("Matches accepted", "matches_accepted", INT),
        ("Matches completed", "matches_completed", INT),
        ("Goals set", "goals_set", INT),
        ("Goals achieved", "goals_achieved", INT),
        ("Meetings planned", "meetings_scheduled", INT),
        ("Surveys answered", "checkins_answered", INT),
    ],
    "session": [
        ("Participants", "members", INT),
        ("Questions", "questions", INT),
        ("Answered", "answered_share", PCT),
        ("Median first answer", "median_first_answer", DURATION),
        ("Deferred", "deferred", INT),
        ("Cross-department answers", "crossed_share", PCT),
    ],
    "challenge": [
        ("Participants", "members", INT),
        ("Active", "active", INT),
        ("Engagement", "engagement_rate", PCT),
        ("Steps completed", "steps_completed", INT),
        ("Replies", "replies", INT),
    ],
}

SUMMARY_COLUMNS = [
    ("Members", "members", INT),
    ("Active people", "active", INT),
    ("Active members", "active_members", INT),
    ("Engagement rate", "engagement_rate", PCT),
    ("Threads started", "posts", INT),
    ("Replies", "replies", INT),
    ("Questions", "questions", INT),
    ("Questions answered", "answered", INT),
    ("Share answered", "answered_share", PCT),
    ("Median time to first answer", "median_first_answer", DURATION),
    ("Answers", "answers", INT),
    ("Answers across departments", "answers_crossed", INT),
    ("Share across departments", "crossed_share", PCT),
    ("Help requests", "help_requests", INT),
    ("People reached by help requests", "help_reached", INT),
    ("Newcomers welcomed", "welcomed", INT),
    ("Challenge steps completed", "steps_completed", INT),
    ("Mentoring matches accepted", "matches_accepted", INT),
    ("Active this month", "active_month", INT),
    ("Active in the last 12 months", "active_year", INT),
    ("Health index", "health_index", PCT),
]

WEEKLY_COLUMNS = [("Week of", "week", TEXT), ("Threads", "posts", INT), ("Replies", "replies", INT)]
TOPIC_COLUMNS = [
    ("Topic", "name", TEXT),
    ("This week", "this_week", INT),
    ("Weekly average before", "before_avg", NUM),
    ("Rise", "rise", NUM),
]
THREAD_COLUMNS = [
    ("Thread", "title", TEXT),
    ("Community", "community_name", TEXT),
    ("This week", "this_week", INT),
    ("Weekly average before", "before_avg", NUM),
    ("Rise", "rise", NUM),
]
PERSONA_COLUMNS = [
    ("Persona", "label", TEXT),
    ("What they do", "description", TEXT),
    ("People", "people", INT),
    ("Share", "share", PCT),
]
PEOPLE_COLUMNS = [
    ("Person", "name", TEXT),
    ("Department", "department", TEXT),
    ("Persona", "persona", TEXT),
    ("Threads", "posts", INT),
    ("Replies", "replies", INT),
    ("Reactions", "reactions", INT),
]
MENTORING_COLUMNS = [
    ("Topic", "name", TEXT),
    ("Protégés (demand)", "demand", INT),
    ("Mentors (supply)", "supply", INT),
    ("Gap", "gap", INT),
]
STEP_COLUMNS = [
    ("Step", "step_index", TEXT),
    ("Title", "title", TEXT),
    ("Completed", "completed", INT),
    ("Participants", "participants", INT),
    ("Completion", "share", PCT),
]


def value_of(row, key: str):
    return getattr(row, key) if isinstance(row, Figures) else row.get(key)


def display(value, fmt: str) -> str:
    if value is None or value == "":
        return "–"
    if fmt == PCT:
        return f"{value * 100:.0f}%"
    if fmt == DURATION:
        return duration(value)
    if fmt == INT:
        return f"{value:,}"
    if fmt == NUM:
        return f"{value:g}" if isinstance(value, float) else str(value)
    return str(value)


def duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


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
    return {PCT: f"{heading} (%)", DURATION: f"{heading} (hours)"}.get(fmt, heading)


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
