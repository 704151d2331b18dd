"""Streak arithmetic. Pure functions, no Django.

A streak counts learning actions (completed steps), never visits, in periods of the
challenge's cadence: local days for a daily challenge, ISO weeks (Monday to Sunday) for the
others, in the participant's own time zone. The current period does not break a streak
before it is over. A grace allowance covers missed periods, so one bad day does not wipe out
a month: with grace 1, a streak survives one missed period (which adds nothing to it).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

DAY = "day"
WEEK = "week"


@dataclass(frozen=True)
class Streak:
    current: int
    best: int
    covered: int  # missed periods the grace allowance is covering in the current streak


def period_index(moment: datetime, period: str, tz: ZoneInfo) -> int:
    """A whole number per local day or per ISO week; consecutive periods differ by one."""
    local: date = moment.astimezone(tz).date()
    ordinal = local.toordinal()  # date(1, 1, 1) is a Monday, ordinal 1
    if period == DAY:
        return ordinal
    if period == WEEK:
        return (ordinal - 1) // 7
    raise ValueError(f"Unknown period {period!r}")


def _run_ending_at(active: set[int], end: int, first: int, grace: int) -> tuple[int, int]:
    """Count active periods walking back from `end`, absorbing up to `grace` misses."""
    count = missed = 0
    p = end
    while p >= first:
        if p in active:
            count += 1
        else:
            missed += 1
            if missed > grace:
                missed -= 1
                break
        p -= 1
    # Misses only count as covered when there is activity on both sides of them.
    return count, missed


def streak(
    actions: Iterable[datetime],
    *,
    now: datetime,
    period: str = DAY,
    tz: ZoneInfo,
    grace: int = 1,
) -> Streak:
    active = {period_index(a, period, tz) for a in actions if a <= now}
    if not active:
        return Streak(0, 0, 0)
    first = min(active)
    today = period_index(now, period, tz)
    # The current period is still open: without an action yet it neither adds nor breaks.
    end = today if today in active else today - 1
    current, covered = _run_ending_at(active, end, first, grace) if end >= first else (0, 0)
    if current == 0:
        covered = 0
    best = max(current, *(_run_ending_at(active, p, first, grace)[0] for p in active))
    return Streak(current=current, best=best, covered=covered)


# --- what pulls a person back: the strip of periods, the next step's time ---------------------

DONE = "done"
MISSED = "missed"
OPEN = "open"  # the current period, nothing done yet: still time


@dataclass(frozen=True)
class PeriodMark:
    start: date  # the period's first local day
    state: str  # DONE, MISSED or OPEN
    is_current: bool


def period_start(index: int, period: str) -> date:
    return date.fromordinal(index if period == DAY else index * 7 + 1)


def calendar_strip(
    actions: Iterable[datetime],
    *,
    since: datetime,
    now: datetime,
    period: str = DAY,
    tz: ZoneInfo,
    length: int = 14,
) -> list[PeriodMark]:
    """The last `length` periods from `since` (when the person joined) to now, each done or
    missed; the current one is open until something is done in it."""
    active = {period_index(a, period, tz) for a in actions if a <= now}
    today = period_index(now, period, tz)
    first = max(period_index(since, period, tz), today - length + 1)
    marks = []
    for p in range(first, today + 1):
        state = DONE if p in active else (OPEN if p == today else MISSED)
        marks.append(PeriodMark(start=period_start(p, period), state=state, is_current=p == today))
    return marks
