import os

from celery import Celery, Task
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.dev")


class DatabaseTask(Task):
    """Every task of ours touches the database: a dropped or restarting PostgreSQL makes it
    retry with backoff (2 s, 4 s, 8 s… up to 2 minutes, jittered) rather than fail for good.

    Celery's Django fix-up closes unusable connections before each run, so the retry starts
    on a fresh connection. Every task is idempotent, which is what makes retrying safe.
    """

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 2
    retry_backoff_max = 120
    retry_jitter = True
    max_retries = 10


app = Celery("socialearn", task_cls=DatabaseTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(
    [
        "socialearn.people",
        "socialearn.outbox",
        "socialearn.notifications",
        "socialearn.nudges",
        "socialearn.insights",
    ]
)
