"""Every write in expert Q&A: one function per use case."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.text import slugify

from communities.models import Community
from communities.services import thread_create, thread_edit
from socialearn import limits
from socialearn.insights.services import activity_record, scope_upsert
from socialearn.markdown import render_markdown
from socialearn.notifications.services import notify
from socialearn.nudges.services import nudges_run
from socialearn.outbox.services import task_after_commit

from . import permissions
from .models import (
    DEFAULT_DURATION,
    DEFERRAL_TOO_LATE,
    SCHEDULE_TOO_LATE,
    Answer,
    Question,
    Series,
    Session,
    Vote,
    latest_deferral,
    latest_start,
    org_today,
)
from .selectors import can_view_session, person_name, viewer_for

VERSION_CACHE_TTL = 120  # seconds; a stale value heals itself within this


def version_cache_key(session_id: int) -> str:
    return f"expertqa:session-version:{session_id}"


def board_version(session_id: int) -> int | None:
    """The board's version stamp, from Redis when it is there, else one indexed read."""
    key = version_cache_key(session_id)
    version = cache.get(key)
    if version is None:
        version = Session.objects.filter(pk=session_id).values_list("version", flat=True).first()
        if version is not None:
            cache.set(key, version, VERSION_CACHE_TTL)
    return version


def _board_changed(session: Session) -> None:
    """Bump the version in the caller's transaction; drop the cached copy once committed."""
    Session.objects.filter(pk=session.pk).update(version=F("version") + 1)
    session_id = session.pk
    transaction.on_commit(lambda: cache.delete(version_cache_key(session_id)))


def _scope(session: Session) -> None:
    scope_upsert(
        kind="session",
        object_id=session.pk,
        name=session.title,
        url=session.get_absolute_url(),
        is_private=session.community.is_private,
        extra={"community_id": session.community_id, "topic_id": session.topic_id},
    )


# --- sessions ---------------------------------------------------------------------------------


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
        raise ValidationError({"starts_at": "Choose a start time after 1900."})
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
        raise ValidationError({"experts": "Name at least one expert."})
    if series is not None and series.community_id != community.pk:
        raise ValidationError({"series": "The series belongs to another community."})
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
        raise ValidationError({"ends_at": "The window must end after it starts."})
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
    if not invite:
        session.invited_at = timezone.now()
        session.save(update_fields=["invited_at"])
    else:
        task_after_commit("expertqa.tasks.send_invitations", session.pk)
    return session


def _thread_title(session: Session) -> str:
    title = f"{session.get_kind_display()}: {session.title}"
    return (f"Cancelled: {title}" if session.cancelled_at else title)[:200]


def _thread_body(session: Session, experts: Iterable, record: str = "") -> str:
    names = ", ".join(person_name(e) for e in experts)
    when = timezone.localtime(session.starts_at)
    url = session.get_absolute_url()
    lines = [session.description.strip()]
    if session.cancelled_at:
        lines.append(f"This session was cancelled. {session.cancel_note}".strip())
    elif record:
        lines.append(f"With {names}, {when:%a %-d %b %Y}. [See the board]({url})")
        lines.append(record)
    else:
        lines.append(f"With {names}. [Ask your questions on the board]({url})")
    return "\n\n".join(line for line in lines if line)


