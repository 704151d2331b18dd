from celery import shared_task

from . import services


@shared_task(acks_late=True)
def deliver_readings() -> int:
    """Every five minutes (CELERY_BEAT_SCHEDULE): tell participants of readings on their day."""
    return services.course_readings_deliver()
