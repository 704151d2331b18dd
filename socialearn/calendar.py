"""The calendar: every dated thing a person may join, from every feature, in one place.

The core cannot import features, so each feature that has dated things lists them in its
own `calendar.py` as `entries(user, *, start, end, limit) -> list[Entry]`: ONE query for the
things in [start, end) that `user` may see and join now (a private community's only for its
members). The month page, its agenda list and the personal subscription feed (ICS) all read
the same entries, so what a person sees and what their calendar app gets always agree. A new
feature plugs in by adding its module name below. The project package may import features (it
sits on top); the core apps never do.
"""

import calendar as pycal
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from django.conf import settings
from django.utils import timezone

FEATURE_CALENDARS = [
    "expertqa.calendar",
    "challenges.calendar",
    "challenges.courses.calendar",
]

# What one month (or the feed) shows at most, per feature: a calendar is not a report.
LIMIT = 300
# The subscription feed reaches back a little (so yesterday's talk is still there) and ahead.
FEED_BEFORE = timedelta(days=30)
FEED_AHEAD = timedelta(days=365)


@dataclass(frozen=True)
class Entry:
    uid: str  # stable across edits, so calendar apps replace rather than duplicate
    kind: str  # shown as the entry's label ("Expert session", "Challenge step")
    title: str
    starts_at: datetime
    ends_at: datetime
    url: str
    place: str = ""  # the community it happens in
    ics_url: str = ""  # the feature's own "add to calendar" file, where it has one
    sequence: int = 0
    # A run of whole days (a course): starts_at is the first day's midnight and ends_at the
    # midnight after the last day, both in the zone the entries were read in.
    all_day: bool = False
    ics_label: str = ""  # the link's words, when the file holds more than this entry

    @property
    def first_day(self) -> date:
        return self.starts_at.date()

    @property
    def last_day(self) -> date:
        return (self.ends_at - timedelta(days=1)).date()


EntriesFind = Callable[..., list[Entry]]


def providers() -> list[EntriesFind]:
    found = []
    for module_name in FEATURE_CALENDARS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name not in (module_name, module_name.split(".")[0]):  # a broken import
                raise
            continue
        found.append(module.entries)
    return found


def entries_for(user, *, start: datetime, end: datetime, limit: int = LIMIT) -> list[Entry]:
    """Everything `user` may join between start and end: one query per feature."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    rows: list[Entry] = []
    for find in providers():
        rows.extend(find(user, start=start, end=end, limit=limit))
    rows.sort(key=lambda e: (e.starts_at, e.title, e.uid))
    return rows


# --- the month ----------------------------------------------------------------------------------


@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    entries: list


def month_bounds(year: int, month: int, tz: tzinfo) -> tuple[datetime, datetime]:
    first = datetime(year, month, 1, tzinfo=tz)
    nxt = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return first, nxt


def month_weeks(year: int, month: int, entries: list[Entry], tz: tzinfo) -> list[list[Day]]:
    """Weeks (Monday first) of the month, each day with the entries that start on it in the
    viewer's zone; a run of whole days is on every one of its days."""
    weeks = pycal.Calendar(firstweekday=0).monthdatescalendar(year, month)
    shown_from, shown_to = weeks[0][0], weeks[-1][-1]
    by_day: dict[date, list[Entry]] = {}
    for e in entries:
        if e.all_day:
            day, last = max(e.first_day, shown_from), min(e.last_day, shown_to)
        else:
            day = last = e.starts_at.astimezone(tz).date()
        while day <= last:
            by_day.setdefault(day, []).append(e)
            day += timedelta(days=1)
    today = timezone.now().astimezone(tz).date()
    return [
        [Day(d, d.month == month, d == today, by_day.get(d, [])) for d in week] for week in weeks
    ]


@dataclass
class AgendaDay:
    day: date
    is_today: bool
    is_tomorrow: bool
    entries: list


def agenda(entries: list[Entry], tz: tzinfo) -> tuple[list[AgendaDay], list[AgendaDay]]:
    """The month's entries as a list of days, each under the day it starts on in the viewer's
    zone (a run of whole days still going on is under today): (the days before today, today
    and the days after). A phone reads from today on and opens the earlier days only when it
    wants them."""
    today = timezone.now().astimezone(tz).date()
    days: dict[date, AgendaDay] = {}
    for e in entries:
        if e.all_day:
            day = e.first_day if e.last_day < today else max(e.first_day, today)
        else:
            day = e.starts_at.astimezone(tz).date()
        if day not in days:
            days[day] = AgendaDay(day, day == today, day == today + timedelta(days=1), [])
        days[day].entries.append(e)
    ordered = sorted(days.values(), key=lambda d: d.day)
    return [d for d in ordered if d.day < today], [d for d in ordered if d.day >= today]


# --- the subscription feed ----------------------------------------------------------------------


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def feed_calendar(entries: list[Entry], *, name: str, subscription: bool = True) -> bytes:
    """RFC 5545, times in UTC; UIDs match the features' own invitation files. The features'
    "add to calendar" files are the same, without the subscription's polling hints."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//socialearn//calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    if subscription:
        # Calendar apps poll a subscription; ask them not to hammer it.
        cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")
    stamp = timezone.now().astimezone(UTC)
    for e in entries:
        event = Event()
        event.add("uid", f"{e.uid}@{_host()}")
        event.add("dtstamp", stamp)
        event.add("sequence", e.sequence)
        if e.all_day:
            # DTEND of a date is exclusive: the day after the last.
            event.add("dtstart", e.first_day)
            event.add("dtend", e.last_day + timedelta(days=1))
        else:
            event.add("dtstart", e.starts_at.astimezone(UTC))
            event.add("dtend", e.ends_at.astimezone(UTC))
        event.add("summary", e.title)
        url = f"{settings.SITE_URL}{e.url}"
        event.add("url", url)
        event.add("description", f"{e.kind} · {e.place}\n{url}" if e.place else url)
        cal.add_component(event)
    return cal.to_ical()