def _record_markdown(session: Session, room: int = limits.POST_BODY) -> str:
    """The session's questions and answers as Markdown: what stays once the window is gone.

    Askers are never named here (some asked anonymously); hidden and merged questions stay out.
    At most `room` characters (the thread body has a maximum): the questions that do not fit
    are left to the board, with a line that says so.
    """
    questions = list(
        Question.objects.on_board()
        .filter(session=session)
        .select_related("deferred_by__profile")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("author__profile"))
        )
        .order_by("-vote_count", "created_at", "id")
    )
    if not questions:
        return "Nobody asked a question in this session."
    parts = [f"## Questions and answers ({len(questions)})"]
    # Room for the closing line, should some questions not fit.
    room -= 200
    used = len(parts[0])
    for shown, q in enumerate(questions):
        votes = f" ({q.vote_count} vote{'s' if q.vote_count != 1 else ''})" if q.vote_count else ""
        block = [f"### Q{votes}: " + " ".join(q.body.split())[:300]]
        answers = list(q.answers.all())
        for a in answers:
            quoted = "\n".join(f"> {line}" for line in a.body.strip().splitlines())
            block.append(f"**{person_name(a.author)}** answered:\n\n{quoted}")
        if not answers and q.deferred_to:
            block.append(
                f"*{person_name(q.deferred_by)} will answer by {q.deferred_to:%-d %b %Y}:* "
                f"{q.deferral_note}"
            )
        elif not answers:
            block.append("*Not answered yet.*")
        size = sum(len(part) + 2 for part in block)
        if used + size > room:
            rest = len(questions) - shown
            parts.append(
                f"*{rest} more question{'s' if rest != 1 else ''} and the answers are on "
                f"[the board]({session.get_absolute_url()}).*"
            )
            break
        parts += block
        used += size
    return "\n\n".join(parts)


