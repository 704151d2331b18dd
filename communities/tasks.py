"""Clock work for communities (scheduled in CELERY_BEAT_SCHEDULE). Thin wrappers on services."""

from celery import shared_task

from .digests import digests_send
from .services.membership import member_counts_recount
from .services.onboarding import newcomers_invite


@shared_task(acks_late=True)
def invite_newcomers() -> int:
    """Daily: invite recent starters to the onboarding community of their location/department."""
    return newcomers_invite().invited


@shared_task(acks_late=True)
def send_digests(frequency: str = "daily") -> int:
    """Daily or weekly: one digest email per person who opted in, when something is new."""
    return digests_send(frequency=frequency)


@shared_task(acks_late=True)
def recount_members() -> int:
    """Nightly: each community's member count counted again, for the changes made outside the
    membership services (the admin, deleted accounts). Returns how many had drifted."""
    return member_counts_recount()
