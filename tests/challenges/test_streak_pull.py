"""What pulls a participant back: the strip of done and missed days, the next step's time in
their zone, a way back for those who joined late, and a quiet celebration on completing."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges import services
from challenges.models import Completion, Participant
from challenges.selectors import when_label
from challenges.streaks import DAY, DONE, MISSED, OPEN, WEEK, calendar_strip
from tests.factories import UserFactory

from .conftest import make_challenge

LONDON = ZoneInfo("Europe/London")
TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 5, 20, 18, 0, tzinfo=UTC)  # a Wednesday


def test_the_strip_marks_each_day_since_joining_done_or_missed_and_today_open():
    joined = NOW - timedelta(days=3)
    actions = [NOW - timedelta(days=3), NOW - timedelta(days=1)]
    strip = calendar_strip(actions, since=joined, now=NOW, period=DAY, tz=LONDON)
    assert [m.state for m in strip] == [DONE, MISSED, DONE, OPEN]
    assert strip[-1].is_current
    assert strip[0].start.isoformat() == "2026-05-17"


def test_the_strip_shows_the_last_two_weeks_at_most_and_weeks_for_weekly_challenges():
    long_ago = NOW - timedelta(days=60)
    assert len(calendar_strip([], since=long_ago, now=NOW, period=DAY, tz=LONDON)) == 14
    weeks = calendar_strip([NOW], since=NOW - timedelta(days=15), now=NOW, period=WEEK, tz=LONDON)
    assert [m.state for m in weeks] == [MISSED, MISSED, DONE]
    assert all(m.start.weekday() == 0 for m in weeks)  # each week starts on a Monday


def test_the_next_step_reads_in_the_persons_zone():
    release = datetime(2026, 5, 21, 0, 0, tzinfo=UTC)
    assert when_label(release, now=NOW, tz=LONDON) == "tomorrow at 01:00"
    # In Tokyo it is already Thursday 03:00 now; the step comes out at 09:00 the same day.
    assert when_label(release, now=NOW, tz=TOKYO) == "today at 09:00"
    later = datetime(2026, 5, 25, 8, 0, tzinfo=UTC)
    assert when_label(later, now=NOW, tz=LONDON) == "Monday 25 May at 09:00"


@pytest.fixture
def running(community, designer):
    challenge = make_challenge(
        community=community,
        designer=designer,
        start=timezone.localdate() - timedelta(days=2),
        release_time=time(0, 0),
        steps=5,
        allow_mark_done=True,
    )
    services.post_due()
    return challenge


@pytest.mark.django_db
def test_someone_who_joins_late_is_offered_to_catch_up_or_start_from_today(client, running):
    user = UserFactory()
    services.participant_join(challenge=running, user=user)
    Participant.objects.filter(user=user).update(joined_at=timezone.now() + timedelta(seconds=1))
    client.force_login(user)
    page = client.get(reverse("challenges:participant", args=[running.pk])).content.decode()
    posted = list(running.steps.filter(posted_at__isnull=False).order_by("position"))
    assert f"You joined on day {len(posted) + 1}" in page
    first = reverse("challenges:step", args=[running.pk, posted[0].pk])
    assert f'href="{first}">catch up on the {len(posted)} earlier step' in page
    assert "start from today" in page
    assert 'class="streak-strip"' in page


@pytest.mark.django_db
def test_completing_a_step_is_celebrated_quietly_once(client, running):
    user = UserFactory()
    services.participant_join(challenge=running, user=user)
    client.force_login(user)
    step = running.steps.filter(posted_at__isnull=False).order_by("-position").first()
    fragment = client.post(
        reverse("challenges:done", args=[running.pk, step.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'class="celebrate"' in fragment
    assert "Step done." in fragment
    # Later visits state it plainly.
    Completion.objects.filter(user=user).update(completed_at=timezone.now() - timedelta(hours=1))
    page = client.get(reverse("challenges:step", args=[running.pk, step.pk])).content.decode()
    assert 'class="celebrate"' not in page
    assert "Done " in page
