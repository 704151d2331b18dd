"""Series and sessions: scheduling, changing and cancelling them, and what they record for
insights.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from communities.models import Community
from communities.services import thread_create
from socialearn import limits
from socialearn.insights.services import activity_record, scope_upsert
from socialearn.markdown import render_markdown
from socialearn.outbox.services import task_after_commit

from ..channels import session_announce
from ..models import DEFAULT_DURATION, SCHEDULE_TOO_LATE, Series, Session, latest_start
from ..selectors import viewer_for
from .board import _board_changed
from .record import _thread_body, _thread_title, session_thread_sync


def _scope(session: Session) -> None:
    scope_upsert(
        kind="session",
        object_id=session.pk,
        name=session.title,
        url=session.get_absolute_url(),
        is_private=session.community.is_private,
        extra={"community_id": session.community_id, "topic_id": session.topic_id},
    )


def _session_activity(session: Session, *, verb: str, actor, now: datetime, **fields) -> None:
    """Record a session event for insights, scoped to its session, community and topic."""
    activity_record(
        verb=verb,
        actor=actor,
        occurred_at=now,
        community_id=session.community_id,
        topic_ids=[session.topic_id],
        session_id=session.pk,
        **fields,
    )


def _require_moderator(user, session: Session) -> None:
    if not viewer_for(user, session, expert_ids=set()).is_moderator:
        raise PermissionDenied(_("Only the session's moderator or the community's managers can."))


@transaction.atomic
def session_touch(*, session: Session) -> None:
    """After an edit outside the services (admin): refresh the scope and the live boards."""
    _scope(session)
    _board_changed(session)


@transaction.atomic
def series_create(*, title: str, community: Community, description: str = "", topic=None) -> Series:
    base = slugify(title)[:140] or "series"
    slug, n = base, 2
    while Series.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    series = Series(
        title=title, slug=slug, description=description, community=community, topic=topic
    )
    series.full_clean()
    series.save()
    return series


def _check_start(starts_at: datetime) -> None:
    """A start the calendar can hold: compared by calendar day, before any arithmetic."""
    day = starts_at.date()  # its own calendar day: no time zone conversion that could overflow
    if day < limits.EARLIEST_DATE:
        raise ValidationError({"starts_at": _("Choose a start time after 1900.")})
    if day > latest_start():
        raise ValidationError({"starts_at": SCHEDULE_TOO_LATE})


@transaction.atomic
def session_schedule(
    *,
    created_by,
    title: str,
    topic,
    community: Community,
    experts: Iterable,
    starts_at: datetime,
    ends_at: datetime | None = None,
    moderator=None,
    description: str = "",
    kind: str = Session.Kind.ASK,
    series: Series | None = None,
    invite: bool = True,
) -> Session:
    """Put a session on the calendar: its community thread, its scope, then the invitations."""
    experts = list(experts)
    if not experts:
        raise ValidationError({"experts": _("Name at least one expert.")})
    if series is not None and series.community_id != community.pk:
        raise ValidationError({"series": _("The series belongs to another community.")})
    _check_start(starts_at)
    session = Session(
        title=title,
        topic=topic,
        description=description,
        description_html=render_markdown(description),
        community=community,
        kind=kind,
        series=series,
        moderator=moderator or created_by,
        starts_at=starts_at,
        ends_at=ends_at or starts_at + DEFAULT_DURATION,
        created_by=created_by,
    )
    if session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": _("The window must end after it starts.")})
    session.full_clean(exclude=["thread"])
    session.save()
    session.experts.set(experts)
    thread = thread_create(
        community=community,
        author=created_by,
        kind="discussion",
        title=_thread_title(session),
        body=_thread_body(session, experts),
        topics=[topic],
        is_system=True,
    )
    session.thread = thread
    session.save(update_fields=["thread"])
    _scope(session)
    session_announce(session)
    if not invite:
        session.invited_at = timezone.now()
        session.save(update_fields=["invited_at"])
    else:
        task_after_commit("expertqa.tasks.send_invitations", session.pk)
    return session


@transaction.atomic
def session_update(
    *,
    session: Session,
    by,
    title: str,
    description: str,
    experts: Iterable,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime | None = None,
) -> Session:
    """Edit a session; moving its window is a reschedule: the invited hear of it again."""
    now = now or timezone.now()
    _require_moderator(by, session)
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("community", "topic", "thread")
        .get(pk=session.pk)
    )
    if session.cancelled_at:
        raise ValidationError(_("This session was cancelled; it can no longer change."))
    experts = list(experts)
    if not experts:
        raise ValidationError({"experts": _("Name at least one expert.")})
    moved = (starts_at, ends_at) != (session.starts_at, session.ends_at)
    if moved:
        _check_start(starts_at)
        if session.clock_state(now) == Session.State.CLOSED:
            raise ValidationError(
                {"starts_at": _("This session has closed; its window can no longer move.")}
            )
        if starts_at != session.starts_at and starts_at < now - timedelta(minutes=5):
            raise ValidationError({"starts_at": _("Choose a start time in the future.")})
        if ends_at <= starts_at:
            raise ValidationError({"ends_at": _("The window must end after it starts.")})
        if ends_at <= now:
            raise ValidationError({"ends_at": _("The new window must end in the future.")})
    session.title = title
    session.description = description
    session.description_html = render_markdown(description)
    fields = ["title", "description", "description_html"]
    if moved:
        session.starts_at, session.ends_at = starts_at, ends_at
        session.sequence += 1
        # The clock reminds again before the new start and settles the new close.
        session.reminded_at = None
        session.close_processed_at = None
        fields += ["starts_at", "ends_at", "sequence", "reminded_at", "close_processed_at"]
    session.full_clean(exclude=["thread"])
    session.save(update_fields=fields)
    session.experts.set(experts)
    _board_changed(session)
    _scope(session)
    session_thread_sync(session=session, editors=[by], now=now)
    if moved:
        _session_activity(
            session,
            verb="session_rescheduled",
            actor=by,
            now=now,
            object_type="session",
            object_id=session.pk,
            extra={"sequence": session.sequence},
        )
        if session.invited_at is not None:  # else the invitation itself carries the new time
            _announce_change_on_commit(session, "rescheduled")
    return session


@transaction.atomic
def session_cancel(*, session: Session, by, note: str = "", now: datetime | None = None) -> Session:
    """Call a session off: the board stops taking questions and everyone invited hears of it."""
    now = now or timezone.now()
    _require_moderator(by, session)
    session = (
        Session.objects.select_for_update(of=("self",))
        .select_related("community", "topic", "thread")
        .get(pk=session.pk)
    )
    if session.cancelled_at:
        raise ValidationError(_("This session is already cancelled."))
    if session.clock_state(now) == Session.State.CLOSED:
        raise ValidationError(
            _("This session has already taken place; it stays on record and cannot be cancelled.")
        )
    session.cancelled_at = now
    session.cancelled_by = by
    session.cancel_note = (note or "").strip()[:1000]
    session.sequence += 1
    fields = ["cancelled_at", "cancelled_by", "cancel_note", "sequence"]
    was_invited = session.invited_at is not None
    if not was_invited:
        session.invited_at = now  # nobody was told yet, so nobody needs telling now
        fields.append("invited_at")
    session.save(update_fields=fields)
    _board_changed(session)
    session_thread_sync(session=session, editors=[by], now=now)
    _session_activity(
        session,
        verb="session_cancelled",
        actor=by,
        now=now,
        object_type="session",
        object_id=session.pk,
    )
    _announce_change_on_commit(session, "cancelled", audience=was_invited)
    return session


def _announce_change_on_commit(session: Session, change: str, audience: bool = True) -> None:
    task_after_commit(
        "expertqa.tasks.send_session_change", session.pk, change, session.sequence, audience
    )
