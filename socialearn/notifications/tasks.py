from celery import shared_task

from . import services


@shared_task(acks_late=True)
def fan_out(**payload) -> int:
    return services.fan_out_run(**payload)


@shared_task(acks_late=True)
def send_notification_emails() -> int:
    from .emails import send_pending_notification_emails

    return send_pending_notification_emails()
