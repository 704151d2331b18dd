"""Experts' answers, and deferrals: the answers an expert owes by a date."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from socialearn import limits
from socialearn.markdown import render_markdown
from socialearn.notifications.services import notify
from socialearn.recipient_languages import each_language

from .. import permissions
from ..models import (
    DEFERRAL_TOO_LATE,
    Answer,
    Question,
    Session,
    latest_deferral,
    org_today,
    question_address,
)
from ..selectors import person_name
from .board import _board_changed
from .record import session_thread_sync
from .sessions import _session_activity


def _require_expert(user, session: Session) -> None:
    if not permissions.is_expert(user, session):
        raise PermissionDenied(_("Only the session's experts can answer or defer."))


@transaction.atomic
def answer_create(*, question: Question, author, body: str, now: datetime | None = None) -> Answer:
    now = now or timezone.now()
    session = question.session
    _require_expert(author, session)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the answer first.")})
    if question.status != Question.Status.VISIBLE:
        raise ValidationError({"body": _("This question is no longer on the board.")})
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
        for ids in each_language(askers):
            if question.deferred_to:
                title = _(
                    "%(name)s answered the question they promised for %(date)s: %(question)s"
                ) % {
                    "name": person_name(author),
                    "date": date_format(question.deferred_to, _("j M")),
                    "question": question.body[:80],
                }
            else:
                title = _("%(name)s answered your question: %(question)s") % {
                    "name": person_name(author),
                    "question": question.body[:80],
                }
            notify(
                recipients=ids,
                kind="expertqa_answered",
                title=title,
                url=question_address(session.pk, question.pk),
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
        raise ValidationError({"deferred_to": _("Name the date you will answer by.")})
    if to <= org_today(now):
        raise ValidationError({"deferred_to": _("Choose a date in the future: tomorrow or later.")})
    if to > latest_deferral(now):
        latest = latest_deferral(now)
        raise ValidationError(
            {"deferred_to": DEFERRAL_TOO_LATE % {"latest": date_format(latest, "DATE_FORMAT")}}
        )
    if not note:
        raise ValidationError({"note": _("Add a short note so the asker knows what to expect.")})
    if len(note) > limits.DEFERRAL_NOTE:
        raise ValidationError({"note": limits.too_long_message(limits.DEFERRAL_NOTE, len(note))})
    if question.answered_at is not None:
        raise ValidationError({"deferred_to": _("This question is already answered.")})
    if question.status != Question.Status.VISIBLE:
        raise ValidationError({"deferred_to": _("This question is no longer on the board.")})
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
        for ids in each_language([question.author_id]):
            notify(
                recipients=ids,
                kind="expertqa_deferred",
                title=_("%(name)s will answer your question by %(date)s: %(question)s")
                % {
                    "name": person_name(by),
                    "date": date_format(to, _("j M")),
                    "question": question.body[:80],
                },
                body=note,
                url=question_address(session.pk, question.pk),
                dedupe_key=f"expertqa:defer:{question.pk}:{to.isoformat()}",
            )
    return question
