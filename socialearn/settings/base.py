"""Settings shared by every environment, read from the environment (12-factor).

Safe defaults are the production ones: DEBUG off, secure cookies, no hosts allowed.
Development and tests relax them in their own modules.
"""

import ipaddress
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "socialearn.admin_menu.MenuKeepingAdminConfig",  # django.contrib.admin
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_htmx",
    "template_partials",
    "csp",
    # core
    "socialearn",
    "socialearn.people",
    "socialearn.outbox",
    "socialearn.notifications",
    "socialearn.nudges",
    "socialearn.insights",
    # features
    "communities",
    "mentoring",
    "expertqa",
    "challenges",
    "challenges.courses",
]

# SAML needs python3-saml (and libxmlsec1); enabled only where it is installed.
SAML_ENABLED = env.bool("SAML_ENABLED", default=False)
if SAML_ENABLED:
    INSTALLED_APPS.append("allauth.socialaccount.providers.saml")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language, or the language switch's cookie); a signed-in
    # person's own choice replaces it in ViewerTimezoneMiddleware, which reads their profile.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, the account read with the viewer's profile.
    "socialearn.people.middleware.ViewerAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "socialearn.people.middleware.ViewerTimezoneMiddleware",
    "socialearn.waiting.ForgetOwnCountsMiddleware",
]

ROOT_URLCONF = "socialearn.urls"
WSGI_APPLICATION = "socialearn.wsgi.application"
ASGI_APPLICATION = "socialearn.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "socialearn.context_processors.navigation",
            ],
            "builtins": [
                "template_partials.templatetags.partials",
                "socialearn.templatetags.ui",
            ],
        },
    }
]

# Django's own form and widget templates through their Jinja2 copies (socialearn/form_renderer.py).
FORM_RENDERER = "socialearn.form_renderer.FastFormRenderer"

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The one search forgives a typo in a name or a title: pg_trgm's word similarity (the %>
# operator, served by the trigram indexes) at 0.5 rather than 0.6 lets "Magdelena" find
# Magdalena. Set per connection, so no database-wide setting is needed.
# No JIT compilation either: PostgreSQL compiles any query the planner costs above 100,000
# (a scan of a large table), which took 0.1-0.3 s of LLVM work for queries that run in
# milliseconds (the admin's account search: 290 ms of JIT for a 150 ms scan). Pages run many
# short queries; the insights figures already turned it off for their transaction.
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
_db_options["options"] = (
    _db_options.get("options", "") + " -c pg_trgm.word_similarity_threshold=0.5 -c jit=off"
).strip()
# Prepared statements: PostgreSQL plans a page's query again on every request unless it is
# prepared, and planning was most of the database's work (the home page: 3.3 ms of planning
# against 0.9 ms of execution for its eight queries). psycopg prepares a statement on its
# connection once it has run DATABASE_PREPARE_THRESHOLD times; PostgreSQL then keeps a
# generic plan where that costs no more than planning each time. That needs the values bound
# on the server (Django binds them into the text by default, and turns preparing off for
# connection poolers): behind a pooler in transaction mode, set DATABASE_PREPARE_THRESHOLD=off.
_prepare_threshold = env("DATABASE_PREPARE_THRESHOLD", default="5").strip().lower()
if _prepare_threshold not in ("", "off", "none"):
    _db_options["server_side_binding"] = True
    _db_options["prepare_threshold"] = int(_prepare_threshold)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
