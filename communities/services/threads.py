"""Threads and replies: posting and editing them, and the text checks every post passes."""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from socialearn import limits
from socialearn.insights.services import activity_record
from socialearn.markdown import render_markdown

from .. import hooks
from ..mentions import link_mentions, mentioned_users, too_many_mentions
from ..models import Community, Membership, Reply, Thread, TipRevision
from .authors import _known
from .moderation import _initial_status, _log, moderation_words_matching
from .publishing import _notify_mentions, _reply_published, _tell_author_held, _thread_published
from .roles import _active_membership, _is_manager


def _check_post_body(body: str, *, mentions: bool = True) -> None:
    """Refuse an oversize body, or one with too many @mentions, before anything renders it
    (full_clean() checks the length again, with every other field)."""
    if len(body or "") > limits.POST_BODY:
        raise ValidationError({"body": limits.too_long_message(limits.POST_BODY, len(body))})
    message = too_many_mentions(body) if mentions else ""
    if message:
        raise ValidationError({"body": message})


def render_post(text: str, *, community: Community) -> str:
    """A post's Markdown as safe HTML, its @mentions of people who may read it linked."""
    html = render_markdown(text)
    if "@" not in (text or ""):
        return html
    return link_mentions(html, mentioned_users(text, community=community))


def _refresh_thread_search(thread_id: int) -> None:
    Thread.objects.filter(pk=thread_id).update(
        search_vector=SearchVector(limits.search_prefix("title"), weight="A", config="english")
        + SearchVector(limits.search_prefix("body"), weight="B", config="english")
    )


def _refresh_reply_search(reply_id: int) -> None:
    Reply.objects.filter(pk=reply_id).update(
        search_vector=SearchVector(limits.search_prefix("body"), config="english")
    )


@transaction.atomic
def thread_create(
    *,
    community: Community,
    author,
    kind: str,
    title: str,
    body: str,
    topics: Iterable = (),
    is_anonymous: bool = False,
    url: str = "",
    is_system: bool = False,
    posted_late: bool = False,
    notify_members: bool = False,
    notification_dedupe_key: str = "",
) -> Thread:
    if is_anonymous and community.anonymity == Community.Anonymity.OFF:
        raise ValidationError({"is_anonymous": _("This community does not allow anonymous posts.")})
    _check_post_body(body, mentions=not is_system)
    now = timezone.now()
    status, reason = _initial_status(
        community=community, is_anonymous=is_anonymous, texts=(title, body), system=is_system
    )
    thread = Thread(
        community=community,
        author=author,
        kind=kind,
        title=title,
        body=body,
        body_html=render_post(body, community=community),
        url=url,
        is_anonymous=is_anonymous,
        is_system=is_system,
        posted_late=posted_late,
        status=status,
        hold_reason=reason,
        created_at=now,
        last_activity_at=now,
    )
    thread.full_clean(exclude=["accepted_reply"])
    thread.save()
    topic_list = list(topics) or list(community.topics.all())
    thread.topics.set(topic_list)
    _refresh_thread_search(thread.pk)
    if kind == Thread.Kind.TIP:
        TipRevision.objects.create(
            thread=thread, number=1, title=title, body=body, author=author, created_at=now
        )
    activity_record(
        verb="posted",
        # A clock post (challenge step, flow item) is nobody's participation.
        actor=None if is_anonymous or is_system else author,
        community_id=community.pk,
        topic_ids=[getattr(t, "pk", t) for t in topic_list],
        thread_id=thread.pk,
        object_type="thread",
        object_id=thread.pk,
        is_question=kind in (Thread.Kind.QUESTION, Thread.Kind.HELP),
        extra={
            "kind": kind,
            "anonymous": is_anonymous,
            "system": is_system,
            # Insights names trending threads from here (never for private communities).
            "title": title,
            "url": thread.get_absolute_url(),
        },
    )
    if status == Thread.Status.PUBLISHED:
        _thread_published(thread, notify_members=notify_members, dedupe_key=notification_dedupe_key)
    else:
        if status == Thread.Status.HELD:
            _log(community=community, actor=None, action="held", thread=thread, reason=reason)
        _tell_author_held(thread, thread)
    for hook in hooks.thread_created:
        hook(thread)
    return thread


