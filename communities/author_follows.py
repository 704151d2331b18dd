"""Telling the people who follow an author of each new thread they start and each reply."""

from django.utils.translation import gettext as _

from socialearn.notifications.services import notify_audience
from socialearn.people.models import person_name

from .language import in_site_language
from .models import Reply, Thread


def tell_author_followers(thread: Thread) -> None:
    """Fan a new thread out to its author's followers, after commit, through the outbox.

    Anonymous and clock posts reach nobody this way (the audience is empty for them, and
    they are skipped here first). The dedupe key is the members' and topic followers' one, so
    a person who hears of the thread for several reasons is told once."""
    if thread.is_anonymous or thread.is_system or thread.author_id is None:
        return
    with in_site_language():
        title = _("%(person)s posted: %(thread)s") % {
            "person": person_name(thread.author),
            "thread": thread.title,
        }
        body = _("In %(community)s") % {"community": thread.community.name}
    notify_audience(
        audience="thread_author_followers",
        audience_kwargs={"thread_id": thread.pk},
        kind="followed_person_posted",
        title=title,
        body=body,
        url=thread.get_absolute_url(),
        dedupe_key=f"thread:{thread.pk}",
        exclude_user_ids=[thread.author_id],
    )


def tell_author_followers_of_reply(reply: Reply, *, already_told: list[int]) -> None:
    """Fan a new reply out to its author's followers, after commit, through the outbox.

    Anonymous replies reach nobody this way. The dedupe key is the one of the thread
    author's "replied" notice, so a follower who started the thread is told once; the people
    `already_told` (mentioned in the reply) are left out."""
    if reply.is_anonymous or reply.author_id is None:
        return
    thread = reply.thread
    with in_site_language():
        title = _("%(person)s replied to %(thread)s") % {
            "person": person_name(reply.author),
            "thread": thread.title,
        }
        body = _("In %(community)s") % {"community": thread.community.name}
    notify_audience(
        audience="reply_author_followers",
        audience_kwargs={"reply_id": reply.pk},
        kind="followed_person_replied",
        title=title,
        body=body,
        url=reply.get_absolute_url(),
        dedupe_key=f"reply:{reply.pk}",
        exclude_user_ids=[reply.author_id, *already_told],
    )