def session_thread_sync(
    *, session: Session, editors: Iterable = (), now: datetime | None = None
) -> bool:
    """Bring the session's community thread up to date: title, time, and once the window has
    closed, the questions and answers, so community search finds the record.

    Goes through communities' thread_edit as the first of `editors` (then the thread's
    author) it allows; returns False when nobody may edit the thread (it is left as it was).
    """
    thread = session.thread
    if thread is None:
        return False
    experts = list(session.experts.select_related("profile"))
    closed = session.clock_state(now) == Session.State.CLOSED
    record = ""
    if closed:
        room = limits.POST_BODY - len(_thread_body(session, experts, record="-"))
        record = _record_markdown(session, room=room)
    body = _thread_body(session, experts, record=record)
    title = _thread_title(session)
    if thread.title == title and thread.body == body:
        return True
    for editor in [*editors, thread.author]:
        if editor is None:
            continue
        try:
            with transaction.atomic():
                thread_edit(thread=thread, editor=editor, title=title, body=body)
        except (PermissionDenied, ValidationError):
            continue
        return True
    return False


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
        raise ValidationError("This session was cancelled; it can no longer change.")
    experts = list(experts)
    if not experts:
        raise ValidationError({"experts": "Name at least one expert."})
    moved = (starts_at, ends_at) != (session.starts_at, session.ends_at)
    if moved:
        _check_start(starts_at)
        if session.clock_state(now) == Session.State.CLOSED:
            raise ValidationError(
                {"starts_at": "This session has closed; its window can no longer move."}
            )
        if starts_at != session.starts_at and starts_at < now - timedelta(minutes=5):
            raise ValidationError({"starts_at": "Choose a start time in the future."})
        if ends_at <= starts_at:
            raise ValidationError({"ends_at": "The window must end after it starts."})
        if ends_at <= now:
            raise ValidationError({"ends_at": "The new window must end in the future."})
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
        raise ValidationError("This session is already cancelled.")
    if session.clock_state(now) == Session.State.CLOSED:
        raise ValidationError(
            "This session has already taken place; it stays on record and cannot be cancelled."
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


# --- questions --------------------------------------------------------------------------------


def _closed_message(session: Session) -> str:
    if session.cancelled_at:
        note = f" {session.cancel_note}" if session.cancel_note else ""
        return f"This session was cancelled; it no longer takes questions.{note}"
    closed = timezone.localtime(session.ends_at)
    return (
        f"This session closed at {closed:%H:%M} on {closed:%-d %b}; it no longer takes "
        "questions. Ask in the community instead."
    )


@transaction.atomic
def question_ask(
    *,
    session: Session,
    author,
    body: str,
    is_anonymous: bool = False,
    now: datetime | None = None,
) -> Question:
    now = now or timezone.now()
    body = (body or "").strip()
    if not can_view_session(author, session):
        raise PermissionDenied("Only members of this community can ask here.")
    if not session.takes_questions(now):
        raise ValidationError({"body": _closed_message(session)})
    if not body:
        raise ValidationError({"body": "Write your question first."})
    if is_anonymous and session.community.anonymity == Community.Anonymity.OFF:
        raise ValidationError(
            {"is_anonymous": "This community does not allow anonymous questions."}
        )
    question = Question(
        session=session,
        author=author,
        body=body,
        body_html=render_markdown(body),
        is_anonymous=is_anonymous,
        created_at=now,
    )
    question.full_clean()
    question.save()
    _board_changed(session)
    _session_activity(
        session,
        verb="session_question_asked",
        # An anonymous question names nobody in the figures or exports either.
        actor=None if is_anonymous else author,
        now=now,
        object_type="session_question",
        object_id=question.pk,
        is_question=True,
        extra={"anonymous": is_anonymous},
    )
    return question


@transaction.atomic
def vote_toggle(*, question: Question, user, now: datetime | None = None) -> bool:
    """Upvote, or take the upvote back. One vote per person (a unique constraint)."""
    session = question.session
    if not can_view_session(user, session):
        raise PermissionDenied
    if question.status != Question.Status.VISIBLE:
        raise ValidationError("This question is no longer on the board.")
    if not session.takes_questions(now):
        if session.cancelled_at:
            raise ValidationError("This session was cancelled; voting is closed.")
        raise ValidationError("Voting closed with the session.")
    deleted, _ = Vote.objects.filter(question=question, user=user).delete()
    if deleted:
        Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") - 1)
        question.refresh_from_db(fields=["vote_count"])
        return False
    _, created = Vote.objects.get_or_create(question=question, user=user)
    if created:
        Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") + 1)
    question.refresh_from_db(fields=["vote_count"])
    # Votes reorder the board but do not bump its version: a "new" bar for every +1 in a busy
    # session would be noise. Readers see the new order when they next show the board.
    return True


def _require_moderator(user, session: Session) -> None:
    if not viewer_for(user, session, expert_ids=set()).is_moderator:
        raise PermissionDenied("Only the session's moderator or the community's managers can.")


@transaction.atomic
def question_hide(*, question: Question, by) -> Question:
    _require_moderator(by, question.session)
    question.status = Question.Status.HIDDEN
    question.save(update_fields=["status"])
    _board_changed(question.session)
    return question


@transaction.atomic
def question_restore(*, question: Question, by) -> Question:
    _require_moderator(by, question.session)
    if question.status == Question.Status.HIDDEN:
        question.status = Question.Status.VISIBLE
        question.save(update_fields=["status"])
        _board_changed(question.session)
    return question


@transaction.atomic
def question_merge(*, duplicate: Question, into: Question, by) -> Question:
    """Fold a duplicate into the original: its voters (and its asker) now back the original."""
    _require_moderator(by, duplicate.session)
    if duplicate.session_id != into.session_id:
        raise ValidationError("Both questions must be on the same board.")
    if duplicate.pk == into.pk:
        raise ValidationError("Choose another question to merge into.")
    if into.status != Question.Status.VISIBLE:
        raise ValidationError("Merge into a question that is on the board.")
    backers = set(Vote.objects.filter(question=duplicate).values_list("user_id", flat=True))
    if duplicate.author_id:
        backers.add(duplicate.author_id)
    if into.author_id:
        backers.discard(into.author_id)
    Vote.objects.bulk_create(
        [Vote(question=into, user_id=uid) for uid in sorted(backers)], ignore_conflicts=True
    )
    Question.objects.filter(pk=into.pk).update(
        vote_count=Vote.objects.filter(question=into).count()
    )
    duplicate.status = Question.Status.MERGED
    duplicate.merged_into = into
    duplicate.save(update_fields=["status", "merged_into"])
    _board_changed(duplicate.session)
    into.refresh_from_db(fields=["vote_count"])
    return into


# --- answers and deferrals --------------------------------------------------------------------


def _require_expert(user, session: Session) -> None:
    if not permissions.is_expert(user, session):
        raise PermissionDenied("Only the session's experts can answer or defer.")


@transaction.atomic
def answer_create(*, question: Question, author, body: str, now: datetime | None = None) -> Answer:
    now = now or timezone.now()
    session = question.session
    _require_expert(author, session)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write the answer first."})
    if question.status != Question.Status.VISIBLE:
        raise ValidationError({"body": "This question is no longer on the board."})
    answer = Answer(
        question=question, author=author, body=body, body_html=render_markdown(body), created_at=now
    )
    answer.full_clean()
    answer.save()
    first = question.answered_at is None
    if first:
        question.answered_at = now
        question.save(update_fields=["answered_at"])
    _board_changed(session)
    if session.clock_state(now) == Session.State.CLOSED:
        # A deferred answer delivered after the close joins the community record.
        session_thread_sync(session=session, editors=[author], now=now)
    _session_activity(
        session,
        verb="session_answered",
        actor=author,
        now=now,
        # Insights pairs answers with their question by object_id.
        object_type="session_question",
        object_id=question.pk,
        target_user=None if question.is_anonymous else question.author,
        is_question=True,
        extra={"answer_id": answer.pk, "deferred": bool(question.deferred_to)},
    )
    askers = set(Question.objects.filter(merged_into=question).values_list("author_id", flat=True))
    askers.add(question.author_id)
    askers.discard(None)
    askers.discard(author.pk)
    if askers:
        if question.deferred_to:
            title = f"{person_name(author)} answered the question they promised for "
            title += f"{question.deferred_to:%-d %b}: {question.body[:80]}"
        else:
            title = f"{person_name(author)} answered your question: {question.body[:80]}"
        notify(
            recipients=askers,
            kind="expertqa_answered",
            title=title,
            url=f"{session.get_absolute_url()}#question-{question.pk}",
            dedupe_key=f"expertqa:answer:{answer.pk}",
            send_email=bool(question.deferred_to),
        )
    return answer


@transaction.atomic
def question_defer(
    *, question: Question, by, to: date | None, note: str, now: datetime | None = None
) -> Question:
    now = now or timezone.now()
    session = question.session
    _require_expert(by, session)
    note = (note or "").strip()
    if to is None:
        raise ValidationError({"deferred_to": "Name the date you will answer by."})
    if to <= org_today(now):
        raise ValidationError({"deferred_to": "Choose a date in the future: tomorrow or later."})
    if to > latest_deferral(now):
        latest = latest_deferral(now)
        raise ValidationError(
            {"deferred_to": DEFERRAL_TOO_LATE % {"latest": f"{latest:%-d %b %Y}"}}
        )
    if not note:
        raise ValidationError({"note": "Add a short note so the asker knows what to expect."})
    if len(note) > limits.DEFERRAL_NOTE:
        raise ValidationError({"note": limits.too_long_message(limits.DEFERRAL_NOTE, len(note))})
    if question.answered_at is not None:
        raise ValidationError({"deferred_to": "This question is already answered."})
    if question.status != Question.Status.VISIBLE:
        raise ValidationError({"deferred_to": "This question is no longer on the board."})
    question.deferred_to = to
    question.deferral_note = note
    question.deferred_by = by
    question.deferred_at = now
    question.deferral_reminded_at = None  # a new date earns a new reminder
    question.save(
        update_fields=[
            "deferred_to",
            "deferral_note",
            "deferred_by",
            "deferred_at",
            "deferral_reminded_at",
        ]
    )
    _board_changed(session)
    _session_activity(
        session,
        verb="session_deferred",
        actor=by,
        now=now,
        object_type="session_question",
        object_id=question.pk,
        target_user=None if question.is_anonymous else question.author,
        extra={"deferred_to": to.isoformat()},
    )
    if question.author_id and question.author_id != by.pk:
        notify(
            recipients=[question.author_id],
            kind="expertqa_deferred",
            title=f"{person_name(by)} will answer your question by {to:%-d %b}: "
            f"{question.body[:80]}",
            body=note,
            url=f"{session.get_absolute_url()}#question-{question.pk}",
            dedupe_key=f"expertqa:defer:{question.pk}:{to.isoformat()}",
        )
    return question


# --- the clock --------------------------------------------------------------------------------

REMINDER_LEAD = timedelta(minutes=15)
DEFERRAL_RULE = "expertqa.deferral_due"
INVITE_AUDIENCE = "expertqa_session_audience"


def session_send_invitations(*, session_id: int) -> int:
    """Invite the topic's followers and the community's members, once; email the ICS too."""
    from socialearn.notifications.services import fan_out_run

    from .ics import session_calendar

    with transaction.atomic():
        session = (
            Session.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=session_id, invited_at__isnull=True)
            .select_related("community", "topic", "moderator")
            .first()
        )
        if session is None:
            return 0
        when = timezone.localtime(session.starts_at)
        invited = fan_out_run(
            audience=INVITE_AUDIENCE,
            audience_kwargs={"session_id": session.pk},
            kind="expertqa_invited",
            title=f"{session.get_kind_display()}: {session.title}, {when:%a %-d %b %H:%M}",
            body=f"In {session.community.name}. Add it to your calendar from the session page.",
            url=session.get_absolute_url(),
            dedupe_key=f"expertqa:invite:{session.pk}",
            exclude_user_ids=[session.created_by_id] if session.created_by_id else [],
        )
        session.invited_at = timezone.now()
        session.save(update_fields=["invited_at"])
    _email_invitations(session, session_calendar(session))
    return invited


