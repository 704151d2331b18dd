"""Every write in communities. Later features (expert Q&A, challenges) call these.

Contract used by other apps (keep the signatures):
  community_create(*, created_by, name, purpose, kind=..., visibility=..., topics=(), ...)
  membership_join(*, community, user, role="member") -> Membership
  thread_create(*, community, author, kind, title, body, topics=(), is_anonymous=False,
                url="", is_system=False, posted_late=False, notify_members=False) -> Thread
  reply_create(*, thread, author, body, is_anonymous=False) -> Reply
"""

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import F, Value
from django.utils import timezone
from django.utils.text import slugify

from socialearn.insights.services import activity_record, scope_upsert
from socialearn.markdown import render_markdown
from socialearn.notifications.services import notify_audience

from . import hooks
from .models import Community, Membership, Reply, Thread


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "community"
    slug, n = base, 2
    while Community.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


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
) -> Community:
    community = Community(
        name=name,
        slug=_unique_slug(name),
        purpose=purpose,
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
    scope_upsert(
        kind="community",
        object_id=community.pk,
        name=community.name,
        url=community.get_absolute_url(),
        is_private=community.is_private,
    )
    if created_by is not None:
        membership_join(community=community, user=created_by, role=Membership.Role.MANAGER)
    return community


@transaction.atomic
def membership_join(*, community: Community, user, role: str = Membership.Role.MEMBER):
    membership, created = Membership.objects.get_or_create(
        community=community,
        user=user,
        defaults={"role": role, "status": Membership.Status.ACTIVE, "joined_at": timezone.now()},
    )
    if not created and (membership.status != Membership.Status.ACTIVE or membership.role != role):
        if role == Membership.Role.MANAGER:
            membership.role = role
        membership.status = Membership.Status.ACTIVE
        membership.joined_at = membership.joined_at or timezone.now()
        membership.save(update_fields=["role", "status", "joined_at"])
        created = True
    if created:
        activity_record(
            verb="joined",
            actor=user,
            community_id=community.pk,
            object_type="community",
            object_id=community.pk,
        )
    return membership


def _refresh_thread_search(thread_id: int) -> None:
    Thread.objects.filter(pk=thread_id).update(
        search_vector=SearchVector("title", weight="A", config="english")
        + SearchVector("body", weight="B", config="english")
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
    now = timezone.now()
    thread = Thread(
        community=community,
        author=author,
        kind=kind,
        title=title,
        body=body,
        body_html=render_markdown(body),
        url=url,
        is_anonymous=is_anonymous,
        is_system=is_system,
        posted_late=posted_late,
        created_at=now,
        last_activity_at=now,
    )
    thread.full_clean(exclude=["accepted_reply"])
    thread.save()
    topic_list = list(topics) or list(community.topics.all())
    thread.topics.set(topic_list)
    _refresh_thread_search(thread.pk)
    activity_record(
        verb="posted",
        actor=author,
        community_id=community.pk,
        topic_ids=[getattr(t, "pk", t) for t in topic_list],
        thread_id=thread.pk,
        object_type="thread",
        object_id=thread.pk,
        is_question=kind in (Thread.Kind.QUESTION, Thread.Kind.HELP),
    )
    if notify_members:
        notify_audience(
            audience="community_members",
            audience_kwargs={"community_id": community.pk},
            kind="thread_posted",
            title=f"New in {community.name}: {title}",
            url=thread.get_absolute_url(),
            dedupe_key=notification_dedupe_key or f"thread:{thread.pk}",
            exclude_user_ids=[author.pk] if author else [],
        )
    for hook in hooks.thread_created:
        hook(thread)
    return thread


@transaction.atomic
def reply_create(*, thread: Thread, author, body: str, is_anonymous: bool = False) -> Reply:
    now = timezone.now()
    reply = Reply(
        thread=thread,
        author=author,
        body=body,
        body_html=render_markdown(body),
        is_anonymous=is_anonymous,
        created_at=now,
    )
    reply.full_clean()
    reply.save()
    Reply.objects.filter(pk=reply.pk).update(search_vector=SearchVector("body", config="english"))
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=F("reply_count") + 1, last_activity_at=Value(now)
    )
    activity_record(
        verb="replied",
        actor=author,
        community_id=thread.community_id,
        thread_id=thread.pk,
        object_type="reply",
        object_id=reply.pk,
        target_user=thread.author,
        is_question=thread.kind in (Thread.Kind.QUESTION, Thread.Kind.HELP),
    )
    for hook in hooks.reply_created:
        hook(reply)
    return reply
