"""What holds a post back (the word list, anonymous review), flags, managers' decisions,
and the moderation log that records each of them.
"""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from socialearn.people import evidence

from ..language import notify_in_their_language
from ..models import Community, Flag, Membership, ModerationAction, ModerationWord, Thread
from .publishing import _reply_published, _thread_published
from .roles import _require_manager


def moderation_words_matching(*texts: str) -> list[str]:
    """Words of the admin's list found (as whole words, any case) in the texts."""
    text = "\n".join(t for t in texts if t)
    if not text:
        return []
    found = []
    for word in ModerationWord.objects.values_list("word", flat=True):
        if word.strip() and re.search(
            rf"(?<!\w){re.escape(word.strip())}(?!\w)", text, re.IGNORECASE
        ):
            found.append(word.strip())
    return found


def _initial_status(*, community: Community, is_anonymous: bool, texts: Iterable[str], system):
    if system:
        return Thread.Status.PUBLISHED, ""
    words = moderation_words_matching(*texts)
    if words:
        return Thread.Status.HELD, _("Contains a word on the moderation list: %(words)s") % {
            "words": ", ".join(words)
        }
    if is_anonymous and community.anonymity == Community.Anonymity.REVIEW:
        return Thread.Status.PENDING, _("Anonymous posts are reviewed by a manager.")
    return Thread.Status.PUBLISHED, ""


def _log(*, community, actor, action, thread=None, reply=None, reason="") -> ModerationAction:
    return ModerationAction.objects.create(
        community=community,
        actor=actor,
        action=action,
        thread=thread,
        reply=reply,
        reason=reason[:500],
        created_at=timezone.now(),
    )


@transaction.atomic
def flag_create(*, user, reason: str, thread: Thread | None = None, reply=None) -> Flag:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the managers what is wrong with this post.")})
    post_thread = thread or reply.thread
    community = post_thread.community
    flag = Flag.objects.create(
        thread=thread, reply=reply, community=community, flagged_by=user, reason=reason[:500]
    )
    _log(community=community, actor=user, action="flag", thread=thread, reply=reply, reason=reason)
    managers = community.memberships.filter(
        role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).values_list("user_id", flat=True)
    notify_in_their_language(
        recipients=list(managers),
        kind="post_flagged",
        texts=lambda: {
            "title": _("A post in %(community)s was flagged") % {"community": community.name},
            "body": reason,
        },
        url=f"{community.get_absolute_url()}moderation/",
        dedupe_key=f"flag:{flag.pk}",
        exclude_user_ids=[user.pk],
    )
    return flag


def _moderated_title(action: str, what: str, community: str) -> str:
    names = {"community": community}
    if action == "approve":
        if what == "thread":
            return _("Your thread in %(community)s is published") % names
        return _("Your reply in %(community)s is published") % names
    if what == "thread":
        return _("A manager hid your thread in %(community)s") % names
    return _("A manager hid your reply in %(community)s") % names


THREAD_ACTIONS = {"approve", "hide", "restore", "lock", "unlock", "pin", "unpin", "dismiss"}
REPLY_ACTIONS = {"approve", "hide", "restore", "dismiss"}


@transaction.atomic
def moderation_act(
    *, actor, action: str, reason: str = "", thread: Thread | None = None, reply=None
) -> ModerationAction:
    """A manager's decision on a post, logged with who, what, why and when."""
    if (thread is None) == (reply is None):
        raise ValidationError(_("Act on a thread or a reply."))
    post = thread if thread is not None else reply
    the_thread = thread if thread is not None else reply.thread
    community = the_thread.community
    _require_manager(community, actor)
    allowed = THREAD_ACTIONS if thread is not None else REPLY_ACTIONS
    if action not in allowed:
        raise ValidationError(
            _("“%(action)s” is not something you can do to this post.") % {"action": action}
        )
    S = Thread.Status
    if action == "approve":
        if post.status not in (S.HELD, S.PENDING):
            raise ValidationError(_("Only held or pending posts wait for approval."))
        post.status, post.hold_reason = S.PUBLISHED, ""
        post.save(update_fields=["status", "hold_reason"])
        if thread is not None:
            _thread_published(thread)
        else:
            _reply_published(reply)
    elif action == "hide":
        if post.status == S.HIDDEN:
            raise ValidationError(_("This post is already hidden."))
        was_published = post.status == S.PUBLISHED
        post.status = S.HIDDEN
        post.save(update_fields=["status"])
        if reply is not None and was_published:
            Thread.objects.filter(pk=the_thread.pk, reply_count__gt=0).update(
                reply_count=F("reply_count") - 1
            )
            if the_thread.accepted_reply_id == reply.pk:
                Thread.objects.filter(pk=the_thread.pk).update(accepted_reply=None)
    elif action == "restore":
        if post.status != S.HIDDEN:
            raise ValidationError(_("Only hidden posts can be restored."))
        post.status = S.PUBLISHED
        post.save(update_fields=["status"])
        if reply is not None:
            Thread.objects.filter(pk=the_thread.pk).update(reply_count=F("reply_count") + 1)
    elif action in ("lock", "unlock") and thread is not None:
        thread.is_locked = action == "lock"
        thread.save(update_fields=["is_locked"])
    elif action in ("pin", "unpin") and thread is not None:
        thread.is_pinned = action == "pin"
        thread.save(update_fields=["is_pinned"])
    if action in ("approve", "hide", "restore"):
        transaction.on_commit(evidence.changed)  # a tip or an accepted answer shown or not
    if action in ("hide", "dismiss", "approve"):
        target = {"thread": thread} if thread is not None else {"reply": reply}
        Flag.objects.filter(resolved_at__isnull=True, **target).update(resolved_at=timezone.now())
    if action in ("hide", "approve") and post.author_id and post.author_id != actor.pk:
        what = "thread" if thread is not None else "reply"
        notify_in_their_language(
            recipients=[post.author_id],
            kind=f"post_{action}",
            texts=lambda: {"title": _moderated_title(action, what, community.name), "body": reason},
            url=the_thread.get_absolute_url(),
            dedupe_key=f"moderation:{what}:{post.pk}:{action}:{timezone.now().timestamp()}",
        )
    return _log(
        community=community, actor=actor, action=action, thread=thread, reply=reply, reason=reason
    )
