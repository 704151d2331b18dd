"""Every write of live events, live chats and polls: one function per use case.

Questions, upvotes and answers are the session's own (expertqa.services); these functions
call them and publish the change to the live pages once the transaction commits.
"""

import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from communities.channels.services import channels_announce, plain_text
from communities.mentions import mentioned_users, too_many_mentions
from communities.models import Thread
from communities.services import render_post, reply_create, thread_create
from expertqa import services as session_services
from expertqa.models import (
    LIVE_MESSAGE,
    POLL_WORDS,
    Answer,
    LiveEvent,
    LiveMessage,
    LivePrompt,
    LiveReaction,
    Poll,
    PollBallot,
    PollOption,
    Question,
    Session,
)
from expertqa.selectors import person_name
from socialearn import limits
from socialearn.insights.services import activity_record
from socialearn.markdown import render_markdown
from socialearn.notifications.services import notify
from socialearn.recipient_languages import each_language

from . import broadcast, permissions, selectors

SLOW_MODE_CHOICES = (0, 10, 30, 60, 120)
POLL_OPTIONS_MAX = 10


def _require_runner(user, event: LiveEvent) -> None:
    if not permissions.can_run(user, event.session, event):
        raise PermissionDenied(_("Only the hosts and moderators of this event can do that."))


def _require_live(event: LiveEvent, now: datetime | None = None) -> None:
    if event.closed_at is not None:
        raise ValidationError(_("This event has closed: its record is kept in the community."))
    if not event.session.takes_questions(now):
        raise ValidationError(_("This event is over; it no longer takes messages."))


# --- scheduling -------------------------------------------------------------------------------


@transaction.atomic
def live_event_schedule(
    *,
    created_by,
    community,
    title: str,
    topic,
    hosts: Iterable,
    starts_at: datetime,
    ends_at: datetime,
    agenda: str = "",
    format: str = LiveEvent.Format.EVENT,
    moderators: Iterable = (),
    slow_mode_seconds: int = 0,
    invite: bool = True,
) -> LiveEvent:
    """A live event or chat: a backchannel session (hosts answer its questions) plus the live
    room. The session brings the community thread, the calendar file and the invitations."""
    hosts = list(hosts)
    if not hosts:
        raise ValidationError({"hosts": _("Name at least one host.")})
    if slow_mode_seconds not in SLOW_MODE_CHOICES:
        raise ValidationError({"slow_mode_seconds": _("Choose one of the slow mode settings.")})
    session = session_services.session_schedule(
        created_by=created_by,
        title=title,
        topic=topic,
        community=community,
        experts=hosts,
        starts_at=starts_at,
        ends_at=ends_at,
        description=agenda,
        kind=Session.Kind.BACKCHANNEL,
        invite=invite,
    )
    event = LiveEvent(
        session=session,
        format=format,
        agenda=agenda,
        agenda_html=render_markdown(agenda),
        slow_mode_seconds=slow_mode_seconds,
    )
    event.full_clean(exclude=["session", "pinned", "kept_thread"])
    event.save()
    event.moderators.set(list(moderators))
    return event


