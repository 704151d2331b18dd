"""Accepted answers to questions and help requests."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from socialearn.insights.services import activity_record
from socialearn.people import evidence

from ..language import notify_in_their_language
from ..models import Reply, Thread
from .authors import _known
from .roles import _is_manager


@transaction.atomic
def answer_accept(*, thread: Thread, reply: Reply, accepted_by) -> Thread:
    """The asker or a manager marks one reply as the answer; choosing another switches it."""
    if thread.kind not in (Thread.Kind.QUESTION, Thread.Kind.HELP):
        raise ValidationError(_("Only questions and help requests have an accepted answer."))
    if reply.thread_id != thread.pk or not reply.is_published:
        raise ValidationError(_("That reply is not an answer in this thread."))
    is_asker = thread.author_id is not None and thread.author_id == accepted_by.pk
    if not (is_asker or _is_manager(thread.community, accepted_by)):
        raise PermissionDenied(_("Only the asker or a manager can accept an answer."))
    if thread.accepted_reply_id == reply.pk:
        return thread
    thread.accepted_reply = reply
    thread.save(update_fields=["accepted_reply"])
    transaction.on_commit(evidence.changed)
    activity_record(
        verb="answer_accepted",
        actor=_known(reply),
        community_id=thread.community_id,
        topic_ids=list(thread.topics.values_list("pk", flat=True)),
        thread_id=thread.pk,
        object_type="reply",
        object_id=reply.pk,
        target_user=_known(thread),
        is_question=True,
    )
    if reply.author_id and reply.author_id != accepted_by.pk:
        notify_in_their_language(
            recipients=[reply.author_id],
            kind="answer_accepted",
            texts=lambda: {
                "title": _("Your answer to %(thread)s was accepted") % {"thread": thread.title}
            },
            url=reply.get_absolute_url(),
            dedupe_key=f"accepted:{reply.pk}",
        )
    return thread


@transaction.atomic
def answer_unaccept(*, thread: Thread, changed_by) -> Thread:
    is_asker = thread.author_id is not None and thread.author_id == changed_by.pk
    if not (is_asker or _is_manager(thread.community, changed_by)):
        raise PermissionDenied(_("Only the asker or a manager can change the accepted answer."))
    thread.accepted_reply = None
    thread.save(update_fields=["accepted_reply"])
    transaction.on_commit(evidence.changed)
    return thread
