"""Settings for the fault suite's processes: its own PostgreSQL and Redis, a fast clock."""

import os

os.environ.setdefault("SECRET_KEY", "faults-only-not-secret-" + "x" * 40)

from socialearn.settings.base import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
# The clock and the relay tick every few seconds, so a run of minutes sees many ticks.
CELERY_BEAT_SCHEDULE = {
    "post-due-challenge-steps-and-flow-items": {
        "task": "challenges.tasks.post_due_items",
        "schedule": 2.0,
    },
    "relay-outbox": {
        "task": "socialearn.outbox.tasks.relay_outbox",
        "schedule": 3.0,
    },
}
# No collectstatic: static files from the app folders, unhashed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
