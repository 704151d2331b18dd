"""The outbox: what a transaction must cause later happens once it commits, and only then.

Real PostgreSQL throughout; one test runs the relay in a real Celery worker on real Redis.
"""

import logging
import socket
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from socialearn.notifications.handlers import FAN_OUT
from socialearn.notifications.models import Notification
from socialearn.notifications.services import notify_audience
from socialearn.outbox import handlers
from socialearn.outbox.models import Message
from socialearn.outbox.services import (
    LEASE,
    message_add,
    messages_claim,
    messages_dispatch,
    messages_retry,
    outbox_relay,
)
from socialearn.outbox.tasks import relay_outbox
from socialearn.people.permissions import LD_ADMIN
from tests.factories import UserFactory

FLAKY = "tests.flaky"
calls: list[dict] = []
failures_left = {"n": 0}


@handlers.register(FLAKY, max_attempts=3, backoff_base=timedelta(seconds=10))
def flaky(payloads: list[dict]) -> None:
    if failures_left["n"] > 0:
        failures_left["n"] -= 1
        raise ConnectionError("the far end hung up")
    calls.extend(payloads)


@pytest.fixture(autouse=True)
def _reset_flaky():
    calls.clear()
    failures_left["n"] = 0


def fan_out_to(*people, key: str = "hello:1") -> None:
    notify_audience(
        audience="users",
        audience_kwargs={"user_ids": [p.pk for p in people]},
        kind="test",
        title="Hello",
        dedupe_key=key,
    )


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_the_outbox_row_commits_with_its_cause_and_rolls_back_with_it():
    ann = UserFactory()
    written = []

    def cause_then_fail():
        with transaction.atomic():
            fan_out_to(ann, key="rolled-back")
            written.append(Message.objects.filter(kind=FAN_OUT).count())
            raise Boom

    with pytest.raises(Boom):
        cause_then_fail()
    assert written == [1]  # the row was there, inside the transaction
    assert not Message.objects.exists()

    with transaction.atomic():
        fan_out_to(ann, key="committed")
    message = Message.objects.get()
    assert (message.kind, message.status, message.attempts) == (FAN_OUT, "pending", 0)
    assert message.payload["dedupe_key"] == "committed"
    assert not Notification.objects.exists()  # nothing happens before the relay runs

    assert outbox_relay() == {"done": 1, "failed": 0}
    assert Notification.objects.get().recipient == ann
    message.refresh_from_db()
    assert message.status == "done"
    assert message.done_at is not None


@pytest.mark.django_db
def test_a_failing_handler_is_retried_with_backoff_and_then_succeeds_once():
    failures_left["n"] = 2
    message_add(kind=FLAKY, payload={"n": 1})
    start = timezone.now() + timedelta(seconds=1)

    assert outbox_relay(now=start) == {"done": 0, "failed": 1}
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("failed", 1)
    assert "ConnectionError: the far end hung up" in message.last_error
    assert message.available_at == start + timedelta(seconds=10)

    assert outbox_relay(now=start + timedelta(seconds=9)) == {"done": 0, "failed": 0}  # waits
    assert outbox_relay(now=start + timedelta(seconds=10)) == {"done": 0, "failed": 1}
    message.refresh_from_db()
    assert message.available_at == start + timedelta(seconds=30)  # 10 s, then 20 s

    assert outbox_relay(now=start + timedelta(seconds=30)) == {"done": 1, "failed": 0}
    assert outbox_relay(now=start + timedelta(hours=1)) == {"done": 0, "failed": 0}
    assert calls == [{"n": 1}]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("done", 3, "")


@pytest.mark.django_db
def test_after_its_last_attempt_a_message_is_dead_until_retried_from_the_admin():
    failures_left["n"] = 3
    message_add(kind=FLAKY, payload={"n": 2})
    when = timezone.now() + timedelta(seconds=1)
    for _ in range(3):
        outbox_relay(now=when)
        when = Message.objects.get().available_at
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("dead", 3)
    assert outbox_relay(now=when + timedelta(days=1)) == {"done": 0, "failed": 0}
    assert messages_retry(ids=[message.pk]) == 1
    assert outbox_relay(now=timezone.now() + timedelta(seconds=1)) == {"done": 1, "failed": 0}
    assert calls == [{"n": 2}]


@pytest.mark.django_db
def test_a_dead_relays_claims_are_taken_over_after_the_lease():
    ann = UserFactory()
    fan_out_to(ann)
    message_add(kind=FLAKY, payload={"n": 3})
    start = timezone.now() + timedelta(seconds=1)
    # A relay claims both messages, then dies (kill -9) before dispatching them.
    claimed = messages_claim(token="dead-relay", now=start)
    assert [kind for _id, kind in claimed] == [FAN_OUT, FLAKY]

    # Inside the lease another relay leaves them alone...
    assert outbox_relay(now=start + LEASE - timedelta(seconds=1)) == {"done": 0, "failed": 0}
    # ...after it, it takes them over.
    assert outbox_relay(now=start + LEASE) == {"done": 2, "failed": 0}
    assert Notification.objects.filter(recipient=ann).count() == 1
    assert calls == [{"n": 3}]

    # A relay that was only stalled and wakes up late finds nothing of its own to finish.
    assert messages_dispatch(claimed, token="dead-relay") == (0, 0)
    assert calls == [{"n": 3}]
    assert set(Message.objects.values_list("status", "attempts")) == {("done", 2)}


