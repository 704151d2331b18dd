import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from socialearn.outbox.models import Message
from socialearn.outbox.services import message_add, messages_retry, outbox_relay

from . import xapi
from .models import XAPI_STATEMENT, Activity, Scope, XapiStatement
from .selectors import CLOSING_GRACE, closed_periods_changed

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
    if occurred_at is not None and occurred_at < timezone.now() - CLOSING_GRACE:
        # A late or backdated event may fall in a closed period whose figures are kept.
        transaction.on_commit(closed_periods_changed)
        closed_periods_changed()
    return activity


def xapi_outbox_add(*, activity: Activity) -> Message | None:
    """Queue the activity's statement in the outbox, in the caller's transaction."""
    statement_id = uuid.uuid4()
    statement = xapi.statement_for(activity, statement_id=statement_id)
    if statement is None:
        return None
    return message_add(
        kind=XAPI_STATEMENT,
        payload={
            "statement_id": str(statement_id),
            "activity_id": activity.pk,
            "statement": statement,
        },
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


class XapiSendError(Exception):
    """The LRS did not take the batch; the message says why."""


def xapi_statements_send(payloads: list[dict]) -> None:
    """The outbox handler: POST one batch of statements. The LRS stores all of it or none.

    When a relay dies after the LRS stored a batch but before the messages were marked done,
    the retry sends the same statement ids, which an LRS recognises rather than storing twice.
    """
    if not xapi.is_configured():
        raise XapiSendError("XAPI_ENDPOINT is not set")
    result = xapi.post_statements([payload["statement"] for payload in payloads])
    if not result.ok:
        raise XapiSendError(result.error)


def xapi_outbox_send(*, batch_size: int = XAPI_BATCH_SIZE, max_batches: int = 20, now=None) -> int:
    """Send due statements batch by batch until none are due or a batch fails.

    The relay sends them anyway with every other outbox message; this sends only statements.
    """
    if not settings.XAPI_ENDPOINT:
        return 0
    totals = outbox_relay(
        kind=XAPI_STATEMENT,
        batch_size=batch_size,
        max_batches=max_batches,
        now=now,
        stop_on_failure=True,
    )
    return totals["done"]


def xapi_outbox_retry(*, ids: list[int]) -> int:
    """Send these failed or abandoned statements again at the next run (from admin)."""
    return messages_retry(
        ids=list(XapiStatement.objects.filter(id__in=ids).values_list("id", flat=True))
    )
