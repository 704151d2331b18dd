from django.db.models import Q, QuerySet

from socialearn.notifications import audiences
from socialearn.notifications.models import PersonFollow, TopicFollow
from socialearn.people import evidence

from .models import Community, Membership, Reply, Thread


@audiences.register("community_members")
def community_members(*, community_id: int):
    return Membership.objects.filter(
        community_id=community_id, status=Membership.Status.ACTIVE
    ).values("user_id")


@audiences.register("help_request")
def help_request_audience(*, thread_id: int) -> QuerySet:
    """Who a help request reaches: followers of its topics, and people whose record shows
    expertise on them (accepted answers, expert-session answers, tips, mentoring: the
    evidence every feature registers), whatever their department. In a private community
    only its members. The caller leaves out the asker; DISTINCT removes people in both."""
    thread = Thread.objects.select_related("community").get(pk=thread_id)
    topic_ids = list(thread.topics.values_list("pk", flat=True))
    followers = TopicFollow.objects.filter(
        topic_id__in=topic_ids, level=TopicFollow.Level.EVERY
    ).values("user_id")
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(
        Q(pk__in=followers) | evidence.evidence_user_q("pk", topic_ids=topic_ids),
        is_active=True,
    )
    if thread.community.visibility == Community.Visibility.PRIVATE:
        people = people.filter(
            memberships__community_id=thread.community_id,
            memberships__status=Membership.Status.ACTIVE,
        )
    return people.values("id").distinct()


@audiences.register("thread_topic_followers")
def thread_topic_followers(*, thread_id: int) -> QuerySet:
    """Who hears at once of a new question or tip: people following one of its topics at the
    "every" level who may read it (in a private community, its active members only).
    DISTINCT, so a person following two of its topics hears of it once."""
    thread = Thread.objects.select_related("community").get(pk=thread_id)
    followers = TopicFollow.objects.filter(
        topic__in=thread.topics.values("pk"), level=TopicFollow.Level.EVERY
    ).values("user_id")
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(pk__in=followers, is_active=True)
    if thread.community.visibility == Community.Visibility.PRIVATE:
        people = people.filter(
            memberships__community_id=thread.community_id,
            memberships__status=Membership.Status.ACTIVE,
        )
    return people.values("id").distinct()


def _followers_who_may_read(author_id: int, community: Community) -> QuerySet:
    """The active people following `author_id` who may read `community`: in a private one
    its active members only, in one still proposed nobody."""
    from django.contrib.auth import get_user_model

    if community.status == Community.Status.PROPOSED:
        return get_user_model().objects.none().values("id")
    followers = PersonFollow.objects.filter(person_id=author_id).values("user_id")
    people = get_user_model().objects.filter(pk__in=followers, is_active=True)
    if community.visibility == Community.Visibility.PRIVATE:
        people = people.filter(
            memberships__community_id=community.pk,
            memberships__status=Membership.Status.ACTIVE,
        )
    return people.values("id").distinct()


@audiences.register("thread_author_followers")
def thread_author_followers(*, thread_id: int) -> QuerySet:
    """Who hears of a new thread because they follow its author: nobody for an anonymous or
    clock post; in a private community only its active members."""
    thread = Thread.objects.select_related("community").get(pk=thread_id)
    if thread.is_anonymous or thread.is_system or thread.author_id is None:
        return Thread.objects.none().values("id")
    return _followers_who_may_read(thread.author_id, thread.community)


@audiences.register("reply_author_followers")
def reply_author_followers(*, reply_id: int) -> QuerySet:
    """Who hears of a new reply because they follow its author: nobody for an anonymous reply
    or one not published, nor in a thread that is not published itself; in a private
    community only its active members."""
    reply = Reply.objects.select_related("thread__community").get(pk=reply_id)
    thread = reply.thread
    if (
        reply.is_anonymous
        or reply.author_id is None
        or reply.status != Thread.Status.PUBLISHED
        or thread.status != Thread.Status.PUBLISHED
    ):
        return Thread.objects.none().values("id")
    return _followers_who_may_read(reply.author_id, thread.community)
