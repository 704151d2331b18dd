"""Every write in communities. Later features (expert Q&A, challenges) call these.

Contract used by other apps (keep the signatures):
  community_create(*, created_by, name, purpose, kind=..., visibility=..., topics=(), ...)
  membership_join(*, community, user, role="member") -> Membership
  thread_create(*, community, author, kind, title, body, topics=(), is_anonymous=False,
                url="", is_system=False, posted_late=False, notify_members=False) -> Thread
  reply_create(*, thread, author, body, is_anonymous=False) -> Reply

A post (thread or reply) is published at once, unless the word list holds it (status "held")
or it is anonymous in a community that reviews anonymous posts (status "pending"). What a
published post sets off (counts, notifications, mentions, the help broadcast) happens in
`_thread_published` / `_reply_published`, whether at creation or when a manager approves it.
"""

import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Value
from django.utils import timezone
from django.utils.text import slugify

from socialearn import limits
from socialearn.insights.services import activity_record, scope_upsert
from socialearn.markdown import render_markdown
from socialearn.notifications.services import notify, notify_audience
from socialearn.people.models import Profile, person_name
from socialearn.people.permissions import is_lnd_admin

from . import hooks, permissions
from .audiences import help_request_audience
from .author_follows import tell_author_followers
from .mentions import (  # noqa: F401 - MENTION_RE and link_mentions are part of the contract
    MENTION_RE,
    handles,
    link_mentions,
    mentioned_users,
    too_many_mentions,
)
from .models import (
    Community,
    Flag,
    Membership,
    ModerationAction,
    ModerationWord,
    Reaction,
    Reply,
    Thread,
    TipRevision,
)

User = get_user_model()
ANONYMOUS = "Anonymous"


# --- helpers -------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "community"
    slug, n = base, 2
    while Community.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _person_name(user) -> str:
    return "Someone" if user is None else person_name(user)


def _post_author_name(post) -> str:
    """The name notifications show: never the author of an anonymous post."""
    return ANONYMOUS if post.is_anonymous else _person_name(post.author)


def _known(post):
    """The author to record in activity rows: nobody for an anonymous post, because
    insights figures and exports must never name its author."""
    return None if post.is_anonymous else post.author


def _active_membership(community: Community, user) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(
        community=community, user=user, status=Membership.Status.ACTIVE
    ).first()


def _is_manager(community: Community, user) -> bool:
    membership = _active_membership(community, user)
    return membership is not None and membership.role == Membership.Role.MANAGER


def _require_manager(community: Community, user) -> None:
    if not _is_manager(community, user):
        raise PermissionDenied("Only the community's managers can do that.")


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


def _initial_status(*, community: Community, is_anonymous: bool, texts: Iterable[str], system):
    if system:
        return Thread.Status.PUBLISHED, ""
    words = moderation_words_matching(*texts)
    if words:
        return Thread.Status.HELD, "Contains a word on the moderation list: " + ", ".join(words)
    if is_anonymous and community.anonymity == Community.Anonymity.REVIEW:
        return Thread.Status.PENDING, "Anonymous posts are reviewed by a manager."
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


# --- communities and memberships -----------------------------------------------------------


def _scope_upsert(community: Community) -> None:
    scope_upsert(
        kind="community",
        object_id=community.pk,
        name=community.name,
        url=community.get_absolute_url(),
        is_private=community.is_private,
    )


@transaction.atomic
def community_create(
    *,
    created_by,
    name: str,
    purpose: str,
    kind: str = Community.Kind.PRACTICE,
    visibility: str = Community.Visibility.PUBLIC,
    anonymity: str = Community.Anonymity.OFF,
    topics: Iterable = (),
    status: str = Community.Status.ACTIVE,
    location=None,
    department=None,
    rules: str = "",
) -> Community:
    community = Community(
        name=name,
        slug=_unique_slug(name),
        purpose=purpose,
        rules=rules,
        kind=kind,
        visibility=visibility,
        anonymity=anonymity,
        status=status,
        location=location,
        department=department,
        created_by=created_by,
    )
    community.full_clean()
    community.save()
    community.topics.set(list(topics))
    _scope_upsert(community)
    if created_by is not None:
        membership_join(community=community, user=created_by, role=Membership.Role.MANAGER)
    return community


