from celery import shared_task

from . import services


@shared_task(acks_late=True)
def post_due_items() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): post due steps and flow items, each once."""
    return services.post_due()


@shared_task(acks_late=True)
def claim_due_feeds() -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): hand each due feed to its own fetch_feed task."""
    return len(services.feeds_claim_due())


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def fetch_feed(feed_id: int) -> dict:
    return services.feed_fetch(feed_id=feed_id)
