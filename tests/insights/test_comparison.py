"""Each headline figure is compared with the same number of days just before the period."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from socialearn.insights.figures import Period
from socialearn.insights.selectors import LOWER_IS_BETTER, RATE, change, previous_period
from socialearn.insights.services import activity_record, scope_upsert

from .conftest import person

pytestmark = pytest.mark.django_db


def test_the_previous_period_is_as_long_and_ends_the_day_before():
    period = Period.for_days(first=date(2026, 3, 1), last=date(2026, 3, 30), tz="UTC")
    previous = previous_period(period)
    assert (previous.first_day, previous.last_day) == (date(2026, 1, 30), date(2026, 2, 28))
    assert previous.label == "the previous 30 days"


def test_counts_move_in_percent_rates_in_points_and_shorter_waits_are_better():
    assert change(120, 100) == {"direction": "up", "text": "+20%", "better": True}
    assert change(0.40, 0.55, RATE) == {"direction": "down", "text": "−15 pts", "better": False}
    assert change(3600, 7200, LOWER_IS_BETTER)["better"] is True
    assert change(5, 5)["direction"] == "same"
    # Nothing to compare with: no arrow rather than an infinite rise.
    assert change(5, 0) is None
    assert change(None, 3) is None


def test_the_overview_shows_each_figure_against_the_previous_period(client, lnd_admin):
    scope_upsert(kind="community", object_id=1, name="Community 1")
    now = timezone.now()
    for i in range(3):
        user = person(f"p{i}")
        activity_record(
            verb="joined", actor=user, community_id=1, occurred_at=now - timedelta(days=90)
        )
        activity_record(verb="posted", actor=user, community_id=1, thread_id=i, occurred_at=now)
        if i == 0:
            activity_record(
                verb="posted",
                actor=user,
                community_id=1,
                thread_id=10,
                occurred_at=now - timedelta(days=40),
            )
    client.force_login(lnd_admin)
    html = client.get(reverse("insights:overview") + "?period=30").content.decode()
    assert '<nav class="section-nav" aria-label="Sections of this page">' in html
    # Three threads now, one in the 30 days before.
    assert "+200%" in html
    assert "on the previous 30 days" in html