CHANGE_KINDS = {"rescheduled": "expertqa_rescheduled", "cancelled": "expertqa_cancelled"}


def session_send_change(
    *, session_id: int, change: str, sequence: int, audience: bool = True
) -> int:
    """Tell the invited (and the panel) that a session moved or was called off, once per
    change, with a calendar file that replaces (or removes) the event they already have.

    A change overtaken by a later one (a higher sequence) is skipped: the later one speaks.
    """
    from socialearn.notifications.services import fan_out_run

    from .ics import session_calendar

    kind = CHANGE_KINDS[change]
    session = (
        Session.objects.select_related("community", "topic", "moderator", "created_by")
        .filter(pk=session_id, sequence=sequence)
        .first()
    )
    if session is None:
        return 0
    when = timezone.localtime(session.starts_at)
    if change == "cancelled":
        title = f"Cancelled: {session.title} ({when:%a %-d %b %H:%M})"
        body = session.cancel_note or "The session will not take place."
    else:
        title = f"Moved: {session.title}, now {when:%a %-d %b %H:%M}"
        body = "Your calendar file is updated on the session page."
    dedupe_key = f"expertqa:{change}:{session.pk}:{sequence}"
    url = session.get_absolute_url()
    told = 0
    if audience:
        told = fan_out_run(
            audience=INVITE_AUDIENCE,
            audience_kwargs={"session_id": session.pk},
            dedupe_key=dedupe_key,
            exclude_user_ids=[session.cancelled_by_id] if session.cancelled_by_id else [],
            kind=kind,
            title=title,
            body=body,
            url=url,
        )
    panel = set(session.experts.values_list("id", flat=True))
    if session.moderator_id:
        panel.add(session.moderator_id)
    if session.cancelled_by_id:
        panel.discard(session.cancelled_by_id)
    with transaction.atomic():
        told += notify(
            recipients=panel, dedupe_key=dedupe_key, kind=kind, title=title, body=body, url=url
        )
    if audience:
        _email_invitations(session, session_calendar(session), kind=kind, dedupe_key=dedupe_key)
    return told


