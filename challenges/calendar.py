"""Challenge steps on the calendar (socialearn.calendar): the release of each step of a
published challenge the reader may read. One query.

A challenge's "add to calendar" file holds all its steps at once (one click, not one a step);
their UIDs are the subscription feed's, so a calendar app that has both keeps one of each."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from socialearn.calendar import Entry

from .models import Challenge, Step
from .permissions import readable_challenges_q


def step_entry(step: Step, release_at: datetime) -> Entry:
    """The step's entry; `step.challenge` and its community must be loaded."""
    challenge = step.challenge
    return Entry(
        uid=f"challenge-step-{step.pk}",
        kind=_("Challenge step"),
        title=f"{challenge.title}: {step.title}",
        starts_at=release_at,
        ends_at=release_at + timedelta(minutes=max(step.estimated_minutes, 5)),
        url=challenge.get_absolute_url(),
        place=challenge.community.name if challenge.community else "",
        ics_url=reverse("challenges:ics", args=[challenge.pk]),
        ics_label=_("Add all steps to calendar"),
    )


def challenge_entries(challenge: Challenge) -> list[Entry]:
    """Every dated step of one challenge, in order. One query."""
    steps = challenge.steps.filter(release_at__isnull=False).order_by("release_at", "id")
    return [step_entry(s, s.release_at) for s in steps if s.release_at is not None]


def entries(user, *, start: datetime, end: datetime, limit: int) -> list[Entry]:
    readable = Challenge.objects.filter(is_template=False, status=Challenge.Status.PUBLISHED)
    readable = readable.filter(readable_challenges_q(user))
    rows = (
        Step.objects.filter(
            challenge__in=readable.values("pk"),
            release_at__gte=start,
            release_at__lt=end,
        )
        .select_related("challenge__community")
        .only(
            "title",
            "release_at",
            "estimated_minutes",
            "challenge__title",
            "challenge__community__name",
        )
        .order_by("release_at", "id")[:limit]
    )
    return [step_entry(s, s.release_at) for s in rows if s.release_at is not None]
