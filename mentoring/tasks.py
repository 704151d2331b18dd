from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_matching(run_id: int) -> int:
    return services.matching_run_execute(run_id=run_id).matched


@shared_task(acks_late=True)
def expire_stale_requests() -> int:
    return services.expire_stale_requests()
