"""Pure time arithmetic for the clock: release times and flow slots. No Django here.

Wall-clock times ("09:00") belong to a zone; the same wall time is a different UTC instant
either side of a daylight-saving change, so every computation starts from a local date and
a local time and converts to an aware datetime last.
"""

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = [1, 2, 3, 4, 5]
EVERY_DAY = [1, 2, 3, 4, 5, 6, 7]


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant `at` happens on `day` in `tz`, in UTC.

    A wall time skipped by a spring-forward change (01:30 in London on the last Sunday of
    March) is taken as the first instant after the gap; a repeated one (autumn) as its first
    occurrence.
    """
    # fold=0: in a gap zoneinfo applies the offset from before the change, which lands just
    # after the gap; in a repeated hour it picks the first occurrence.
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def step_day_offset(cadence: str, index: int, custom_offset: int) -> int:
    """Days after the start date for the step at zero-based `index`."""
    if cadence == "daily":
        return index
    if cadence == "weekly":
        return index * 7
    return custom_offset


def release_at(start: date, day_offset: int, at: time, tz: ZoneInfo) -> datetime:
    return local_instant(start + timedelta(days=day_offset), at, tz)


def normalise_weekdays(weekdays: Iterable[int]) -> list[int]:
    """The ISO weekdays given, sorted and without repeats; none given means every day."""
    days = sorted({int(d) for d in weekdays if 1 <= int(d) <= 7})
    return days or list(EVERY_DAY)


def slots(after: datetime, weekdays: Iterable[int], at: time, tz: ZoneInfo) -> Iterator[datetime]:
    """Every slot strictly after `after`: the days in `weekdays` (ISO, Monday = 1) at `at`."""
    days = normalise_weekdays(weekdays)
    day = after.astimezone(tz).date()
    while True:
        if day.isoweekday() in days:
            instant = local_instant(day, at, tz)
            if instant > after:
                yield instant
        day += timedelta(days=1)


def next_slot(after: datetime, weekdays: Iterable[int], at: time, tz: ZoneInfo) -> datetime:
    return next(slots(after, weekdays, at, tz))