@transaction.atomic
def reply_create(*, thread: Thread, author, body: str, is_anonymous: bool = False) -> Reply:
    community = thread.community
    if is_anonymous and community.anonymity == Community.Anonymity.OFF:
        raise ValidationError({"is_anonymous": _("This community does not allow anonymous posts.")})
    if thread.is_locked:
        raise ValidationError(_("This thread is locked: no new replies."))
    _check_post_body(body)
    now = timezone.now()
    status, reason = _initial_status(
        community=community, is_anonymous=is_anonymous, texts=(body,), system=False
    )
    reply = Reply(
        thread=thread,
        author=author,
        body=body,
        body_html=render_post(body, community=community),
        is_anonymous=is_anonymous,
        status=status,
        hold_reason=reason,
        created_at=now,
    )
    reply.full_clean()
    reply.save()
    _refresh_reply_search(reply.pk)
    activity_record(
        verb="replied",
        actor=None if is_anonymous else author,
        community_id=thread.community_id,
        thread_id=thread.pk,
        object_type="reply",
        object_id=reply.pk,
        target_user=_known(thread),
        is_question=thread.kind in (Thread.Kind.QUESTION, Thread.Kind.HELP),
        extra={"anonymous": is_anonymous},
    )
    if status == Thread.Status.PUBLISHED:
        _reply_published(reply, now=now)
    else:
        if status == Thread.Status.HELD:
            _log(community=community, actor=None, action="held", reply=reply, reason=reason)
        _tell_author_held(reply, thread)
    for hook in hooks.reply_created:
        hook(reply)
    return reply


def can_edit_thread(thread: Thread, user, *, is_manager: bool, is_member: bool) -> bool:
    if not user.is_authenticated or thread.is_locked and not is_manager:
        return False
    if is_manager or (thread.author_id == user.pk and thread.author_id is not None):
        return True
    return thread.kind == Thread.Kind.TIP and is_member and thread.is_published


@transaction.atomic
def thread_edit(
    *, thread: Thread, editor, title: str, body: str, url: str | None = None, note: str = ""
) -> Thread:
    """Authors and managers edit; members improve how-to tips (each edit a new revision)."""
    community = thread.community
    membership = _active_membership(community, editor)
    is_manager = membership is not None and membership.role == Membership.Role.MANAGER
    if not can_edit_thread(thread, editor, is_manager=is_manager, is_member=membership is not None):
        raise PermissionDenied(_("You cannot edit this thread."))
    _check_post_body(body, mentions=not thread.is_system)
    now = timezone.now()
    old_body = thread.body
    thread.title, thread.body = title, body
    thread.body_html = render_post(body, community=community)
    if url is not None:
        thread.url = url
    thread.edited_at, thread.edited_by = now, editor
    fields = ["title", "body", "body_html", "url", "edited_at", "edited_by"]
    words = moderation_words_matching(title, body)
    if words and thread.status == Thread.Status.PUBLISHED:
        thread.status = Thread.Status.HELD
        thread.hold_reason = "Contains a word on the moderation list: " + ", ".join(words)
        fields += ["status", "hold_reason"]
    thread.full_clean(exclude=["accepted_reply"])
    thread.save(update_fields=fields)
    _refresh_thread_search(thread.pk)
    if thread.kind == Thread.Kind.TIP:
        last = thread.revisions.order_by("-number").values_list("number", flat=True).first()
        TipRevision.objects.create(
            thread=thread,
            number=(last or 0) + 1,
            title=title,
            body=body,
            author=editor,
            note=note[:200],
            created_at=now,
        )
    if "status" in fields:
        _log(community=community, actor=None, action="held", thread=thread, reason=words[0])
        _tell_author_held(thread, thread)
    elif thread.is_published:
        _notify_mentions(post=thread, thread=thread, text=body, before=old_body)
    return thread


@transaction.atomic
def reply_edit(*, reply: Reply, editor, body: str) -> Reply:
    thread = reply.thread
    is_manager = _is_manager(thread.community, editor)
    if not (is_manager or (reply.author_id and reply.author_id == editor.pk)):
        raise PermissionDenied(_("You cannot edit this reply."))
    if thread.is_locked and not is_manager:
        raise PermissionDenied(_("This thread is locked."))
    _check_post_body(body)
    old_body = reply.body
    reply.body, reply.edited_at = body, timezone.now()
    reply.body_html = render_post(body, community=thread.community)
    fields = ["body", "body_html", "edited_at"]
    words = moderation_words_matching(body)
    if words and reply.status == Thread.Status.PUBLISHED:
        reply.status = Thread.Status.HELD
        reply.hold_reason = "Contains a word on the moderation list: " + ", ".join(words)
        fields += ["status", "hold_reason"]
        Thread.objects.filter(pk=thread.pk, reply_count__gt=0).update(
            reply_count=F("reply_count") - 1
        )
    reply.full_clean()
    reply.save(update_fields=fields)
    _refresh_reply_search(reply.pk)
    if "status" in fields:
        _log(community=thread.community, actor=None, action="held", reply=reply, reason=words[0])
        _tell_author_held(reply, thread)
    elif reply.is_published:
        _notify_mentions(post=reply, thread=thread, text=body, before=old_body)
    return reply