_LND_ONLY_KIND_MESSAGE = (
    "Onboarding communities and course cohorts are set up by L&D admins. "
    "Choose another kind, or ask L&D."
)


@transaction.atomic
def community_propose(
    *,
    created_by,
    name: str,
    purpose: str,
    kind: str = Community.Kind.PRACTICE,
    visibility: str = Community.Visibility.PUBLIC,
    anonymity: str = Community.Anonymity.OFF,
    topics: Iterable = (),
    rules: str = "",
) -> Community:
    """Anyone may propose a community; it waits for an L&D admin when approval is required.
    Onboarding communities and course cohorts are L&D's alone."""
    if not (purpose or "").strip():
        raise ValidationError({"purpose": "Say what the community is for."})
    if not permissions.can_create_kind(created_by, kind):
        raise ValidationError({"kind": _LND_ONLY_KIND_MESSAGE})
    needs_approval = settings.COMMUNITY_APPROVAL_REQUIRED and not is_lnd_admin(created_by)
    return community_create(
        created_by=created_by,
        name=name,
        purpose=purpose,
        kind=kind,
        visibility=visibility,
        anonymity=anonymity,
        topics=topics,
        rules=rules,
        status=Community.Status.PROPOSED if needs_approval else Community.Status.ACTIVE,
    )


@transaction.atomic
def community_approve(*, community: Community, approved_by) -> Community:
    if not permissions.can_approve_communities(approved_by):
        raise PermissionDenied("Only L&D admins approve communities.")
    if community.status != Community.Status.PROPOSED:
        raise ValidationError("This community is not waiting for approval.")
    community.status = Community.Status.ACTIVE
    community.save(update_fields=["status"])
    if community.created_by_id:
        notify(
            recipients=[community.created_by_id],
            kind="community_approved",
            title=f"Your community {community.name} is open",
            url=community.get_absolute_url(),
            dedupe_key=f"community-approved:{community.pk}",
        )
    return community


@transaction.atomic
def community_update(*, community: Community, updated_by, **fields) -> Community:
    _require_manager(community, updated_by)
    topics = fields.pop("topics", None)
    allowed = {"name", "purpose", "rules", "kind", "visibility", "anonymity"}
    changed = []
    for key, value in fields.items():
        if key not in allowed:
            raise ValidationError(f"{key} cannot be changed here.")
        if key == "kind" and value != community.kind:
            if not permissions.can_create_kind(updated_by, value):
                raise ValidationError({"kind": _LND_ONLY_KIND_MESSAGE})
        if getattr(community, key) != value:
            setattr(community, key, value)
            changed.append(key)
    community.full_clean()
    if changed:
        community.save(update_fields=changed)
    if topics is not None:
        community.topics.set(list(topics))
    if {"name", "visibility"} & set(changed):
        _scope_upsert(community)
    return community


@transaction.atomic
def membership_join(*, community: Community, user, role: str = Membership.Role.MEMBER):
    """Make the person an active member (for private communities call it only after an
    invitation was accepted or a request approved: it does not check)."""
    membership, created = Membership.objects.get_or_create(
        community=community,
        user=user,
        defaults={"role": role, "status": Membership.Status.ACTIVE, "joined_at": timezone.now()},
    )
    if not created and (membership.status != Membership.Status.ACTIVE or membership.role != role):
        was_active = membership.status == Membership.Status.ACTIVE
        if role == Membership.Role.MANAGER:
            membership.role = role
        membership.status = Membership.Status.ACTIVE
        membership.joined_at = membership.joined_at or timezone.now()
        membership.save(update_fields=["role", "status", "joined_at"])
        created = not was_active
    if created:
        activity_record(
            verb="joined",
            actor=user,
            community_id=community.pk,
            object_type="community",
            object_id=community.pk,
        )
    return membership


