from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from socialearn.outbox.services import message_add
from socialearn.people.models import Topic

from . import audiences, handlers
from .models import Notification, PersonFollow, TopicFollow

User = get_user_model()


@transaction.atomic
def topic_follow(*, user, topic: Topic, level: str | None = None) -> TopicFollow:
    """The person expressed an interest. A new follow hears of everything on the topic at
    once unless `level` says digest only; following again without a level keeps the level."""
    if level is not None and level not in TopicFollow.Level.values:
        raise ValidationError({"level": _("Choose every new post or the digest only.")})
    follow, created = TopicFollow.objects.get_or_create(
        user=user, topic=topic, defaults={"level": level or TopicFollow.Level.EVERY}
    )
    if not created and level is not None and follow.level != level:
        follow.level = level
        follow.save(update_fields=["level"])
    return follow


@transaction.atomic
def topic_unfollow(*, user, topic: Topic) -> None:
    TopicFollow.objects.filter(user=user, topic=topic).delete()


@transaction.atomic
def person_follow(*, user, person) -> PersonFollow:
    """Follow someone's posts (idempotent). Nobody follows themselves."""
    if user.pk == person.pk:
        raise ValidationError(_("You cannot follow yourself."))
    follow, _created = PersonFollow.objects.get_or_create(user=user, person=person)
    return follow


@transaction.atomic
def person_unfollow(*, user, person) -> None:
    PersonFollow.objects.filter(user=user, person=person).delete()


def _fit(text: str, limit: int) -> str:
    return Truncator(text).chars(limit)


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
    send_email: bool = False,
    exclude_user_ids: Iterable[int] = (),
) -> int:
    """Notify a handful of people now, in the caller's transaction. Returns how many."""
    excluded = set(exclude_user_ids)
    now = timezone.now()
    ids = {getattr(r, "pk", r) for r in recipients} - excluded
    rows = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            title=_fit(title, 255),
            body=body,
            url=url,
            dedupe_key=dedupe_key,
            send_email=send_email,
            created_at=now,
        )
        for user_id in sorted(ids)
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(dedupe_key))
    if send_email and rows:
        message_add(kind=handlers.EMAILS, payload={})
    return len(rows)


def notify_audience_now(
    *,
    audience: QuerySet,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
    send_email: bool = False,
    exclude_user_ids: Iterable[int] = (),
) -> int:
    """Insert one notification per user id in `audience` with one INSERT ... SELECT.

    `audience` is a QuerySet selecting a single column of user ids. With a dedupe_key the
    insert is idempotent (ON CONFLICT DO NOTHING), so a retried fan-out writes nothing twice.
    Returns the number of rows inserted.
    """
    sub_sql, sub_params = audience.query.sql_with_params()
    excluded = list(exclude_user_ids)
    table = Notification._meta.db_table
    sql = f"""
        INSERT INTO {table}
            (recipient_id, kind, title, body, url, dedupe_key, send_email, created_at)
        SELECT DISTINCT a.uid, %s, %s, %s, %s, %s, %s, %s
        FROM ({sub_sql}) AS a(uid)
        JOIN {User._meta.db_table} u ON u.id = a.uid AND u.is_active
        WHERE NOT (a.uid = ANY(%s))
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - table names are ours; values are parameters
    # Placeholders in text order: the SELECT list, then the audience subquery, then WHERE.
    params = (
        kind,
        _fit(title, 255),
        body,
        url,
        dedupe_key,
        send_email,
        timezone.now(),
        *sub_params,
        excluded,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = cursor.rowcount
    if send_email and inserted:
        message_add(kind=handlers.EMAILS, payload={})
    return inserted


def notify_audience(
    *,
    audience: str,
    audience_kwargs: dict,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str = "",
    send_email: bool = False,
    exclude_user_ids: Iterable[int] = (),
) -> None:
    """Fan a notification out to a named audience after commit, through the outbox.

    The outbox row is written in the caller's transaction, so the fan-out happens exactly
    when the caller's change commits, even if the broker is down or a worker dies; the relay
    then does one set-based insert, whatever the audience size. Give a dedupe_key so a
    repeated run inserts nothing twice.
    """
    payload = {
        "audience": audience,
        "audience_kwargs": audience_kwargs,
        "kind": kind,
        "title": title,
        "body": body,
        "url": url,
        "dedupe_key": dedupe_key,
        "send_email": send_email,
        "exclude_user_ids": list(exclude_user_ids),
    }
    message_add(kind=handlers.FAN_OUT, payload=payload)


def fan_out_run(
    *,
    audience: str,
    audience_kwargs: dict,
    exclude_user_ids: Iterable[int] = (),
    **notification,
) -> int:
    queryset = audiences.resolve(audience, **audience_kwargs)
    with transaction.atomic():
        return notify_audience_now(
            audience=queryset, exclude_user_ids=exclude_user_ids, **notification
        )


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    return qs.update(read_at=timezone.now())


@transaction.atomic
def email_unsubscribe(*, user_id: int, kind: str) -> None:
    """No more emails of `kind` for this person (the digest: turned off on their profile).

    Idempotent: a mail client may POST the one-click link more than once."""
    from socialearn.people.models import Profile

    from .mail import DIGEST
    from .models import EmailOptOut

    if kind == DIGEST:
        Profile.objects.filter(user_id=user_id).update(
            digest_frequency=Profile.DigestFrequency.NONE
        )
        return
    EmailOptOut.objects.get_or_create(
        user_id=user_id, kind=kind, defaults={"created_at": timezone.now()}
    )


@transaction.atomic
def email_resubscribe(*, user_id: int, kind: str) -> None:
    from .models import EmailOptOut

    EmailOptOut.objects.filter(user_id=user_id, kind=kind).delete()


@dataclass(frozen=True)
class NotificationItem:
    """One notification of a batch where each person's text differs (nudges)."""

    recipient_id: int
    kind: str
    title: str
    url: str = ""
    body: str = ""
    dedupe_key: str = ""


def notify_each(*, items: Iterable[NotificationItem], send_email: bool = False) -> int:
    """Insert notifications that each have their own text, in the caller's transaction.

    Rows with a dedupe key already delivered to that person are skipped, so a retried batch
    writes nothing twice; one email wake covers the whole batch. Returns how many rows were
    offered (the conflicts are not counted apart).
    """
    now = timezone.now()
    rows = [
        Notification(
            recipient_id=item.recipient_id,
            kind=item.kind,
            title=_fit(item.title, 255),
            body=item.body,
            url=item.url,
            dedupe_key=item.dedupe_key,
            send_email=send_email,
            created_at=now,
        )
        for item in items
    ]
    Notification.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    if send_email and rows:
        message_add(kind=handlers.EMAILS, payload={})
    return len(rows)
