"""Release times and flow slots: wall-clock times in the organisation's zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from challenges import clock
from challenges.models import weekdays_label

LONDON = ZoneInfo("Europe/London")


def test_a_daily_release_keeps_its_wall_time_across_the_spring_change():
    # Clocks go forward on Sunday 29 March 2026 in London.
    before = clock.release_at(date(2026, 3, 28), 0, time(9, 0), LONDON)
    after = clock.release_at(date(2026, 3, 28), 1, time(9, 0), LONDON)
    assert before == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert after.astimezone(LONDON).time() == time(9, 0)
    assert after - before == timedelta(hours=23)


def test_a_daily_release_keeps_its_wall_time_across_the_autumn_change():
    # Clocks go back on Sunday 25 October 2026.
    saturday = clock.release_at(date(2026, 10, 24), 0, time(9, 0), LONDON)
    sunday = clock.release_at(date(2026, 10, 24), 1, time(9, 0), LONDON)
    assert saturday == datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    assert sunday == datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    assert sunday - saturday == timedelta(hours=25)


def test_a_weekly_step_lands_on_the_same_local_time_a_week_later_over_the_change():
    first = clock.release_at(
        date(2026, 3, 23), clock.step_day_offset("weekly", 0, 0), time(9, 30), LONDON
    )
    second = clock.release_at(
        date(2026, 3, 23), clock.step_day_offset("weekly", 1, 0), time(9, 30), LONDON
    )
    assert first.astimezone(LONDON).time() == second.astimezone(LONDON).time() == time(9, 30)
    assert second - first == timedelta(days=7, hours=-1)


def test_a_release_time_skipped_by_the_spring_change_comes_just_after_the_gap():
    instant = clock.release_at(date(2026, 3, 29), 0, time(1, 30), LONDON)
    assert instant == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST
    assert instant.astimezone(LONDON).hour == 2


def test_a_repeated_autumn_time_is_its_first_occurrence():
    instant = clock.release_at(date(2026, 10, 25), 0, time(1, 30), LONDON)
    assert instant == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST


def test_custom_cadence_uses_each_steps_own_offset():
    assert clock.step_day_offset("daily", 4, 99) == 4
    assert clock.step_day_offset("weekly", 2, 99) == 14
    assert clock.step_day_offset("custom", 2, 45) == 45


def test_next_weekday_slot_skips_the_weekend():
    friday_after = datetime(2026, 3, 27, 9, 1, tzinfo=UTC)  # Friday 09:01 GMT
    slot = clock.next_slot(friday_after, clock.WEEKDAYS, time(9, 0), LONDON)
    assert slot == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 BST


def test_next_slot_is_later_the_same_day_before_the_time():
    morning = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # Monday
    assert clock.next_slot(morning, clock.WEEKDAYS, time(9, 0), LONDON) == datetime(
        2026, 1, 5, 9, 0, tzinfo=UTC
    )


def test_next_slot_at_exactly_the_slot_moves_to_the_next_one():
    at_slot = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert clock.next_slot(at_slot, [1], time(9, 0), LONDON) == datetime(
        2026, 1, 12, 9, 0, tzinfo=UTC
    )


def test_every_monday_label_and_weekdays_label():
    assert weekdays_label([1]) == "Every Mon"
    assert weekdays_label([1, 2, 3, 4, 5]) == "Weekdays"
    assert weekdays_label([]) == "Every day"


@given(
    after=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)),
    days=st.sets(st.integers(1, 7), min_size=1),
    hour=st.integers(0, 23),
)
def test_a_slot_is_always_after_on_a_chosen_day_at_the_local_time(after, days, hour):
    start = after.replace(tzinfo=UTC)
    slot = clock.next_slot(start, days, time(hour, 0), LONDON)
    local = slot.astimezone(LONDON)
    assert slot > start
    assert local.isoweekday() in days
    assert slot - start <= timedelta(days=8)
    assert local.minute == 0
    assert local.hour in (hour, hour + 1)
