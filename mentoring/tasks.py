from celery import shared_task

from . import services


# The longest task: its limit stays under the broker's 5-minute visibility timeout, so a
# dead worker's run is redelivered once, never while it still runs.
@shared_task(acks_late=True, soft_time_limit=240, time_limit=270)
def run_matching(run_id: int) -> int:
    return services.matching_run_execute(run_id=run_id).matched


@shared_task(acks_late=True)
def expire_stale_requests() -> int:
    return services.expire_stale_requests()


@shared_task(acks_late=True)
def send_checkins() -> int:
    from .relationship.services import checkins_send

    return checkins_send()


@shared_task(acks_late=True)
def end_due_matches() -> int:
    from .relationship.services import matches_end_due

    return matches_end_due()


@shared_task(acks_late=True)
def offer_buddies() -> int:
    from .buddies import buddies_offer

    return buddies_offer()
