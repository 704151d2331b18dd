"""Reactions on threads and replies."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from socialearn.insights.services import activity_record

from ..models import Reaction, Reply, Thread
from .authors import _known


@transaction.atomic
def reaction_toggle(*, user, kind: str, thread: Thread | None = None, reply=None) -> bool:
    """Add the person's reaction of this kind, or take it back. Returns True when added."""
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("Unknown reaction."))
    if (thread is None) == (reply is None):
        raise ValidationError(_("React to a thread or a reply."))
    post = thread or reply
    target = {"thread": thread} if thread is not None else {"reply": reply}
    deleted, _by_model = Reaction.objects.filter(user=user, kind=kind, **target).delete()
    model = Thread if thread is not None else Reply
    if deleted:
        model.objects.filter(pk=post.pk, reaction_count__gt=0).update(
            reaction_count=F("reaction_count") - 1
        )
        return False
    Reaction.objects.create(user=user, kind=kind, **target)
    model.objects.filter(pk=post.pk).update(reaction_count=F("reaction_count") + 1)
    the_thread = thread or reply.thread
    activity_record(
        verb="reacted",
        actor=user,
        community_id=the_thread.community_id,
        thread_id=the_thread.pk,
        object_type="thread" if thread is not None else "reply",
        object_id=post.pk,
        target_user=_known(post),
        extra={"kind": kind},
    )
    return True