@transaction.atomic
def membership_self_join(*, community: Community, user) -> Membership:
    """The Join button: public communities at once; private ones accept an invitation or
    become a request a manager approves."""
    existing = Membership.objects.filter(community=community, user=user).first()
    if existing and existing.status == Membership.Status.ACTIVE:
        return existing
    if community.status != Community.Status.ACTIVE:
        raise ValidationError("This community is not open yet.")
    was_invited = existing is not None and existing.status in (
        Membership.Status.INVITED,
        Membership.Status.DECLINED,
    )
    if not community.is_private or was_invited:
        return membership_join(community=community, user=user)
    if existing:
        return existing
    membership = Membership.objects.create(
        community=community, user=user, status=Membership.Status.REQUESTED
    )
    managers = community.memberships.filter(
        role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).values_list("user_id", flat=True)
    notify(
        recipients=list(managers),
        kind="membership_requested",
        title=f"{_person_name(user)} asks to join {community.name}",
        url=f"{community.get_absolute_url()}members/",
        dedupe_key=f"membership-request:{membership.pk}",
    )
    return membership


@transaction.atomic
def membership_leave(*, community: Community, user) -> None:
    membership = Membership.objects.filter(community=community, user=user).first()
    if membership is None:
        return
    if membership.role == Membership.Role.MANAGER and membership.status == "active":
        others = community.memberships.filter(
            role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
        ).exclude(user=user)
        if not others.exists():
            raise ValidationError("Name another manager before you leave: you are the last one.")
    was_active = membership.status == Membership.Status.ACTIVE
    if community.kind == Community.Kind.ONBOARDING:
        # Leaving is declining: the row stays so the daily invitation skips them.
        membership.status, membership.role = Membership.Status.DECLINED, Membership.Role.MEMBER
        membership.joined_at = None
        membership.save(update_fields=["status", "role", "joined_at"])
    else:
        membership.delete()
    if was_active:
        activity_record(
            verb="left",
            actor=user,
            community_id=community.pk,
            object_type="community",
            object_id=community.pk,
        )


@transaction.atomic
def membership_invite(*, community: Community, invited_by, users: Iterable) -> int:
    """Managers invite people; the invitation waits in their inbox. Returns how many new."""
    _require_manager(community, invited_by)
    count = 0
    for user in users:
        membership, created = Membership.objects.get_or_create(
            community=community, user=user, defaults={"status": Membership.Status.INVITED}
        )
        if membership.status == Membership.Status.REQUESTED:
            membership_join(community=community, user=user)
            continue
        again = membership.status == Membership.Status.DECLINED
        if again:
            # A manager's own invitation reopens one the person once declined.
            membership.status, membership.joined_at = Membership.Status.INVITED, None
            membership.save(update_fields=["status", "joined_at"])
        elif not created:
            continue
        count += 1
        notify(
            recipients=[user],
            kind="community_invitation",
            title=f"{_person_name(invited_by)} invites you to {community.name}",
            url=community.get_absolute_url(),
            dedupe_key=f"community-invite:{membership.pk}"
            + (f":{timezone.now().timestamp()}" if again else ""),
        )
    return count


@transaction.atomic
def membership_decide(*, membership: Membership, decided_by, approve: bool) -> None:
    _require_manager(membership.community, decided_by)
    if membership.status != Membership.Status.REQUESTED:
        raise ValidationError("This request was already decided.")
    community = membership.community
    if approve:
        membership_join(community=community, user=membership.user)
        title = f"Welcome to {community.name}"
    else:
        membership.delete()
        title = f"Your request to join {community.name} was declined"
    notify(
        recipients=[membership.user_id],
        kind="membership_decided",
        title=title,
        url=community.get_absolute_url() if approve else "",
    )


