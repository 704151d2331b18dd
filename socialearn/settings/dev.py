"""`make run`: debug on, mail to the console, the embedded or local services."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-not-secret-" + "x" * 40)
os.environ.setdefault("DEBUG", "true")
# `make run` exports the embedded services' URLs; without it, the machine's own services.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/socialearn")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/1")

from .base import *  # noqa: E402,F403

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
