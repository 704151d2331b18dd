from datetime import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import Message


def outbox_health(*, now: datetime | None = None) -> dict:
    """The relay's backlog: open messages, how many are due, the oldest one's age, dead ones.

    Two small queries on the partial index of open messages and the (kind, status) index.
    """
    now = now or timezone.now()
    open_rows = Message.objects.filter(status__in=["pending", "failed"]).aggregate(
        backlog=Count("id"),
        due=Count("id", filter=Q(available_at__lte=now)),
        retrying=Count("id", filter=Q(status="failed")),
        oldest=Min("created_at"),
    )
    oldest = open_rows.pop("oldest")
    open_rows["oldest_age_seconds"] = (
        round((now - oldest).total_seconds(), 1) if oldest is not None else 0.0
    )
    open_rows["dead"] = Message.objects.filter(status="dead").count()
    return open_rows
