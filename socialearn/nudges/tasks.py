from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_nudges() -> dict:
    return services.nudges_run()
