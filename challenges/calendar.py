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


def step_entry(
    step: Step, release_at: datetime, *, links: dict[int, tuple[str, str]] | None = None
) -> Entry:
    """The step's entry; `step.challenge` and its community must be loaded. `links` keeps
    each challenge's two addresses across the steps of one read (two reverse() calls a step
    were most of the calendar's cost for challenges)."""
    challenge = step.challenge
    links = {} if links is None else links
    if challenge.pk not in links:
        links[challenge.pk] = (
            challenge.get_absolute_url(),
            reverse("challenges:ics", args=[challenge.pk]),
        )
    url, ics_url = links[challenge.pk]
    return Entry(
        uid=f"challenge-step-{step.pk}",
        kind=_("Challenge step"),
        title=f"{challenge.title}: {step.title}",
        starts_at=release_at,
        ends_at=release_at + timedelta(minutes=max(step.estimated_minutes, 5)),
        url=url,
        place=challenge.community.name if challenge.community else "",
        ics_url=ics_url,
        ics_label=_("Add all steps to calendar"),
    )


def challenge_entries(challenge: Challenge) -> list[Entry]:
    """Every dated step of one challenge, in order. One query."""
    steps = challenge.steps.filter(release_at__isnull=False).order_by("release_at", "id")
    links: dict[int, tuple[str, str]] = {}
    return [step_entry(s, s.release_at, links=links) for s in steps if s.release_at is not None]


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
    links: dict[int, tuple[str, str]] = {}
    return [step_entry(s, s.release_at, links=links) for s in rows if s.release_at is not None]