@transaction.atomic
def membership_set_role(*, membership: Membership, changed_by, role: str) -> Membership:
    _require_manager(membership.community, changed_by)
    if role == Membership.Role.MEMBER and membership.role == Membership.Role.MANAGER:
        others = membership.community.memberships.filter(
            role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
        ).exclude(pk=membership.pk)
        if not others.exists():
            raise ValidationError("A community needs at least one manager.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


# --- threads and replies -------------------------------------------------------------------


def _refresh_thread_search(thread_id: int) -> None:
    Thread.objects.filter(pk=thread_id).update(
        search_vector=SearchVector(limits.search_prefix("title"), weight="A", config="english")
        + SearchVector(limits.search_prefix("body"), weight="B", config="english")
    )


def _refresh_reply_search(reply_id: int) -> None:
    Reply.objects.filter(pk=reply_id).update(
        search_vector=SearchVector(limits.search_prefix("body"), config="english")
    )


def _tell_author_held(post, thread: Thread) -> None:
    if post.author_id is None:
        return
    what = "thread" if isinstance(post, Thread) else "reply"
    if post.status == Thread.Status.HELD:
        title = f"Your {what} in {thread.community.name} is held for a manager's review"
    else:
        title = f"Your anonymous {what} in {thread.community.name} waits for a manager"
    notify(
        recipients=[post.author_id],
        kind="post_held",
        title=title,
        body=post.hold_reason,
        url=thread.get_absolute_url(),
        dedupe_key=f"held:{what}:{post.pk}:{post.status}",
    )


def _notify_mentions(*, post, thread: Thread, text: str, before: str = "") -> None:
    """Tell the people @mentioned in `text`; after an edit (`before` is the old text), only
    those the edit newly mentions."""
    earlier = handles(before)
    people = [
        u
        for u in mentioned_users(text, community=thread.community)
        if u != post.author and u.email.split("@")[0].lower() not in earlier
    ]
    if not people:
        return
    what = "thread" if isinstance(post, Thread) else "reply"
    url = thread.get_absolute_url() if what == "thread" else post.get_absolute_url()
    notify(
        recipients=people,
        kind="mention",
        title=f"{_post_author_name(post)} mentioned you in {thread.title}",
        url=url,
        dedupe_key=f"mention:{what}:{post.pk}",
        send_email=True,
    )


def help_request_reach(thread: Thread) -> tuple[int, int]:
    """How many people, in how many departments, a help request reaches."""
    audience = help_request_audience(thread_id=thread.pk)
    exclude = [thread.author_id] if thread.author_id else []
    ids = User.objects.filter(pk__in=audience, is_active=True).exclude(pk__in=exclude)
    figures = Profile.objects.filter(user__in=ids).aggregate(
        departments=Count("department", distinct=True)
    )
    return ids.count(), figures["departments"]


def _help_broadcast(thread: Thread) -> None:
    if thread.help_sent_at is not None:
        return
    reached, departments = help_request_reach(thread)
    now = timezone.now()
    Thread.objects.filter(pk=thread.pk).update(
        help_reached=reached, help_departments=departments, help_sent_at=now
    )
    thread.help_reached, thread.help_departments, thread.help_sent_at = (
        reached,
        departments,
        now,
    )
    notify_audience(
        audience="help_request",
        audience_kwargs={"thread_id": thread.pk},
        kind="help_request",
        title=f"{_post_author_name(thread)} asks for help: {thread.title}",
        body=f"In {thread.community.name}",
        url=thread.get_absolute_url(),
        dedupe_key=f"help:{thread.pk}",
        send_email=True,
        exclude_user_ids=[thread.author_id] if thread.author_id else [],
    )
    activity_record(
        verb="help_requested",
        actor=_known(thread),
        community_id=thread.community_id,
        topic_ids=list(thread.topics.values_list("pk", flat=True)),
        thread_id=thread.pk,
        object_type="thread",
        object_id=thread.pk,
        is_question=True,
        extra={"reached": reached, "departments": departments},
    )


TOPIC_NEWS: dict[str, str] = {Thread.Kind.QUESTION: "question", Thread.Kind.TIP: "tip"}


def _tell_topic_followers(thread: Thread) -> None:
    """A new question or tip reaches the people following one of its topics at the "every"
    level, once each: the same dedupe key as the members' notice, and those it @mentions are
    told by their mention. Clock posts (steps, flow items) go to their own audiences."""
    if thread.is_system or thread.kind not in TOPIC_NEWS:
        return
    names = [t.name for t in thread.topics.all()]
    if not names:
        return
    mentioned = [u.pk for u in mentioned_users(thread.body, community=thread.community)]
    notify_audience(
        audience="thread_topic_followers",
        audience_kwargs={"thread_id": thread.pk},
        kind="topic_thread",
        title=f"New {TOPIC_NEWS[thread.kind]} on {', '.join(names[:3])}: {thread.title}",
        body=f"In {thread.community.name}",
        url=thread.get_absolute_url(),
        dedupe_key=f"thread:{thread.pk}",
        exclude_user_ids=[*([thread.author_id] if thread.author_id else []), *mentioned],
    )


def _thread_published(thread: Thread, *, notify_members: bool = False, dedupe_key: str = ""):
    _notify_mentions(post=thread, thread=thread, text=thread.body)
    if thread.kind == Thread.Kind.HELP:
        _help_broadcast(thread)
    if notify_members:
        notify_audience(
            audience="community_members",
            audience_kwargs={"community_id": thread.community_id},
            kind="thread_posted",
            title=f"New in {thread.community.name}: {thread.title}",
            url=thread.get_absolute_url(),
            dedupe_key=dedupe_key or f"thread:{thread.pk}",
            exclude_user_ids=[thread.author_id] if thread.author_id else [],
        )
    _tell_topic_followers(thread)
    tell_author_followers(thread)


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
        raise ValidationError({"is_anonymous": "This community does not allow anonymous posts."})
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


def _reply_published(reply: Reply, *, now=None) -> None:
    thread = reply.thread
    now = now or timezone.now()
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=F("reply_count") + 1, last_activity_at=Value(now)
    )
    mentioned = {u.pk for u in mentioned_users(reply.body, community=thread.community)}
    _notify_mentions(post=reply, thread=thread, text=reply.body)
    # A clock post (challenge step, flow item, session thread) is answered by many: its
    # designer is not told of every reply.
    if thread.author_id and thread.author_id != reply.author_id and not thread.is_system:
        if thread.author_id not in mentioned:
            notify(
                recipients=[thread.author_id],
                kind="reply",
                title=f"{_post_author_name(reply)} replied to {thread.title}",
                url=reply.get_absolute_url(),
                dedupe_key=f"reply:{reply.pk}",
                send_email=thread.kind in (Thread.Kind.QUESTION, Thread.Kind.HELP),
            )


