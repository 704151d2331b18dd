"""The calendar page writes its month grid and agenda days in Python (the calendar_month
tags); each is the markup of its reference partial in calendar/month.html, byte for byte, for
timed entries, whole days and runs of days, entries with and without their own calendar
file, today and tomorrow, in every language and in a zone far from the server's."""

import zoneinfo
from datetime import datetime, time, timedelta

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from socialearn.calendar import Entry, agenda, month_weeks


def _entries(tz) -> list[Entry]:
    today = timezone.now().astimezone(tz).date()

    def at(days: int, hour: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour, 30), tzinfo=tz)

    def day(days: int) -> datetime:
        return datetime.combine(today + timedelta(days=days), time.min, tzinfo=tz)

    return [
        Entry(
            uid="s-1",
            kind="Expert session",
            title='Ask <b>"data"</b> & co',
            starts_at=at(-2, 9),
            ends_at=at(-2, 10),
            url="/sessions/1/",
            place="Data & <i>friends</i>",
            ics_url="/sessions/1/calendar.ics",
        ),
        Entry(
            uid="s-2",
            kind="Live event",
            title="All hands",
            starts_at=at(0, 23),
            ends_at=at(1, 1),
            url="/sessions/2/live/",
            place="Everyone",
        ),
        Entry(
            uid="c-1",
            kind="Course",
            title="Negotiation, three days",
            starts_at=day(1),
            ends_at=day(4),
            url="/courses/1/",
            place="Room 4",
            ics_url="/courses/1/calendar.ics",
            all_day=True,
        ),
        Entry(
            uid="c-2",
            kind="Course, open for enrolment",
            title="One day's course",
            starts_at=day(1),
            ends_at=day(2),
            url="/courses/2/",
            place="Online",
            ics_url="/courses/2/calendar.ics",
            all_day=True,
        ),
        Entry(
            uid="st-1",
            kind="Challenge step",
            title="Week one: listen",
            starts_at=at(5, 8),
            ends_at=at(5, 9),
            url="/challenges/1/",
            place="",
            ics_url="/challenges/1/calendar.ics",
            ics_label="Add all steps to calendar",
        ),
    ]


@pytest.mark.parametrize("language", ["en-gb", "de"])
@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Auckland"])
def test_the_grid_and_the_agenda_are_their_partials_markup(language, zone):
    tz = zoneinfo.ZoneInfo(zone)
    entries = _entries(tz)
    today = timezone.now().astimezone(tz).date()
    with translation.override(language), timezone.override(tz):
        weeks = month_weeks(today.year, today.month, entries, tz)
        earlier, coming = agenda(entries, tz)
        days = [*earlier, *coming]
        assert any(d.is_today for d in days)
        assert any(d.is_tomorrow for d in days)
        tags = engines["django"].from_string(
            "{% load calendar_month %}{% month_grid weeks %}|{% agenda_days days %}"
        )
        written = tags.render({"weeks": weeks, "days": days})
        grid = render_to_string("calendar/month.html#grid_rows", {"weeks": weeks})
        one_by_one = "".join(
            render_to_string("calendar/month.html#agenda_day", {"d": d}) for d in days
        )
    assert written == f"{grid}|{one_by_one}"
    assert written.count('class="cal-entry') >= 4
    assert "Ask &lt;b&gt;&quot;data&quot;&lt;/b&gt; &amp; co" in written
