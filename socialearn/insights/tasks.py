from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_xapi_outbox() -> int:
    """Send due xAPI statements now (the outbox relay also sends them with everything else)."""
    return services.xapi_outbox_send()