@transaction.atomic
def live_prompt_add(*, event: LiveEvent, by, body: str, release_at: datetime) -> LivePrompt:
    """The next numbered prompt of a chat, released by the clock at `release_at`."""
    _require_runner(by, event)
    if event.closed_at is not None:
        raise ValidationError(_("This chat has closed."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the prompt first.")})
    if not event.session.starts_at <= release_at < event.session.ends_at:
        raise ValidationError({"release_at": _("Release prompts during the chat's window.")})
    LiveEvent.objects.select_for_update().filter(pk=event.pk).first()  # numbers in order
    number = (event.prompts.aggregate(n=Max("number"))["n"] or 0) + 1
    prompt = LivePrompt(event=event, number=number, body=body, release_at=release_at)
    prompt.full_clean()
    prompt.save()
    return prompt


def release_due_prompts(*, now: datetime | None = None) -> int:
    """The clock (every few seconds from beat): release every due prompt, each exactly once.

    Each prompt is taken under a row lock that a concurrent run skips, and stamped in the
    same transaction: a second beat, or a retry after a worker died, finds it released.
    """
    released = 0
    while True:
        with transaction.atomic():
            moment = now or timezone.now()
            prompt = (
                LivePrompt.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("event__session")
                .filter(
                    released_at__isnull=True,
                    release_at__lte=moment,
                    event__closed_at__isnull=True,
                )
                .order_by("release_at", "number")
                .first()
            )
            if prompt is None:
                return released
            prompt.released_at = moment
            prompt.save(update_fields=["released_at"])
            broadcast.prompt_released(prompt.event, prompt.pk)
            released += 1


# Starts older than this are not announced any more (a clock that was down for a day does not
# tell a channel that yesterday's event "starts now").
START_ANNOUNCE_WINDOW = timedelta(minutes=30)


def announce_started_events(*, now: datetime | None = None) -> int:
    """The clock: tell the community's Teams/Slack channels that a live event starts, once.

    Each event is taken under a row lock a concurrent run skips and stamped in the same
    transaction as its channel cards (which the outbox delivers after commit).
    """
    announced = 0
    while True:
        with transaction.atomic():
            moment = now or timezone.now()
            event = (
                LiveEvent.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("session__community")
                .filter(
                    start_announced_at__isnull=True,
                    closed_at__isnull=True,
                    session__starts_at__lte=moment,
                    session__starts_at__gt=moment - START_ANNOUNCE_WINDOW,
                )
                .order_by("session__starts_at", "pk")
                .first()
            )
            if event is None:
                return announced
            session = event.session
            channels_announce(
                community_id=session.community_id,
                community_name=session.community.name,
                key=f"live-start:{event.pk}",
                label=(
                    _("Live chat starting now") if event.is_chat else _("Live event starting now")
                ),
                title=session.title,
                text=plain_text(session.description),
                url=reverse("expertqa:live_detail", args=[event.pk]),
            )
            event.start_announced_at = moment
            event.save(update_fields=["start_announced_at"])
            announced += 1


# --- the backchannel --------------------------------------------------------------------------


def _slow_mode_lock(event: LiveEvent, user) -> None:
    """Serialise one person's posts to one event, so slow mode holds under double clicks."""
    key = zlib.crc32(f"live:{event.pk}:{user.pk}".encode()) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@transaction.atomic
def live_message_post(
    *,
    event: LiveEvent,
    author,
    body: str,
    parent: LiveMessage | None = None,
    prompt: LivePrompt | None = None,
    now: datetime | None = None,
) -> LiveMessage:
    session = event.session
    if not permissions.can_view_session(author, session):
        raise PermissionDenied(_("Only members of this community can post here."))
    _require_live(event, now)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your message first.")})
    if len(body) > LIVE_MESSAGE:
        raise ValidationError({"body": limits.too_long_message(LIVE_MESSAGE, len(body))})
    message = too_many_mentions(body)
    if message:
        raise ValidationError({"body": message})
    if parent is not None and (parent.event_id != event.pk or parent.hidden_at is not None):
        raise ValidationError({"parent": _("That message is no longer in this event.")})
    if prompt is not None and (prompt.event_id != event.pk or prompt.released_at is None):
        raise ValidationError({"prompt": _("Answer a prompt that has been released.")})
    _slow_mode_lock(event, author)
    now = now or timezone.now()
    if event.slow_mode_seconds and not permissions.can_run(author, session, event):
        last = (
            LiveMessage.objects.filter(event=event, author=author)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if last is not None:
            wait = event.slow_mode_seconds - int((now - last).total_seconds())
            if wait > 0:
                raise ValidationError(
                    {
                        "body": ngettext(
                            "Slow mode is on: one message every %(every)s seconds. You can post "
                            "again in %(wait)s second; your message is still in the box.",
                            "Slow mode is on: one message every %(every)s seconds. You can post "
                            "again in %(wait)s seconds; your message is still in the box.",
                            wait,
                        )
                        % {"every": event.slow_mode_seconds, "wait": wait}
                    }
                )
    community = session.community
    msg = LiveMessage(
        event=event,
        author=author,
        body=body,
        body_html=render_post(body, community=community),
        parent=parent,
        prompt=prompt,
        created_at=now,
    )
    msg.full_clean()
    msg.save()
    people = [u for u in mentioned_users(body, community=community) if u.pk != author.pk]
    if people:
        for ids in each_language(people):
            notify(
                recipients=ids,
                kind="mention",
                title=_("%(name)s mentioned you in %(title)s")
                % {"name": person_name(author), "title": session.title},
                url=event.get_absolute_url(),
                dedupe_key=f"mention:live:{msg.pk}",
            )
    activity_record(
        verb="live_message_posted",
        actor=author,
        occurred_at=now,
        community_id=session.community_id,
        topic_ids=[session.topic_id],
        session_id=session.pk,
        object_type="live_message",
        object_id=msg.pk,
    )
    broadcast.message_added(event, msg.pk)
    return msg


@transaction.atomic
def live_message_hide(*, message: LiveMessage, by) -> LiveMessage:
    event = message.event
    _require_runner(by, event)
    if message.hidden_at is None:
        message.hidden_at = timezone.now()
        message.hidden_by = by
        message.save(update_fields=["hidden_at", "hidden_by"])
        broadcast.message_removed(event, message.pk)
        if event.pinned_id == message.pk:
            LiveEvent.objects.filter(pk=event.pk).update(pinned=None)
            broadcast.pinned_changed(event)
    return message


@transaction.atomic
def live_message_pin(*, event: LiveEvent, message: LiveMessage | None, by) -> LiveEvent:
    """Pin a message above the backchannel (None unpins)."""
    _require_runner(by, event)
    if message is not None and (message.event_id != event.pk or message.hidden_at is not None):
        raise ValidationError(_("That message is no longer in this event."))
    event.pinned = message
    event.save(update_fields=["pinned"])
    broadcast.pinned_changed(event)
    return event


@transaction.atomic
def live_reaction_toggle(*, message: LiveMessage, user, kind: str) -> bool:
    event = message.event
    if not permissions.can_view_session(user, event.session):
        raise PermissionDenied
    if kind not in LiveReaction.Kind.values:
        raise ValidationError(_("Choose one of the reactions."))
    _require_live(event)
    deleted, _by_model = LiveReaction.objects.filter(message=message, user=user, kind=kind).delete()
    if not deleted:
        LiveReaction.objects.get_or_create(message=message, user=user, kind=kind)
    broadcast.reactions_changed(event, message.pk)
    return not deleted


@transaction.atomic
def live_slow_mode_set(*, event: LiveEvent, by, seconds: int) -> LiveEvent:
    _require_runner(by, event)
    if seconds not in SLOW_MODE_CHOICES:
        raise ValidationError({"seconds": _("Choose one of the slow mode settings.")})
    event.slow_mode_seconds = seconds
    event.save(update_fields=["slow_mode_seconds"])
    text = (
        format_lazy(
            _lazy("Slow mode is on: one message every {seconds} seconds each."), seconds=seconds
        )
        if seconds
        else _lazy("Slow mode is off.")
    )
    broadcast.event_state_changed(event, text)
    return event


# --- questions (the session's own), published live ---------------------------------------------


@transaction.atomic
def live_question_ask(*, event: LiveEvent, author, body: str, is_anonymous: bool = False):
    _require_live(event)
    question = session_services.question_ask(
        session=event.session, author=author, body=body, is_anonymous=is_anonymous
    )
    broadcast.question_changed(event.pk, question.pk)
    return question


@transaction.atomic
def live_vote_toggle(*, question: Question, user) -> bool:
    voted = session_services.vote_toggle(question=question, user=user)
    broadcast.votes_changed(question.session_id, question.pk)
    return voted


@transaction.atomic
def live_answer(*, question: Question, author, body: str) -> Answer:
    answer = session_services.answer_create(question=question, author=author, body=body)
    broadcast.question_changed(question.session_id, question.pk)
    return answer


@transaction.atomic
def live_question_hide(*, question: Question, by) -> Question:
    session_services.question_hide(question=question, by=by)
    broadcast.question_removed(question.session_id, question.pk)
    return question


# --- polls ------------------------------------------------------------------------------------


def _require_poll_runner(user, session: Session) -> None:
    event = LiveEvent.objects.filter(pk=session.pk).prefetch_related("moderators").first()
    if not permissions.can_run(user, session, event):
        raise PermissionDenied(_("Only the hosts and moderators can run polls here."))


@transaction.atomic
def poll_create(
    *, session: Session, by, kind: str, question: str, options: Sequence[str] = ()
) -> Poll:
    _require_poll_runner(by, session)
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": _("Write the poll's question.")})
    labels = [o.strip() for o in options if o and o.strip()]
    if kind in (Poll.Kind.SINGLE, Poll.Kind.MULTIPLE):
        if len(labels) < 2:
            raise ValidationError({"options": _("Give at least two choices, one a line.")})
        if len(labels) > POLL_OPTIONS_MAX:
            raise ValidationError(
                {"options": _("Give at most %(count)s choices.") % {"count": POLL_OPTIONS_MAX}}
            )
        if len(set(map(str.lower, labels))) != len(labels):
            raise ValidationError({"options": _("Each choice once: two lines say the same.")})
    else:
        labels = []
    poll = Poll(
        session=session, kind=kind, question=question, created_by=by, created_at=timezone.now()
    )
    poll.full_clean()
    poll.save()
    for position, label in enumerate(labels):
        option = PollOption(poll=poll, label=label, position=position)
        option.full_clean()
        option.save()
    return poll


@transaction.atomic
def poll_set_state(*, poll: Poll, by, action: str) -> Poll:
    """open, close, reveal or hide the results."""
    _require_poll_runner(by, poll.session)
    if action == "open":
        if poll.state != Poll.State.DRAFT:
            raise ValidationError(_("This poll is already open or closed."))
        poll.state = Poll.State.OPEN
    elif action == "close":
        poll.state = Poll.State.CLOSED
    elif action == "reveal":
        poll.revealed_at = timezone.now()
    elif action == "conceal":
        poll.revealed_at = None
    else:
        raise ValidationError(_("Unknown poll action."))
    poll.save(update_fields=["state", "revealed_at"])
    broadcast.poll_changed(poll.session_id, poll.pk)
    return poll


@transaction.atomic
def poll_vote(
    *,
    poll: Poll,
    user,
    option_ids: Iterable[int] = (),
    rating: int | None = None,
    words: str = "",
) -> PollBallot:
    """One answer per person and poll (a unique constraint says so in the database too)."""
    if not permissions.can_view_session(user, poll.session):
        raise PermissionDenied
    if poll.state != Poll.State.OPEN:
        raise ValidationError(_("This poll is not open."))
    chosen: list[PollOption] = []
    if poll.kind in (Poll.Kind.SINGLE, Poll.Kind.MULTIPLE):
        wanted = {int(i) for i in option_ids}
        chosen = [o for o in poll.options.all() if o.pk in wanted]
        if not chosen or len(chosen) != len(wanted):
            raise ValidationError(_("Choose an answer first."))
        if poll.kind == Poll.Kind.SINGLE and len(chosen) > 1:
            raise ValidationError(_("Choose one answer."))
    elif poll.kind == Poll.Kind.RATING:
        if rating not in Poll.RATING_SCALE:
            raise ValidationError(_("Choose a rating from 1 to 5."))
    else:
        words = " ".join((words or "").split()).lower()
        if not words:
            raise ValidationError(_("Write a word or two first."))
        if len(words) > POLL_WORDS:
            raise ValidationError(
                _("Keep it to %(limit)s characters (you wrote %(count)s).")
                % {"limit": POLL_WORDS, "count": len(words)}
            )
    ballot = PollBallot(
        poll=poll,
        user=user,
        rating=rating if poll.kind == Poll.Kind.RATING else None,
        words=words if poll.kind == Poll.Kind.WORDS else "",
        created_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            ballot.save()
    except IntegrityError:
        raise ValidationError(_("You already answered this poll.")) from None
    if chosen:
        ballot.options.set(chosen)
    Poll.objects.filter(pk=poll.pk).update(ballot_count=F("ballot_count") + 1)
    broadcast.poll_changed(poll.session_id, poll.pk)
    return ballot


# --- closing: the record kept in the community --------------------------------------------------


def _quiet(text: str) -> str:
    """Text for the record: @mentions are not sent again, and not linked to anyone."""
    return (text or "").replace("@", "@\u200b")


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" for line in _quiet(text).splitlines() or [""])


def _pack(blocks: list[str], room: int) -> list[str]:
    """Blocks of Markdown in posts of at most `room` characters, in order."""
    posts: list[str] = []
    current = ""
    for block in blocks:
        block = block[: room - 2]
        if current and len(current) + len(block) + 2 > room:
            posts.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block
    if current:
        posts.append(current)
    return posts


def _record_blocks(event: LiveEvent) -> tuple[list[str], list[str]]:
    """The summary (prompts, questions and answers, poll results) and the backchannel."""
    session = event.session
    messages = selectors.all_messages(event)
    summary: list[str] = []
    when = timezone.localtime(session.starts_at)
    record = (
        _("Record of the live chat **%(title)s**, %(when)s. Everything said in it is kept here.")
        if event.is_chat
        else _(
            "Record of the live event **%(title)s**, %(when)s. Everything said in it is kept here."
        )
    )
    summary.append(
        record % {"title": _quiet(session.title), "when": date_format(when, _("j F Y, H:i"))}
    )
    if event.agenda.strip():
        summary.append("## " + _("Agenda") + f"\n\n{_quiet(event.agenda)}")
    if event.is_chat:
        groups, _others = selectors.prompt_groups(event, messages)
        for g in groups:
            lines = [f"## Q{g.prompt.number}. {_quiet(g.prompt.body)}"]
            lines += [f"- **{person_name(m.author)}**: {_quiet(m.body)}" for m in g.messages]
            if not g.messages:
                lines.append("_" + _("No answers.") + "_")
            summary.append("\n".join(lines))
    questions = list(
        Question.objects.on_board()
        .filter(session=session)
        .select_related("author__profile")
        .order_by("-vote_count", "created_at", "id")
    )
    answers: dict[int, list[Answer]] = {}
    for a in Answer.objects.filter(question__in=questions).select_related("author__profile"):
        answers.setdefault(a.question_id, []).append(a)
    if questions:
        summary.append("## " + _("Questions (%(count)s)") % {"count": len(questions)})
    for q in questions:
        asker = _("Anonymous") if q.is_anonymous else person_name(q.author)
        votes = ngettext("%(count)s vote", "%(count)s votes", q.vote_count) % {
            "count": q.vote_count
        }
        lines = [_("**%(name)s** asked (%(votes)s):") % {"name": asker, "votes": votes}]
        lines.append(_quote(q.body))
        for a in answers.get(q.pk, []):
            lines.append(
                "\n"
                + _("**%(name)s** answered:") % {"name": person_name(a.author)}
                + f"\n\n{_quiet(a.body)}"
            )
        if q.pk not in answers:
            lines.append("\n_" + _("Not answered during the event.") + "_")
        summary.append("\n".join(lines))
    polls = selectors.polls_with_results(
        list(
            Poll.objects.filter(session=session)
            .exclude(state=Poll.State.DRAFT)
            .prefetch_related("options")
        )
    )
    for p in polls:
        tally: selectors.Tally = p.tally  # type: ignore[attr-defined]
        lines = [
            "## " + _("Poll: %(question)s") % {"question": _quiet(p.question)},
            _("%(count)s answered.") % {"count": tally.total},
        ]
        if tally.rows:
            lines += [f"- {_quiet(r.label)}: {r.votes} ({r.percent}%)" for r in tally.rows]
        if tally.average is not None:
            lines.append(_("Average rating: %(average)s") % {"average": tally.average})
        if tally.words:
            lines.append(", ".join(f"{_quiet(w)} ({n})" for w, n, _size in tally.words))
        summary.append("\n".join(lines))
    backchannel = []
    for m in messages:
        if event.is_chat and m.prompt_id:
            continue  # kept under its prompt
        reply = (
            " " + _("(replying to %(name)s)") % {"name": m.parent_name}  # type: ignore[attr-defined]
            if m.parent_id
            else ""
        )
        stamp = timezone.localtime(m.created_at)
        name = m.author_name  # type: ignore[attr-defined]
        backchannel.append(f"**{name}**{reply} · {stamp:%H:%M}\n{_quote(m.body)}")
    return summary, backchannel


@transaction.atomic
def live_event_close(*, event: LiveEvent, by, now: datetime | None = None) -> Thread:
    """Close the event and keep everything as one community thread that search finds."""
    _require_runner(by, event)
    locked = LiveEvent.objects.select_for_update().get(pk=event.pk)
    if locked.closed_at is not None:
        raise ValidationError(_("This event is already closed."))
    event.closed_at = now or timezone.now()
    event.save(update_fields=["closed_at"])
    session = event.session
    # The record is the community's, read by everyone: written in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        summary, backchannel = _record_blocks(event)
        title = (
            _("Record of the live chat: %(title)s")
            if event.is_chat
            else _("Record of the live event: %(title)s")
        ) % {"title": session.title}
        part = _("Backchannel, part %(number)s of %(count)s")
    room = limits.POST_BODY - 200
    posts = _pack(summary, room)
    thread = thread_create(
        community=session.community,
        author=by,
        kind=Thread.Kind.DISCUSSION,
        title=title[:200],
        body=posts[0],
        topics=[session.topic],
        is_system=True,
    )
    rest = posts[1:]
    if backchannel:
        chunks = _pack(backchannel, room)
        rest += [
            "## " + part % {"number": i, "count": len(chunks)} + f"\n\n{c}"
            for i, c in enumerate(chunks, 1)
        ]
    for body in rest:
        reply_create(thread=thread, author=by, body=body)
    event.kept_thread = thread
    event.save(update_fields=["kept_thread"])
    broadcast.event_state_changed(event, _lazy("The host closed this event. Its record is kept."))
    return thread
