from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def send_xapi_outbox() -> int:
    """Every minute: send due xAPI statements to the LRS in batches."""
    return services.xapi_outbox_send()