# A frozen or unreachable Redis fails a call within seconds instead of blocking it forever.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=5.0)
REDIS_SOCKET_CONNECT_TIMEOUT = env.float("REDIS_SOCKET_CONNECT_TIMEOUT", default=3.0)
CACHES = {
    "default": {
        "BACKEND": "socialearn.cache.ForgivingRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="socialearn"),
        "OPTIONS": {
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
            "socket_connect_timeout": REDIS_SOCKET_CONNECT_TIMEOUT,
        },
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# English is the source language; locale/<code>/LC_MESSAGES/django.po holds each other one
# (docs/translation.md). A person picks one on their profile, or gets their browser's.
LANGUAGES = [("en-gb", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in each language's own way; templates name the format (DATE_FORMAT, DATETIME_FORMAT,
# MONTH_DAY_FORMAT), never an English pattern. See socialearn/formats/.
FORMAT_MODULE_PATH = ["socialearn.formats"]
# The language switch of signed-out pages, and a signed-in person's choice, remembered for a
# year so that pages which never read the profile (a live poll, a 404) speak it too.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = env("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "socialearn.storage.KeptUrlsStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
MEDIA_URL = "/media/"

SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# --- allauth -------------------------------------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
# The username is the email address: wherever allauth names the person, use their name.
ACCOUNT_USER_DISPLAY = "socialearn.people.models.person_name"
ACCOUNT_ADAPTER = "socialearn.people.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "socialearn.people.adapters.SocialAccountAdapter"
# Sign-up off for SSO-only sites: people arrive through the identity provider.
ACCOUNT_ALLOW_SIGNUP = env.bool("ACCOUNT_ALLOW_SIGNUP", default=True)
SOCIALACCOUNT_ALLOW_SIGNUP = env.bool("SOCIALACCOUNT_ALLOW_SIGNUP", default=True)
# Login throttling, kept in Redis. Five wrong passwords lock that one account for five minutes;
# the limit per client address only stops a flood, so it must let a whole office behind one
# proxy sign in (LOGIN_ATTEMPTS_PER_ADDRESS a minute), never lock colleagues out together.
LOGIN_ATTEMPTS_PER_ADDRESS = env.int("LOGIN_ATTEMPTS_PER_ADDRESS", default=300)
ACCOUNT_RATE_LIMITS = {
    "login": f"{LOGIN_ATTEMPTS_PER_ADDRESS}/m/ip",
    "login_failed": f"{LOGIN_ATTEMPTS_PER_ADDRESS}/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# The client address the limits count: behind TRUSTED_PROXY_COUNT reverse proxies it is read
# from X-Forwarded-For (the entry the outermost trusted proxy added), or from the header
# TRUSTED_CLIENT_IP_HEADER names (e.g. X-Real-IP) when the proxy sets one. Both off by default:
# a client could otherwise pick its own address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env("TRUSTED_CLIENT_IP_HEADER", default=None) or None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
SOCIALACCOUNT_PROVIDERS: dict = {}
# An intranet plugs in its identity provider with OIDC_* (any OpenID Connect server:
# Entra ID, Okta, Keycloak, ADFS) or SAML_* variables.
if env("OIDC_SERVER_URL", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env("OIDC_PROVIDER_ID", default="intranet"),
                "name": env("OIDC_NAME", default="Company sign-in"),
                "client_id": env("OIDC_CLIENT_ID"),
                "secret": env("OIDC_CLIENT_SECRET"),
                "settings": {
                    "server_url": env("OIDC_SERVER_URL"),
                    # Directory attributes (department, manager...) often come with a scope
                    # of their own; name it here, e.g. "openid,profile,email,organisation".
                    "scope": env.list("OIDC_SCOPES", default=["openid", "profile", "email"]),
                },
            }
        ]
    }
if SAML_ENABLED:
    SOCIALACCOUNT_PROVIDERS["saml"] = {
        "APPS": [
            {
                "provider_id": env("SAML_PROVIDER_ID", default="intranet-saml"),
                "name": env("SAML_NAME", default="Company SAML sign-in"),
                "client_id": env("SAML_CLIENT_ID", default="socialearn"),
                "settings": {
                    "attribute_mapping": {
                        "uid": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
                        "email": (
                            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
                        ),
                    },
                    "idp": {
                        "entity_id": env("SAML_IDP_ENTITY_ID", default=""),
                        "metadata_url": env("SAML_IDP_METADATA_URL", default=""),
                    },
                },
            }
        ]
    }

# --- people data from outside ---------------------------------------------------------------
# Which claim of the identity provider (an OIDC claim or a SAML attribute name) holds which
# profile field, over socialearn.people.identity.claims.DEFAULT_CLAIM_MAP, e.g.
# PEOPLE_CLAIM_MAP="department=dept,external_id=employeeid". An empty name ignores the field.
PEOPLE_CLAIM_MAP = env.dict("PEOPLE_CLAIM_MAP", default={})

# SCIM 2.0 provisioning at /scim/v2/ (Entra ID, Okta): bearer tokens made in the admin.
SCIM_SERVICE_PROVIDER = {
    "NETLOC": env("SCIM_NETLOC", default="localhost"),
    "SCHEME": env("SCIM_SCHEME", default="https"),
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A provisioning token an L&D admin creates in the admin.",
            "primary": True,
        }
    ],
    "USER_ADAPTER": "socialearn.people.identity.scim.PersonAdapter",
    "GROUP_ADAPTER": "socialearn.people.identity.scim.TeamAdapter",
    "USER_FILTER_PARSER": "socialearn.people.identity.scim_filters.PersonFilterQuery",
    "GROUP_FILTER_PARSER": "socialearn.people.identity.scim_filters.TeamFilterQuery",
    "AUTH_CHECK_MIDDLEWARE": "socialearn.people.identity.scim_auth.BearerTokenCheck",
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="socialearn SCIM"',
}

# --- email ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="socialearn <noreply@socialearn.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- security ------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


def sign_in_form_targets(providers: dict, extra: list[str]) -> list[str]:
    """Origins a sign-in form may lead to: "Continue to Company sign-in" posts a form that
    the site answers with a redirect to the identity provider, and browsers hold that
    redirect to CSP's form-action. The OIDC server's origin, plus CSP_FORM_ACTION_EXTRA
    (a SAML IdP's single sign-on URL, an authorize endpoint on another host)."""
    from urllib.parse import urlparse

    origins = []
    for app in providers.get("openid_connect", {}).get("APPS", []):
        url = urlparse(app.get("settings", {}).get("server_url", ""))
        if url.scheme and url.netloc:
            origins.append(f"{url.scheme}://{url.netloc}")
    return ["'self'", *dict.fromkeys([*origins, *extra])]


# Content Security Policy: no inline scripts anywhere; htmx and our own JS are files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": sign_in_form_targets(
            SOCIALACCOUNT_PROVIDERS, env.list("CSP_FORM_ACTION_EXTRA", default=[])
        ),
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- celery --------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task taken by a worker that dies (kill -9) goes back to the queue after the visibility
# timeout. It must outlast the longest task (the time limits below), and no more: an hour
# would leave a dead worker's fan-out an hour late.
CELERY_TASK_SOFT_TIME_LIMIT = 210
CELERY_TASK_TIME_LIMIT = 240
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 300,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_CONNECT_TIMEOUT,
    "socket_keepalive": True,
    # A publish (a wake, a beat tick) gives up within about a second when the broker is
    # down: the outbox and the next tick cover for it, a page must not wait on it.
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_CONNECT_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_CONNECT_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_SOCKET_CONNECT_TIMEOUT,
}
CELERY_TASK_ALWAYS_EAGER = False
# One beat runs these; every task is safe to run twice (database guarantees, not beat's).
CELERY_BEAT_SCHEDULE = {
    "post-due-challenge-steps-and-flow-items": {
        "task": "challenges.tasks.post_due_items",
        "schedule": 60.0,
    },
    # Claims the due curation feeds and hands each to its own task: a slow feed never
    # holds the beat or the other feeds.
    "fetch-due-curation-feeds": {
        "task": "challenges.tasks.claim_due_feeds",
        "schedule": 60.0,
    },
    "invite-newcomers-to-onboarding": {
        "task": "communities.tasks.invite_newcomers",
        "schedule": crontab(hour=6, minute=0),
    },
    "recount-community-members": {
        "task": "communities.tasks.recount_members",
        "schedule": crontab(hour=3, minute=30),
    },
    "send-daily-digests": {
        "task": "communities.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0),
        "kwargs": {"frequency": "daily"},
    },
    "send-weekly-digests": {
        "task": "communities.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
        "kwargs": {"frequency": "weekly"},
    },
    # Live chats' numbered prompts go out on time: every 5 s, each exactly once.
    "release-live-chat-prompts": {
        "task": "expertqa.live.tasks.release_chat_prompts",
        "schedule": 5.0,
    },
    # Course pre-reading: each participant is told of a reading on its day in their zone.
    "deliver-course-readings": {
        "task": "challenges.courses.tasks.deliver_readings",
        "schedule": 300.0,
    },
    "expert-session-reminders": {
        "task": "expertqa.tasks.send_due_reminders",
        "schedule": 60.0,
    },
    "expire-stale-mentoring-requests": {
        "task": "mentoring.tasks.expire_stale_requests",
        "schedule": crontab(minute=15),
    },
    # Nudges: every rule, set-based; quiet hours and the daily cap are local, so it runs
    # all day and each person is reached inside their own hours.
    "run-nudges": {
        "task": "socialearn.nudges.tasks.run_nudges",
        "schedule": 300.0,
    },
    # Every quarter hour, so each person's survey reaches them early in their working day.
    "send-mentoring-checkins": {
        "task": "mentoring.tasks.send_checkins",
        "schedule": crontab(minute="5,20,35,50"),
    },
    # Newcomers are offered an onboarding buddy within the hour their start date is known.
    "offer-onboarding-buddies": {
        "task": "mentoring.tasks.offer_buddies",
        "schedule": crontab(minute=40),
    },
    "end-due-mentoring-matches": {
        "task": "mentoring.tasks.end_due_matches",
        "schedule": crontab(minute=25),
    },
    # Fan-outs, emails and xAPI statements committed work still owes (also woken on commit).
    "relay-outbox": {
        "task": "socialearn.outbox.tasks.relay_outbox",
        "schedule": 10.0,
    },
    "purge-done-outbox-messages": {
        "task": "socialearn.outbox.tasks.purge_outbox",
        "schedule": crontab(hour=3, minute=30),
    },
}

