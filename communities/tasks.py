"""Clock work for communities (scheduled in CELERY_BEAT_SCHEDULE). Thin wrappers on services."""

from celery import shared_task

from .digests import digests_send
from .services.onboarding import newcomers_invite


@shared_task(acks_late=True)
def invite_newcomers() -> int:
    """Daily: invite recent starters to the onboarding community of their location/department."""
    return newcomers_invite().invited


@shared_task(acks_late=True)
def send_digests(frequency: str = "daily") -> int:
    """Daily or weekly: one digest email per person who opted in, when something is new."""
    return digests_send(frequency=frequency)
