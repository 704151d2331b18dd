"""Streaks count learning actions per period, in the participant's zone, with grace."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from challenges.streaks import DAY, WEEK, period_index, streak

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 5, 20, 18, 0, tzinfo=UTC)  # a Wednesday


def days_ago(*ns, hour=12):
    return [NOW.replace(hour=hour) - timedelta(days=n) for n in ns]


def test_no_actions_no_streak():
    assert streak([], now=NOW, tz=LONDON) == streak([], now=NOW, tz=LONDON, grace=3)
    assert streak([], now=NOW, tz=LONDON).current == 0


def test_consecutive_days_count_each_day_once():
    actions = days_ago(0, 1, 2, 3) + days_ago(0, hour=8)
    assert streak(actions, now=NOW, tz=LONDON, grace=0).current == 4


def test_today_without_an_action_does_not_break_the_streak_yet():
    assert streak(days_ago(1, 2, 3), now=NOW, tz=LONDON, grace=0).current == 3


def test_one_missed_day_is_covered_by_the_grace_allowance():
    actions = days_ago(0, 1, 3, 4, 5)  # missed two days ago
    with_grace = streak(actions, now=NOW, tz=LONDON, grace=1)
    assert with_grace.current == 5
    assert with_grace.covered == 1
    assert streak(actions, now=NOW, tz=LONDON, grace=0).current == 2


def test_two_missed_days_break_a_streak_with_one_grace():
    actions = days_ago(0, 3, 4, 5)
    assert streak(actions, now=NOW, tz=LONDON, grace=1).current == 1
    assert streak(actions, now=NOW, tz=LONDON, grace=2).current == 4


def test_the_grace_allowance_is_configurable_and_covers_missed_days_in_total():
    actions = days_ago(0, 2, 4, 6)  # three single missed days
    assert streak(actions, now=NOW, tz=LONDON, grace=1).current == 2
    assert streak(actions, now=NOW, tz=LONDON, grace=3).current == 4


def test_best_streak_remembers_an_earlier_longer_run():
    actions = days_ago(0, 10, 11, 12, 13, 14)
    result = streak(actions, now=NOW, tz=LONDON, grace=0)
    assert (result.current, result.best) == (1, 5)


def test_days_are_counted_in_the_participants_own_time_zone():
    # 16:00 UTC on two days is 01:00 the next day in Tokyo; 14:00 UTC is 23:00 the same day.
    late_evening = datetime(2026, 5, 18, 14, 0, tzinfo=UTC)  # Mon 23:00 Tokyo
    after_midnight = datetime(2026, 5, 18, 16, 0, tzinfo=UTC)  # Tue 01:00 Tokyo
    now = datetime(2026, 5, 19, 20, 0, tzinfo=UTC)
    assert streak([late_evening, after_midnight], now=now, tz=TOKYO, grace=0).current == 2
    assert streak([late_evening, after_midnight], now=now, tz=LONDON, grace=0).current == 1


def test_weekly_streaks_count_iso_weeks_not_actions():
    actions = [
        datetime(2026, 5, 18, 9, tzinfo=UTC),  # Mon of this week
        datetime(2026, 5, 19, 9, tzinfo=UTC),  # same week
        datetime(2026, 5, 11, 9, tzinfo=UTC),  # last week
        datetime(2026, 5, 10, 9, tzinfo=UTC),  # Sunday, the week before
    ]
    assert streak(actions, now=NOW, period=WEEK, tz=LONDON, grace=0).current == 3


def test_a_weekly_streak_survives_one_missed_week_with_grace():
    actions = [datetime(2026, 5, 18, 9, tzinfo=UTC), datetime(2026, 5, 4, 9, tzinfo=UTC)]
    assert streak(actions, now=NOW, period=WEEK, tz=LONDON, grace=1).current == 2
    assert streak(actions, now=NOW, period=WEEK, tz=LONDON, grace=0).current == 1


def test_iso_weeks_start_on_monday():
    sunday = datetime(2026, 5, 17, 12, tzinfo=UTC)
    monday = datetime(2026, 5, 18, 12, tzinfo=UTC)
    assert period_index(monday, WEEK, LONDON) == period_index(sunday, WEEK, LONDON) + 1
    assert period_index(monday, DAY, LONDON) == period_index(sunday, DAY, LONDON) + 1


offsets = st.lists(st.integers(0, 60), max_size=40)


@given(offsets, st.integers(0, 3))
def test_a_streak_never_exceeds_the_distinct_days_with_actions(days, grace):
    result = streak(days_ago(*days), now=NOW, tz=LONDON, grace=grace)
    assert 0 <= result.current <= len(set(days))
    assert result.best >= result.current
    assert result.covered <= grace


@given(offsets, st.integers(0, 3))
def test_acting_today_never_lowers_a_streak(days, grace):
    before = streak(days_ago(*days), now=NOW, tz=LONDON, grace=grace).current
    after = streak(days_ago(*days, 0), now=NOW, tz=LONDON, grace=grace).current
    assert after >= before


@given(st.integers(1, 60), st.integers(0, 3))
def test_an_unbroken_run_counts_every_day(length, grace):
    assert streak(days_ago(*range(length)), now=NOW, tz=LONDON, grace=grace).current == length


@given(offsets)
def test_more_grace_never_lowers_a_streak(days):
    values = [streak(days_ago(*days), now=NOW, tz=LONDON, grace=g).current for g in range(4)]
    assert values == sorted(values)


def test_future_actions_are_ignored():
    assert streak([NOW + timedelta(days=1)], now=NOW, tz=LONDON).current == 0
