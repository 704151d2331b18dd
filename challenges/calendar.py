"""Challenge steps on the calendar (socialearn.calendar): the release of each step of a
published challenge the reader may read. One query."""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from socialearn.calendar import Entry

from .models import Challenge, Step
from .permissions import readable_challenges_q


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
    return [
        Entry(
            uid=f"challenge-step-{s.pk}",
            kind=_("Challenge step"),
            title=f"{s.challenge.title}: {s.title}",
            starts_at=s.release_at,
            ends_at=s.release_at + timedelta(minutes=max(s.estimated_minutes, 5)),
            url=s.challenge.get_absolute_url(),
            place=s.challenge.community.name if s.challenge.community else "",
        )
        for s in rows
        if s.release_at is not None
    ]