@transaction.atomic
def reply_create(*, thread: Thread, author, body: str, is_anonymous: bool = False) -> Reply:
    community = thread.community
    if is_anonymous and community.anonymity == Community.Anonymity.OFF:
        raise ValidationError({"is_anonymous": "This community does not allow anonymous posts."})
    if thread.is_locked:
        raise ValidationError("This thread is locked: no new replies.")
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
        raise PermissionDenied("You cannot edit this thread.")
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
        raise PermissionDenied("You cannot edit this reply.")
    if thread.is_locked and not is_manager:
        raise PermissionDenied("This thread is locked.")
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


@transaction.atomic
def answer_accept(*, thread: Thread, reply: Reply, accepted_by) -> Thread:
    """The asker or a manager marks one reply as the answer; choosing another switches it."""
    if thread.kind not in (Thread.Kind.QUESTION, Thread.Kind.HELP):
        raise ValidationError("Only questions and help requests have an accepted answer.")
    if reply.thread_id != thread.pk or not reply.is_published:
        raise ValidationError("That reply is not an answer in this thread.")
    is_asker = thread.author_id is not None and thread.author_id == accepted_by.pk
    if not (is_asker or _is_manager(thread.community, accepted_by)):
        raise PermissionDenied("Only the asker or a manager can accept an answer.")
    if thread.accepted_reply_id == reply.pk:
        return thread
    thread.accepted_reply = reply
    thread.save(update_fields=["accepted_reply"])
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
        notify(
            recipients=[reply.author_id],
            kind="answer_accepted",
            title=f"Your answer to {thread.title} was accepted",
            url=reply.get_absolute_url(),
            dedupe_key=f"accepted:{reply.pk}",
        )
    return thread


