"""A session's thread in its community, and the record of its questions and answers that the
thread keeps once the window has closed.
"""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from communities.services import thread_edit
from socialearn import limits

from ..models import Answer, Question, Session
from ..selectors import person_name

# The thread is the community's, read by everyone: it is written in the site's language
# (settings.LANGUAGE_CODE), whoever's action brings it up to date.


def _thread_title(session: Session) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(kind)s: %(title)s") % {
            "kind": session.get_kind_display(),
            "title": session.title,
        }
        return (_("Cancelled: %(title)s") % {"title": title} if session.cancelled_at else title)[
            :200
        ]


def _thread_body(session: Session, experts: Iterable, record: str = "") -> str:
    names = ", ".join(person_name(e) for e in experts)
    when = timezone.localtime(session.starts_at)
    url = session.get_absolute_url()
    lines = [session.description.strip()]
    with translation.override(settings.LANGUAGE_CODE):
        if session.cancelled_at:
            lines.append(f"{_('This session was cancelled.')} {session.cancel_note}".strip())
        elif record:
            lines.append(
                _("With %(names)s, %(when)s. [See the board](%(url)s)")
                % {"names": names, "when": date_format(when, _("D j M Y")), "url": url}
            )
            lines.append(record)
        else:
            lines.append(
                _("With %(names)s. [Ask your questions on the board](%(url)s)")
                % {"names": names, "url": url}
            )
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
    with translation.override(settings.LANGUAGE_CODE):
        return _record_text(session, questions, room)


def _record_text(session: Session, questions: list, room: int) -> str:
    if not questions:
        return _("Nobody asked a question in this session.")
    parts = ["## " + _("Questions and answers (%(count)s)") % {"count": len(questions)}]
    # Room for the closing line, should some questions not fit.
    room -= 200
    used = len(parts[0])
    for shown, q in enumerate(questions):
        votes = (
            " ("
            + ngettext("%(count)s vote", "%(count)s votes", q.vote_count) % {"count": q.vote_count}
            + ")"
            if q.vote_count
            else ""
        )
        block = [f"### Q{votes}: " + " ".join(q.body.split())[:300]]
        answers = list(q.answers.all())
        for a in answers:
            quoted = "\n".join(f"> {line}" for line in a.body.strip().splitlines())
            block.append(
                _("**%(name)s** answered:") % {"name": person_name(a.author)} + f"\n\n{quoted}"
            )
        if not answers and q.deferred_to:
            block.append(
                _("*%(name)s will answer by %(date)s:*")
                % {
                    "name": person_name(q.deferred_by),
                    "date": date_format(q.deferred_to, "DATE_FORMAT"),
                }
                + f" {q.deferral_note}"
            )
        elif not answers:
            block.append(_("*Not answered yet.*"))
        size = sum(len(part) + 2 for part in block)
        if used + size > room:
            rest = len(questions) - shown
            parts.append(
                ngettext(
                    "*%(count)s more question and the answers are on [the board](%(url)s).*",
                    "*%(count)s more questions and the answers are on [the board](%(url)s).*",
                    rest,
                )
                % {"count": rest, "url": session.get_absolute_url()}
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
