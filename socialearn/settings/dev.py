"""`make run`: debug on, mail kept in var/mail/, the embedded or local services."""

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

# Without EMAIL_URL, each email is a file in var/mail/ and a line in the log, rather than the
# whole message on the console (socialearn/dev_mail.py says why).
if not os.environ.get("EMAIL_URL"):
    EMAIL_BACKEND = "socialearn.dev_mail.EmailBackend"
    EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"  # noqa: F405