def _email_invitations(
    session: Session,
    calendar: bytes,
    batch_size: int = 200,
    kind: str = "expertqa_invited",
    dedupe_key: str = "",
) -> int:
    """Email the invitation (or its change) with its ICS to people who opted in, each once."""
    from django.conf import settings
    from django.core.mail import EmailMessage, get_connection

    from socialearn.notifications.models import Notification

    sent = 0
    link = f"{settings.SITE_URL}{session.get_absolute_url()}"
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    kind=kind,
                    dedupe_key=dedupe_key or f"expertqa:invite:{session.pk}",
                    emailed_at__isnull=True,
                )
                .select_related("recipient__profile")
                .order_by("id")[:batch_size]
            )
            if not rows:
                return sent
            messages = []
            for note in rows:
                profile = getattr(note.recipient, "profile", None)
                wants = profile is None or profile.email_preference == "immediate"
                if wants and note.recipient.email:
                    text = session.description if kind == "expertqa_invited" else note.body
                    message = EmailMessage(
                        subject=" ".join(note.title.split()),
                        body=f"{text}\n\n{link}".strip(),
                        to=[note.recipient.email],
                    )
                    message.attach(f"session-{session.pk}.ics", calendar, "text/calendar")
                    messages.append(message)
                note.emailed_at = timezone.now()
            if messages:
                sent += get_connection().send_messages(messages) or 0
            Notification.objects.bulk_update(rows, ["emailed_at"])


