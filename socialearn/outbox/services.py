"""Write to the outbox inside a transaction; relay its messages after commit.

`message_add` writes the row in the caller's transaction and, once that commits, wakes the
relay with a best-effort task. The wake is only a shortcut: when the broker is down the
publish fails, the failure is logged and swallowed, and the beat's relay runs the message a
few seconds later (or once the broker is back). Nothing is lost either way, because the row
is the record of what must happen, not the task message.
"""

import importlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from . import handlers
from .models import Message

logger = logging.getLogger(__name__)

# A relay holds its claim this long; after it, another relay takes the messages over.
LEASE = timedelta(minutes=2)
CLAIM_BATCH = 50
# One relay run stops claiming after this long, so it ends well inside the task time limit.
RUN_BUDGET_SECONDS = 120.0
OPEN = [Message.Status.PENDING, Message.Status.FAILED]

_local = threading.local()


def message_add(*, kind: str, payload: dict, available_at: datetime | None = None) -> Message:
    """Record that `kind` must happen with `payload` once the caller's transaction commits."""
    handlers.get(kind)  # an unknown kind is a programming error: fail inside the transaction
    now = timezone.now()
    message = Message.objects.create(
        kind=kind, payload=payload, available_at=available_at or now, created_at=now
    )
    _wake_after_commit()
    return message


def relay_wake() -> None:
    """Ask a worker to run the relay now. Best effort: a broker outage only delays."""
    from .tasks import relay_outbox

    try:
        relay_outbox.apply_async(retry=False)
    except Exception as error:
        logger.warning("Could not wake the outbox relay (%s); the beat will run it", error)


def _wake_after_commit() -> None:
    if getattr(_local, "held", 0):
        _local.wake_due = True
        return
    transaction.on_commit(relay_wake)


@contextmanager
def one_wake() -> Iterator[None]:
    """Messages added inside wake the relay once, at the end, instead of once per commit."""
    _local.held = getattr(_local, "held", 0) + 1
    try:
        yield
    finally:
        _local.held -= 1
        if not _local.held and getattr(_local, "wake_due", False):
            _local.wake_due = False
            transaction.on_commit(relay_wake)


def _token() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def messages_claim(
    *, token: str, now: datetime, limit: int = CLAIM_BATCH, kind: str | None = None
) -> list[tuple[int, str]]:
    """Claim up to `limit` due messages for `token`, oldest first; return (id, kind) pairs.

    SKIP LOCKED passes over rows another relay is working on; the lease passes over rows
    another relay has claimed and may still work on, until it expires. The attempt is
    counted here, so a message that kills its relay every time still ends up dead.
    """
    table = Message._meta.db_table
    kind_filter = "AND kind = %s" if kind else ""
    sql = f"""
        UPDATE {table} AS m
        SET locked_by = %s, locked_until = %s, attempts = m.attempts + 1
        FROM (
            SELECT id FROM {table}
            WHERE status IN ('pending', 'failed') AND available_at <= %s
              AND (locked_until IS NULL OR locked_until <= %s) {kind_filter}
            ORDER BY available_at, id
            LIMIT %s
            FOR UPDATE SKIP LOCKED
        ) AS due
        WHERE m.id = due.id
        RETURNING m.id, m.kind, m.available_at
    """  # noqa: S608 - the table name is ours; values are parameters
    params: list = [token, now + LEASE, now, now]
    if kind:
        params.append(kind)
    params.append(limit)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rows.sort(key=lambda row: (row[2], row[0]))
    return [(row[0], row[1]) for row in rows]


def _dispatch(registration: handlers.Registration, ids: list[int], token: str, now) -> tuple:
    """Run one handler call for these claimed messages; return (done, failed) counts.

    The rows stay locked while the handler runs, so no other relay runs them at the same
    time. A relay frozen mid-handler (SIGSTOP, a hung host) would hold those locks for good;
    PostgreSQL ends its idle transaction after the lease instead, and the next relay takes
    the messages over.
    """
    outermost = not connection.in_atomic_block
    try:
        with transaction.atomic():
            if outermost:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                        [str(int(LEASE.total_seconds() * 1000))],
                    )
            # Still ours? A relay that stalled past its lease may have lost them.
            rows = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(id__in=ids, locked_by=token, status__in=OPEN)
                .order_by("available_at", "id")
                .only("id", "payload")
            )
            if not rows:
                return 0, 0
            registration.func([row.payload for row in rows])
            Message.objects.filter(id__in=[row.id for row in rows]).update(
                status=Message.Status.DONE,
                done_at=timezone.now(),
                locked_by="",
                locked_until=None,
                last_error="",
            )
            return len(rows), 0
    except Exception as error:
        logger.warning("Outbox %s messages %s failed: %s", registration.kind, ids, error)
        return 0, _record_failure(registration, ids, token, now, error)


