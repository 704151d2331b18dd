"""A real OpenID Connect provider (django-oidc-provider) for the sign-in tests.

It runs in its own gunicorn process on loopback with its own PostgreSQL database, as an
organisation's identity provider would: the product talks to it only over HTTP.
"""

import os
from urllib.parse import urlparse

_db = urlparse(os.environ["IDP_DATABASE_URL"])

SECRET_KEY = "identity-provider-for-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.identity.idp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": _db.path.lstrip("/"),
        "USER": _db.username or "",
        "PASSWORD": _db.password or "",
        "HOST": _db.hostname or "",
        "PORT": _db.port or "",
    }
}
USE_TZ = True
LOGIN_URL = "/accounts/login/"
SITE_URL = os.environ["IDP_SITE_URL"]
OIDC_USERINFO = "tests.identity.idp.claims.userinfo"
OIDC_EXTRA_SCOPE_CLAIMS = "tests.identity.idp.claims.OrganisationScopeClaims"
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
