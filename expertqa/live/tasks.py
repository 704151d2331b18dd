from celery import shared_task

from . import services


@shared_task(acks_late=True)
def release_chat_prompts() -> int:
    """Every few seconds (CELERY_BEAT_SCHEDULE): release due live-chat prompts, each once, and
    announce the events that start to their community's channels, each once."""
    released = services.release_due_prompts()
    services.announce_started_events()
    return released