@transaction.atomic
def answer_unaccept(*, thread: Thread, changed_by) -> Thread:
    is_asker = thread.author_id is not None and thread.author_id == changed_by.pk
    if not (is_asker or _is_manager(thread.community, changed_by)):
        raise PermissionDenied("Only the asker or a manager can change the accepted answer.")
    thread.accepted_reply = None
    thread.save(update_fields=["accepted_reply"])
    return thread


@transaction.atomic
def reaction_toggle(*, user, kind: str, thread: Thread | None = None, reply=None) -> bool:
    """Add the person's reaction of this kind, or take it back. Returns True when added."""
    if kind not in Reaction.Kind.values:
        raise ValidationError("Unknown reaction.")
    if (thread is None) == (reply is None):
        raise ValidationError("React to a thread or a reply.")
    post = thread or reply
    target = {"thread": thread} if thread is not None else {"reply": reply}
    deleted, _ = Reaction.objects.filter(user=user, kind=kind, **target).delete()
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


# --- moderation ----------------------------------------------------------------------------


@transaction.atomic
def flag_create(*, user, reason: str, thread: Thread | None = None, reply=None) -> Flag:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Tell the managers what is wrong with this post."})
    post_thread = thread or reply.thread
    community = post_thread.community
    flag = Flag.objects.create(
        thread=thread, reply=reply, community=community, flagged_by=user, reason=reason[:500]
    )
    _log(community=community, actor=user, action="flag", thread=thread, reply=reply, reason=reason)
    managers = community.memberships.filter(
        role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).values_list("user_id", flat=True)
    notify(
        recipients=list(managers),
        kind="post_flagged",
        title=f"A post in {community.name} was flagged",
        body=reason,
        url=f"{community.get_absolute_url()}moderation/",
        dedupe_key=f"flag:{flag.pk}",
        exclude_user_ids=[user.pk],
    )
    return flag


THREAD_ACTIONS = {"approve", "hide", "restore", "lock", "unlock", "pin", "unpin", "dismiss"}
REPLY_ACTIONS = {"approve", "hide", "restore", "dismiss"}


@transaction.atomic
def moderation_act(
    *, actor, action: str, reason: str = "", thread: Thread | None = None, reply=None
) -> ModerationAction:
    """A manager's decision on a post, logged with who, what, why and when."""
    if (thread is None) == (reply is None):
        raise ValidationError("Act on a thread or a reply.")
    post = thread if thread is not None else reply
    the_thread = thread if thread is not None else reply.thread
    community = the_thread.community
    _require_manager(community, actor)
    allowed = THREAD_ACTIONS if thread is not None else REPLY_ACTIONS
    if action not in allowed:
        raise ValidationError(f"“{action}” is not something you can do to this post.")
    S = Thread.Status
    if action == "approve":
        if post.status not in (S.HELD, S.PENDING):
            raise ValidationError("Only held or pending posts wait for approval.")
        post.status, post.hold_reason = S.PUBLISHED, ""
        post.save(update_fields=["status", "hold_reason"])
        if thread is not None:
            _thread_published(thread)
        else:
            _reply_published(reply)
    elif action == "hide":
        if post.status == S.HIDDEN:
            raise ValidationError("This post is already hidden.")
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
            raise ValidationError("Only hidden posts can be restored.")
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
    if action in ("hide", "dismiss", "approve"):
        target = {"thread": thread} if thread is not None else {"reply": reply}
        Flag.objects.filter(resolved_at__isnull=True, **target).update(resolved_at=timezone.now())
    if action in ("hide", "approve") and post.author_id and post.author_id != actor.pk:
        what = "thread" if thread is not None else "reply"
        notify(
            recipients=[post.author_id],
            kind=f"post_{action}",
            title=(
                f"Your {what} in {community.name} is published"
                if action == "approve"
                else f"A manager hid your {what} in {community.name}"
            ),
            body=reason,
            url=the_thread.get_absolute_url(),
            dedupe_key=f"moderation:{what}:{post.pk}:{action}:{timezone.now().timestamp()}",
        )
    return _log(
        community=community, actor=actor, action=action, thread=thread, reply=reply, reason=reason
    )
