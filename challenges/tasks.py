from celery import shared_task

from . import services


@shared_task(acks_late=True)
def post_due_items() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): post due steps and flow items, each once."""
    return services.post_due()
