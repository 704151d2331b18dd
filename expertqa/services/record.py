"""A session's thread in its community, and the record of its questions and answers that the
thread keeps once the window has closed.
"""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from communities.services import thread_edit
from socialearn import limits

from ..models import Answer, Question, Session
from ..selectors import person_name


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
