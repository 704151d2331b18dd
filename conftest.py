"""Test set-up shared by every app: real PostgreSQL and Redis, never SQLite or mocks."""

import os

import pytest


@pytest.fixture(autouse=True)
def _clear_cache():
    """Forget this run's cached keys (rate limits, board versions) before each test.

    Only keys under this run's prefix go: a FLUSHDB would also drop Celery's queues and
    another run's keys on the same Redis database.
    """
    from django.conf import settings
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _forget_compiled_search_queries():
    """Search compiles each provider's SQL once per process: a test that changes a module's
    constant (CANDIDATES) must not find the SQL another test compiled."""
    from socialearn.people import search

    search.forget_compiled()


@pytest.fixture
def mailoutbox_clear(mailoutbox):
    mailoutbox.clear()
    return mailoutbox


def pytest_report_header(config):
    return [
        f"DATABASE_URL={os.environ.get('DATABASE_URL', '(test settings default)')}",
        f"REDIS_URL={os.environ.get('REDIS_URL', '(test settings default)')}",
    ]


@pytest.fixture
def celery_eager():
    """Run tasks in-process when .delay() is called (use with
    django_capture_on_commit_callbacks(execute=True) to see on_commit fan-outs happen)."""
    from socialearn.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def admin_people(db, celery_eager, django_capture_on_commit_callbacks):
    """A superuser and an L&D admin (staff, in the L&D group), in the world the security
    tests build: communities public and private, posts, sessions, a challenge."""
    from socialearn.people.permissions import staff_groups_sync
    from tests.factories import UserFactory
    from tests.security.conftest import _build_world

    with django_capture_on_commit_callbacks(execute=True):
        world = _build_world()
    staff_groups_sync()
    world.lnd.is_staff = True
    world.lnd.save(update_fields=["is_staff"])
    root = UserFactory(is_staff=True, is_superuser=True, profile__display_name="Root Admin")
    return {"superuser": root, "L&D admin": world.lnd}


def _database_url(settings_dict) -> str:
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    port = settings_dict.get("PORT") or ""
    hostport = f"{host}:{port}" if port else host
    url = f"postgres://{auth}{hostport}/{settings_dict['NAME']}"
    # The embedded server listens on a Unix socket, given as OPTIONS["host"].
    socket_dir = (settings_dict.get("OPTIONS") or {}).get("host")
    return f"{url}?host={socket_dir}" if socket_dir and not host else url


@pytest.fixture
def celery_worker_process(transactional_db):
    """A real Celery worker process on real Redis, using the test database.

    Use with transactional_db data (committed rows). Yields the Celery app; the worker listens
    on this run's own queue, purged first, so parallel runs and stale tasks never interfere.
    """
    import subprocess
    import sys
    import time

    from django.conf import settings
    from django.db import connection

    from socialearn.celery import app

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="socialearn.settings.test",
        DATABASE_URL=_database_url(connection.settings_dict),
        REDIS_URL=settings.REDIS_URL,
        CELERY_TEST_QUEUE=queue,
        CACHE_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"].removeprefix("test-"),
    )
    hostname = f"test-{os.getpid()}@%h"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "socialearn",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            hostname,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=0.5)
            if any(f"test-{os.getpid()}@" in name for reply in replies for name in reply):
                break
            if process.poll() is not None:
                raise RuntimeError("The Celery worker exited before it was ready")
        else:
            raise RuntimeError("The Celery worker did not answer a ping within 30 s")
        yield app
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def oidc_provider(live_server, tmp_path_factory):
    """A real OpenID Connect provider on loopback (tests/identity/idp), with a client whose
    redirect URI is this live server's callback."""
    from django.conf import settings

    from tests.identity.idp.server import start

    db = settings.DATABASES["default"]
    provider, stop = start(
        _database_url(db),
        f"{live_server.url}/accounts/oidc/intranet/login/callback/",
        tmp_path_factory.mktemp("idp"),
    )
    yield provider
    stop()


@pytest.fixture
def oidc_sign_in(oidc_provider, settings):
    """The site configured to sign in through the test provider."""
    from socialearn.settings.base import sign_in_form_targets
    from tests.identity.idp.server import CLIENT_ID, CLIENT_SECRET

    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "intranet",
                    "name": "Company sign-in",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {
                        "server_url": oidc_provider.url,
                        "scope": ["openid", "profile", "email", "organisation"],
                    },
                }
            ]
        }
    }
    policy = settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY = {
        **policy,
        "DIRECTIVES": {
            **policy["DIRECTIVES"],
            "form-action": sign_in_form_targets(settings.SOCIALACCOUNT_PROVIDERS, []),
        },
    }
    return oidc_provider
