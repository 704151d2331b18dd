from celery import shared_task

from . import services


@shared_task(ignore_result=True, acks_late=True)
def relay_outbox() -> dict:
    """Every few seconds (beat) and after commits that add messages: run what is due."""
    return services.outbox_relay()


@shared_task(ignore_result=True)
def purge_outbox() -> int:
    return services.messages_purge()