def _record_failure(registration, ids: list[int], token: str, now, error: Exception) -> int:
    when = now or timezone.now()
    message = f"{type(error).__name__}: {error}"[:2000]
    with transaction.atomic():
        rows = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(id__in=ids, locked_by=token, status__in=OPEN)
            .only("id", "attempts", "payload")
        )
        if rows and registration.on_failure is not None:
            _failure_hook(registration, [row.payload for row in rows], error)
        for row in rows:
            row.last_error = message
            row.available_at = when + registration.backoff(row.attempts)
            row.status = (
                Message.Status.DEAD
                if row.attempts >= registration.max_attempts
                else Message.Status.FAILED
            )
            row.locked_by = ""
            row.locked_until = None
        Message.objects.bulk_update(
            rows, ["last_error", "available_at", "status", "locked_by", "locked_until"]
        )
    return len(rows)


def _failure_hook(registration, payloads: list[dict], error: Exception) -> None:
    """Let the kind record the failure where its owners look; never lose the record for it."""
    try:
        with transaction.atomic():
            registration.on_failure(payloads, error)
    except Exception as hook_error:
        logger.warning("Outbox %s failure hook failed: %s", registration.kind, hook_error)


def messages_dispatch(claimed: list[tuple[int, str]], *, token: str, now=None) -> tuple:
    """Hand claimed messages to their handlers, in claim order; return (done, failed)."""
    done = failed = 0
    by_kind: dict[str, list[int]] = {}
    for message_id, kind in claimed:
        by_kind.setdefault(kind, []).append(message_id)
    for kind, ids in by_kind.items():
        try:
            registration = handlers.get(kind)
        except LookupError as error:
            missing = handlers.Registration(kind=kind, func=lambda payloads: None)
            failed += _record_failure(missing, ids, token, now, error)
            continue
        size = max(registration.batch_size, 1)
        for start in range(0, len(ids), size):
            d, f = _dispatch(registration, ids[start : start + size], token, now)
            done, failed = done + d, failed + f
    return done, failed


def outbox_relay(
    *,
    kind: str | None = None,
    now: datetime | None = None,
    batch_size: int = CLAIM_BATCH,
    max_batches: int = 1000,
    stop_on_failure: bool = False,
    budget_seconds: float = RUN_BUDGET_SECONDS,
) -> dict:
    """Claim and dispatch due messages until none are due (or the time budget is spent)."""
    token = _token()
    started = time.monotonic()
    totals = {"done": 0, "failed": 0}
    for _ in range(max_batches):
        claimed = messages_claim(
            token=token, now=now or timezone.now(), limit=batch_size, kind=kind
        )
        if not claimed:
            break
        done, failed = messages_dispatch(claimed, token=token, now=now)
        totals["done"] += done
        totals["failed"] += failed
        if (failed and stop_on_failure) or time.monotonic() - started > budget_seconds:
            break
    return totals


def messages_retry(*, ids: list[int]) -> int:
    """Run these failed or dead messages again at the relay's next run (from the admin)."""
    return Message.objects.filter(
        id__in=ids, status__in=[Message.Status.FAILED, Message.Status.DEAD]
    ).update(status=Message.Status.FAILED, available_at=timezone.now(), locked_until=None)


def messages_purge(*, older_than: timedelta = timedelta(days=14)) -> int:
    """Forget done messages after a while; dead ones stay until someone looks at them."""
    cutoff = timezone.now() - older_than
    deleted, _ = Message.objects.filter(status=Message.Status.DONE, done_at__lt=cutoff).delete()
    return deleted


CELERY_TASK = "outbox.celery_task"


def task_after_commit(name: str, *args, **kwargs) -> Message:
    """Publish the Celery task `name` once the caller's transaction commits, surely.

    For work too long for the relay itself (a matching run, a batch of invitations): the
    relay publishes the task and retries the publish until the broker takes it, where a bare
    on_commit(task.delay) loses it when the broker is down at that moment. The task must be
    idempotent, as every task is.
    """
    return message_add(kind=CELERY_TASK, payload={"name": name, "args": args, "kwargs": kwargs})


@handlers.register(CELERY_TASK)
def _publish_tasks(payloads: list[dict]) -> None:
    from celery import current_app

    for payload in payloads:
        name = payload["name"]
        if name not in current_app.tasks:
            # Its app's tasks module is not imported in this process yet (a web process).
            importlib.import_module(name.rsplit(".", 1)[0])
        current_app.tasks[name].apply_async(
            args=payload.get("args") or (), kwargs=payload.get("kwargs") or {}, retry=False
        )
