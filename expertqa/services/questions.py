"""Questions on a session's board: asking, voting, and the moderator's hide, restore and merge."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communities.models import Community
from socialearn.markdown import render_markdown

from ..models import Question, Session, Vote
from ..selectors import can_view_session
from .board import _board_changed
from .sessions import _require_moderator, _session_activity


def _closed_message(session: Session) -> str:
    if session.cancelled_at:
        note = f" {session.cancel_note}" if session.cancel_note else ""
        return _("This session was cancelled; it no longer takes questions.") + note
    closed = timezone.localtime(session.ends_at)
    return _(
        "This session closed at %(time)s on %(date)s; it no longer takes questions. "
        "Ask in the community instead."
    ) % {"time": f"{closed:%H:%M}", "date": date_format(closed, _("j M"))}


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
        raise PermissionDenied(_("Only members of this community can ask here."))
    if not session.takes_questions(now):
        raise ValidationError({"body": _closed_message(session)})
    if not body:
        raise ValidationError({"body": _("Write your question first.")})
    if is_anonymous and session.community.anonymity == Community.Anonymity.OFF:
        raise ValidationError(
            {"is_anonymous": _("This community does not allow anonymous questions.")}
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
        raise ValidationError(_("This question is no longer on the board."))
    if not session.takes_questions(now):
        if session.cancelled_at:
            raise ValidationError(_("This session was cancelled; voting is closed."))
        raise ValidationError(_("Voting closed with the session."))
    deleted, _by_model = Vote.objects.filter(question=question, user=user).delete()
    if deleted:
        Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") - 1)
        question.refresh_from_db(fields=["vote_count"])
        return False
    _vote, created = Vote.objects.get_or_create(question=question, user=user)
    if created:
        Question.objects.filter(pk=question.pk).update(vote_count=F("vote_count") + 1)
    question.refresh_from_db(fields=["vote_count"])
    # Votes reorder the board but do not bump its version: a "new" bar for every +1 in a busy
    # session would be noise. Readers see the new order when they next show the board.
    return True


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
        raise ValidationError(_("Both questions must be on the same board."))
    if duplicate.pk == into.pk:
        raise ValidationError(_("Choose another question to merge into."))
    if into.status != Question.Status.VISIBLE:
        raise ValidationError(_("Merge into a question that is on the board."))
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