# --- product settings ----------------------------------------------------------------------
# L&D admins can require approval before a proposed community goes live.
COMMUNITY_APPROVAL_REQUIRED = env.bool("COMMUNITY_APPROVAL_REQUIRED", default=False)
ONBOARDING_NEWCOMER_DAYS = env.int("ONBOARDING_NEWCOMER_DAYS", default=30)
MENTORING_REQUEST_EXPIRY_DAYS = env.int("MENTORING_REQUEST_EXPIRY_DAYS", default=7)
# A question nobody answered for this long is sent to a few likely answerers.
NUDGE_UNANSWERED_HOURS = env.int("NUDGE_UNANSWERED_HOURS", default=24)
XAPI_ENDPOINT = env("XAPI_ENDPOINT", default="")
XAPI_USERNAME = env("XAPI_USERNAME", default="")
XAPI_PASSWORD = env("XAPI_PASSWORD", default="")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Key for the Teams/Slack webhook addresses at rest (derived from SECRET_KEY when empty).
CHANNEL_KEY = env("CHANNEL_KEY", default="")
# Accept webhook addresses on any host (and http): only for tests and relays of one's own.
CHANNEL_WEBHOOK_ANY_HOST = env.bool("CHANNEL_WEBHOOK_ANY_HOST", default=False)
# Seconds a channel's cards wait after one of them failed, before the next request.
CHANNEL_PAUSE_AFTER_ERROR = env.int("CHANNEL_PAUSE_AFTER_ERROR", default=60)
# Curators' feeds are fetched by the server, so they may not reach internal addresses
# (loopback, private, link-local, ...); these networks (CIDR) are let through all the same,
# e.g. an intranet's own news server: "10.20.0.0/16,fd00:12::/48".
CURATION_FEED_ALLOWED_NETWORKS = env.list("CURATION_FEED_ALLOWED_NETWORKS", default=[])
for _cidr in CURATION_FEED_ALLOWED_NETWORKS:  # a typo stops the start, not every fetch
    ipaddress.ip_network(_cidr.strip(), strict=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
