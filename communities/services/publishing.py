"""What a published post sets off, whether at creation or when a manager approves it:
counts, notifications, mentions, the help broadcast and news for topic followers.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialearn.insights.services import activity_record
from socialearn.notifications.services import notify_audience
from socialearn.people.models import Profile

from ..audiences import help_request_audience
from ..author_follows import tell_author_followers, tell_author_followers_of_reply
from ..language import in_site_language, notify_in_their_language
from ..mentions import handles, mentioned_users
from ..models import Reply, Thread
from .authors import _known, _post_author_name

User = get_user_model()


def _tell_author_held(post, thread: Thread) -> None:
    if post.author_id is None:
        return
    what = "thread" if isinstance(post, Thread) else "reply"
    names = {"community": thread.community.name}

    def texts() -> dict:
        if post.status == Thread.Status.HELD:
            if what == "thread":
                title = _("Your thread in %(community)s is held for a manager's review")
            else:
                title = _("Your reply in %(community)s is held for a manager's review")
        elif what == "thread":
            title = _("Your anonymous thread in %(community)s waits for a manager")
        else:
            title = _("Your anonymous reply in %(community)s waits for a manager")
        return {"title": title % names, "body": post.hold_reason}

    notify_in_their_language(
        recipients=[post.author_id],
        kind="post_held",
        texts=texts,
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
    notify_in_their_language(
        recipients=people,
        kind="mention",
        texts=lambda: {
            "title": _("%(person)s mentioned you in %(thread)s")
            % {"person": _post_author_name(post), "thread": thread.title}
        },
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
    # One row for the whole audience: written in the site's language.
    with in_site_language():
        title = _("%(person)s asks for help: %(thread)s") % {
            "person": _post_author_name(thread),
            "thread": thread.title,
        }
        body = _("In %(community)s") % {"community": thread.community.name}
    notify_audience(
        audience="help_request",
        audience_kwargs={"thread_id": thread.pk},
        kind="help_request",
        title=title,
        body=body,
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


TOPIC_NEWS = {
    Thread.Kind.QUESTION.value: gettext_lazy("New question on %(topics)s: %(thread)s"),
    Thread.Kind.TIP.value: gettext_lazy("New tip on %(topics)s: %(thread)s"),
}


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
    with in_site_language():
        title = TOPIC_NEWS[thread.kind] % {"topics": ", ".join(names[:3]), "thread": thread.title}
        body = _("In %(community)s") % {"community": thread.community.name}
    notify_audience(
        audience="thread_topic_followers",
        audience_kwargs={"thread_id": thread.pk},
        kind="topic_thread",
        title=title,
        body=body,
        url=thread.get_absolute_url(),
        dedupe_key=f"thread:{thread.pk}",
        exclude_user_ids=[*([thread.author_id] if thread.author_id else []), *mentioned],
    )


def _thread_published(thread: Thread, *, notify_members: bool = False, dedupe_key: str = ""):
    _notify_mentions(post=thread, thread=thread, text=thread.body)
    if thread.kind == Thread.Kind.HELP:
        _help_broadcast(thread)
    if notify_members:
        with in_site_language():
            title = _("New in %(community)s: %(thread)s") % {
                "community": thread.community.name,
                "thread": thread.title,
            }
        notify_audience(
            audience="community_members",
            audience_kwargs={"community_id": thread.community_id},
            kind="thread_posted",
            title=title,
            url=thread.get_absolute_url(),
            dedupe_key=dedupe_key or f"thread:{thread.pk}",
            exclude_user_ids=[thread.author_id] if thread.author_id else [],
        )
    _tell_topic_followers(thread)
    tell_author_followers(thread)


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
            notify_in_their_language(
                recipients=[thread.author_id],
                kind="reply",
                texts=lambda: {
                    "title": _("%(person)s replied to %(thread)s")
                    % {"person": _post_author_name(reply), "thread": thread.title}
                },
                url=reply.get_absolute_url(),
                dedupe_key=f"reply:{reply.pk}",
                send_email=thread.kind in (Thread.Kind.QUESTION, Thread.Kind.HELP),
            )
    tell_author_followers_of_reply(reply, already_told=sorted(mentioned))