def _remind_sessions_opening(now: datetime) -> int:
    from socialearn.notifications.services import fan_out_run

    done = 0
    with transaction.atomic():
        due = list(
            Session.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                reminded_at__isnull=True,
                cancelled_at__isnull=True,
                starts_at__lte=now + REMINDER_LEAD,
            )
            .order_by("starts_at")[:100]
        )
        for session in due:
            session.reminded_at = now
            if session.ends_at <= now:
                continue  # the clock was down: a reminder for a finished session helps nobody
            when = timezone.localtime(session.starts_at)
            title = f"Starting at {when:%H:%M}: {session.title}"
            # A rescheduled session earns a new reminder before its new start.
            reminder_key = f"expertqa:reminder:{session.pk}"
            if session.sequence:
                reminder_key += f":{session.sequence}"
            fan_out_run(
                audience=INVITE_AUDIENCE,
                audience_kwargs={"session_id": session.pk},
                kind="expertqa_reminder",
                title=title,
                url=session.get_absolute_url(),
                dedupe_key=reminder_key,
                send_email=True,
            )
            panel = set(session.experts.values_list("id", flat=True))
            if session.moderator_id:
                panel.add(session.moderator_id)
            notify(
                recipients=panel,
                kind="expertqa_reminder",
                title=title,
                url=session.get_absolute_url(),
                dedupe_key=reminder_key,
            )
            done += 1
        Session.objects.bulk_update(due, ["reminded_at"])
    return done


def _process_closed_sessions(now: datetime) -> int:
    """At close, write the Q&A into the community thread and tell each expert what the
    session still owes (in their inbox)."""
    done = 0
    with transaction.atomic():
        closed = list(
            Session.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(close_processed_at__isnull=True, cancelled_at__isnull=True, ends_at__lte=now)
            .select_related("thread__community", "moderator", "created_by")
            .order_by("ends_at")[:100]
        )
        for session in closed:
            session.close_processed_at = now
            # The finished session stays as a searchable record in its community.
            session_thread_sync(session=session, editors=[session.moderator], now=now)
            owed = session.questions.owed().count()
            if owed:
                noun = "question" if owed == 1 else "questions"
                notify(
                    recipients=session.experts.values_list("id", flat=True),
                    kind="expertqa_owed",
                    title=f"{owed} {noun} from “{session.title}” still need an answer or a date",
                    url=f"{session.get_absolute_url()}#owed",
                    dedupe_key=f"expertqa:owed:{session.pk}",
                    send_email=True,
                )
            done += 1
        Session.objects.bulk_update(closed, ["close_processed_at"])
    return done


def _remind_deferrals(now: datetime) -> int:
    """Remind experts of deferred answers falling due: a nudge rule (expertqa/nudges.py), so
    quiet hours, preferences and the daily cap apply to it like to every other nudge."""
    return nudges_run(now=now, rules=[DEFERRAL_RULE])["sent"]


def send_due_reminders(*, now: datetime | None = None) -> dict:
    """Everything the clock owes right now; safe to run twice or on two beats at once."""
    now = now or timezone.now()
    pending_invites = list(
        Session.objects.filter(
            invited_at__isnull=True, cancelled_at__isnull=True, ends_at__gt=now
        ).values_list("pk", flat=True)[:20]
    )
    invited = sum(session_send_invitations(session_id=pk) for pk in pending_invites)
    return {
        "invited": invited,
        "reminded": _remind_sessions_opening(now),
        "closed": _process_closed_sessions(now),
        "deferrals": _remind_deferrals(now),
    }
