import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import xapi
from .models import Activity, Scope, XapiOutbox

XAPI_BATCH_SIZE = 50
XAPI_MAX_ATTEMPTS = 12
XAPI_BACKOFF_BASE = timedelta(seconds=30)
XAPI_BACKOFF_CAP = timedelta(hours=6)


def activity_record(
    *,
    verb: str,
    actor=None,
    occurred_at: datetime | None = None,
    community_id: int | None = None,
    topic_ids: list[int] | None = None,
    programme_id: int | None = None,
    session_id: int | None = None,
    challenge_id: int | None = None,
    thread_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    target_user=None,
    is_question: bool = False,
    extra: dict | None = None,
) -> Activity:
    """Record one event. Call it inside the feature service's transaction.

    For posted events, put {"title": ..., "url": ...} in extra: trending threads show the
    title and link from there (for threads of non-private communities only).
    When an LRS is configured, the event's xAPI statement joins the outbox in the same
    transaction, so a statement exists exactly when its activity does.
    """
    activity = Activity.objects.create(
        verb=verb,
        actor=actor,
        occurred_at=occurred_at or timezone.now(),
        community_id=community_id,
        topic_ids=[int(t) for t in (topic_ids or [])],
        programme_id=programme_id,
        session_id=session_id,
        challenge_id=challenge_id,
        thread_id=thread_id,
        object_type=object_type,
        object_id=object_id,
        target_user=target_user,
        is_question=is_question,
        extra=extra or {},
    )
    if xapi.is_configured():
        xapi_outbox_add(activity=activity)
    return activity


def xapi_outbox_add(*, activity: Activity) -> XapiOutbox | None:
    statement_id = uuid.uuid4()
    statement = xapi.statement_for(activity, statement_id=statement_id)
    if statement is None:
        return None
    return XapiOutbox.objects.create(
        statement_id=statement_id,
        activity=activity,
        statement=statement,
        next_attempt_at=timezone.now(),
    )


def scope_upsert(
    *,
    kind: str,
    object_id: int,
    name: str,
    url: str = "",
    is_private: bool = False,
    extra: dict | None = None,
) -> Scope:
    """Tell insights the name and link of a community / programme / session / challenge."""
    scope, _ = Scope.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={"name": name, "url": url, "is_private": is_private, "extra": extra or {}},
    )
    return scope


def xapi_backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min... capped at six hours."""
    return min(XAPI_BACKOFF_BASE * (2 ** max(attempts - 1, 0)), XAPI_BACKOFF_CAP)


def xapi_outbox_send_batch(
    *, batch_size: int = XAPI_BATCH_SIZE, now: datetime | None = None
) -> int:
    """Send one batch of due statements; return how many the LRS accepted (-1: it failed).

    The rows stay locked (FOR UPDATE SKIP LOCKED) until the outcome is written, so two
    senders never take the same row, and a row marked sent is never picked again. When a
    sender dies after the LRS stored a batch but before the commit, the retry sends the same
    statement ids, which an LRS recognises rather than storing twice.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            XapiOutbox.objects.select_for_update(skip_locked=True)
            .filter(
                status__in=[XapiOutbox.Status.PENDING, XapiOutbox.Status.FAILED],
                next_attempt_at__lte=now,
            )
            .order_by("next_attempt_at", "id")
            .only("id", "statement", "attempts")[:batch_size]
        )
        if not rows:
            return 0
        result = xapi.post_statements([row.statement for row in rows])
        ids = [row.id for row in rows]
        if result.ok:
            XapiOutbox.objects.filter(id__in=ids).update(
                status=XapiOutbox.Status.SENT, sent_at=timezone.now(), last_error=""
            )
            return len(rows)
        for row in rows:
            row.attempts += 1
            row.last_error = result.error[:2000]
            row.next_attempt_at = now + xapi_backoff(row.attempts)
            row.status = (
                XapiOutbox.Status.ABANDONED
                if row.attempts >= XAPI_MAX_ATTEMPTS
                else XapiOutbox.Status.FAILED
            )
        XapiOutbox.objects.bulk_update(
            rows, ["attempts", "last_error", "next_attempt_at", "status"]
        )
        return -1


def xapi_outbox_send(*, batch_size: int = XAPI_BATCH_SIZE, max_batches: int = 20, now=None) -> int:
    """Send due statements batch by batch until none are due or a batch fails."""
    if not settings.XAPI_ENDPOINT:
        return 0
    sent = 0
    for _ in range(max_batches):
        accepted = xapi_outbox_send_batch(batch_size=batch_size, now=now)
        if accepted <= 0:
            break
        sent += accepted
    return sent


def xapi_outbox_retry(*, ids: list[int]) -> int:
    """Send these failed or abandoned statements again at the next run (from admin)."""
    return XapiOutbox.objects.filter(
        id__in=ids, status__in=[XapiOutbox.Status.FAILED, XapiOutbox.Status.ABANDONED]
    ).update(status=XapiOutbox.Status.FAILED, next_attempt_at=timezone.now())
