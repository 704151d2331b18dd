import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.dev")

app = Celery("socialearn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["socialearn.people", "socialearn.notifications", "socialearn.insights"])