@pytest.mark.django_db
def test_a_repeated_fan_out_notifies_each_person_once():
    ann, bob = UserFactory(), UserFactory()
    fan_out_to(ann, bob, key="same")
    fan_out_to(ann, bob, key="same")
    assert outbox_relay() == {"done": 2, "failed": 0}
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_an_unknown_kind_is_refused_inside_the_transaction():
    with pytest.raises(LookupError):
        message_add(kind="nobody.handles.this", payload={})


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def broker_unreachable():
    """Celery's broker URL points at a closed port: every publish fails at once."""
    from socialearn.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    app._after_fork()  # forget pooled connections to the real broker
    try:
        yield app
    finally:
        app.conf.broker_url = saved
        app._after_fork()


@pytest.fixture
def broker_down():
    with broker_unreachable() as app:
        yield app


@pytest.mark.django_db
def test_with_the_broker_down_the_commit_succeeds_and_the_relay_delivers_later(
    broker_down, django_capture_on_commit_callbacks, caplog
):
    ann = UserFactory()
    caplog.set_level(logging.WARNING, logger="socialearn.outbox.services")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fan_out_to(ann)
    assert len(callbacks) == 1  # the wake ran, and failed quietly
    assert time.monotonic() - started < 5
    assert "Could not wake the outbox relay" in caplog.text
    assert Message.objects.get().status == "pending"
    assert outbox_relay() == {"done": 1, "failed": 0}  # the beat's run, once the broker is back
    assert Notification.objects.filter(recipient=ann).count() == 1


@pytest.mark.django_db
def test_healthz_stays_cheap_and_full_shows_the_relays_backlog(client):
    assert client.get("/healthz").content == b"ok"
    message_add(kind=FLAKY, payload={})
    Message.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    message_add(kind=FLAKY, payload={})
    body = client.get("/healthz?full").json()
    assert body["status"] == "ok"
    assert body["outbox"]["backlog"] == 2
    assert body["outbox"]["due"] == 2
    assert 175 < body["outbox"]["oldest_age_seconds"] < 240
    assert body["outbox"]["dead"] == 0


@pytest.mark.django_db
def test_an_ld_admin_sees_the_backlog_on_the_outbox_admin_page(client):
    admin = UserFactory(is_staff=True)
    admin.groups.add(Group.objects.get(name=LD_ADMIN))
    message_add(kind=FLAKY, payload={})
    client.force_login(admin)
    response = client.get(reverse("admin:outbox_message_changelist"))
    assert response.status_code == 200
    assert b"Relay backlog: <strong>1</strong> open" in response.content
    employee = UserFactory()
    client.force_login(employee)
    assert client.get(reverse("admin:outbox_message_changelist")).status_code == 302


@pytest.mark.worker
def test_a_real_worker_drains_the_outbox(celery_worker_process):
    ann, bob = UserFactory(), UserFactory()
    # Committed while the broker is down: the wake is lost, the message is not...
    with broker_unreachable(), transaction.atomic():
        fan_out_to(ann, key="during-outage")
    assert Message.objects.get().status == "pending"
    # ...then committed with a wake that reaches the worker, which runs both.
    with transaction.atomic():
        fan_out_to(bob, key="after-outage")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not Message.objects.exclude(status="done").exists():
            break
        time.sleep(0.2)
    assert list(Message.objects.values_list("status", flat=True)) == ["done", "done"]
    assert Notification.objects.filter(recipient=ann).count() == 1
    assert Notification.objects.filter(recipient=bob).count() == 1
    relay_outbox.delay()  # the beat's next tick finds nothing left to do
    time.sleep(1)
    assert Notification.objects.count() == 2


def test_tasks_retry_on_database_connection_errors_and_fit_the_visibility_timeout(settings):
    from django.db import InterfaceError, OperationalError

    from challenges.tasks import post_due_items
    from mentoring.tasks import run_matching
    from socialearn.notifications.tasks import fan_out

    for task in (relay_outbox, post_due_items, fan_out, run_matching):
        assert {OperationalError, InterfaceError} <= set(task.autoretry_for)
        assert task.retry_backoff
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_TIME_LIMIT < visibility <= 600
    assert run_matching.time_limit < visibility
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"]
    assert settings.CACHES["default"]["OPTIONS"]["socket_connect_timeout"]


SEEN_FAILURES: list[tuple[list[dict], str]] = []
BROKEN = "tests.broken"
BROKEN_HOOK = "tests.broken_hook"


@handlers.register(
    BROKEN, on_failure=lambda payloads, error: SEEN_FAILURES.append((payloads, str(error)))
)
def broken(payloads: list[dict]) -> None:
    raise Boom("no luck")


def _hook_that_fails(payloads, error):
    raise RuntimeError("the hook itself broke")


@handlers.register(BROKEN_HOOK, max_attempts=2, on_failure=_hook_that_fails)
def broken_with_a_broken_hook(payloads: list[dict]) -> None:
    raise Boom("no luck")


@pytest.mark.django_db
def test_a_kind_hears_of_its_failures_and_a_failing_hook_never_loses_the_record():
    SEEN_FAILURES.clear()
    message_add(kind=BROKEN, payload={"channel": 7})
    assert outbox_relay(kind=BROKEN) == {"done": 0, "failed": 1}
    assert SEEN_FAILURES == [([{"channel": 7}], "no luck")]

    message_add(kind=BROKEN_HOOK, payload={})
    assert outbox_relay(kind=BROKEN_HOOK) == {"done": 0, "failed": 1}
    message = Message.objects.get(kind=BROKEN_HOOK)
    assert (message.status, message.last_error) == ("failed", "Boom: no luck")
