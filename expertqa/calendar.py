"""Sessions and live events on the calendar (socialearn.calendar): those not cancelled, in
communities the reader may read. One query."""

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from communities.selectors import compiled_readable
from socialearn.calendar import Entry

from .selectors import visible_sessions


def entries(user, *, start: datetime, end: datetime, limit: int) -> list[Entry]:
    # The readable communities as SQL compiled once (compiled_readable): building the rules'
    # subquery cost more than the rest of the query.
    rows = (
        visible_sessions(user, readable=compiled_readable(user))
        .filter(cancelled_at__isnull=True, starts_at__lt=end, ends_at__gt=start)
        .select_related("community", "live")
        .only(
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "sequence",
            "community__name",
            "live__format",
        )
        .order_by("starts_at", "id")[:limit]
    )
    found = []
    for s in rows:
        live = getattr(s, "live", None)
        found.append(
            Entry(
                uid=f"expertqa-session-{s.pk}",
                kind=_("Live event") if live is not None else s.get_kind_display(),
                title=s.title,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                url=(
                    reverse("expertqa:live_detail", args=[s.pk])
                    if live is not None
                    else reverse("expertqa:detail", args=[s.pk])
                ),
                place=s.community.name,
                ics_url=reverse("expertqa:calendar", args=[s.pk]),
                sequence=s.sequence,
            )
        )
    return found
