"""The test suite: real PostgreSQL and Redis, mail kept in memory."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret-" + "x" * 40)
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/socialearn")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from .base import *  # noqa: E402,F403
from .base import CACHES, env  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test run gets its own cache namespace so parallel runs never see each other's keys.
CACHES["default"]["KEY_PREFIX"] = "test-" + env("CACHE_KEY_PREFIX", default=str(os.getpid()))
ACCOUNT_RATE_LIMITS = False
ACCOUNT_EMAIL_VERIFICATION = "none"
CELERY_TASK_ALWAYS_EAGER = False
WHITENOISE_AUTOREFRESH = True
# Each run's tasks go to its own queue, so a worker started by one run never takes another's.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TEST_QUEUE", default=f"socialearn-test-{os.getpid()}")
