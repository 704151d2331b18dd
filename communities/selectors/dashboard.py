"""Reads for the home page: news from one's communities, open questions, suggestions."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef

from ..models import Community, Membership, Thread
from .visibility import communities_visible_to


class AnyOf(Func):
    """`value = ANY(array)`: with the array from a subquery, PostgreSQL reads it first (an
    init plan) and looks each element up in the value's index."""

    arg_joiner = " = ANY("
    template = "%(expressions)s)"
    output_field = BooleanField()


def latest_from_my_communities(user, limit: int = 5) -> list[Thread]:
    """With only what the list shows (a title, its community's name and address): reading
    and building every column of the thread, its community and its author's profile was
    most of the query's cost."""
    mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values(
        "community_id"
    )
    return list(
        Thread.objects.filter(community_id__in=mine, status=Thread.Status.PUBLISHED)
        .select_related("community")
        .only("title", "community__name", "community__slug")
        .order_by("-last_activity_at")[:limit]
    )


def my_unanswered_questions(user, limit: int = 5, *, readable=None) -> list[Thread]:
    """`readable`: communities_visible_to(user) as ids when the page built it already. With
    only what the list shows: a title, the reply count and the community's address."""
    if readable is None:
        readable = communities_visible_to(user).values("pk")
    return list(
        Thread.objects.filter(
            author=user,
            kind__in=[Thread.Kind.QUESTION, Thread.Kind.HELP],
            accepted_reply__isnull=True,
            status=Thread.Status.PUBLISHED,
            community__in=readable,
        )
        .select_related("community")
        .only("title", "reply_count", "community__slug")
        .order_by("-created_at")[:limit]
    )


# What a suggestion shows on the home page (a name and its address) and the welcome step (its
# kind and purpose too).
SUGGESTION_COLUMNS = ("name", "slug", "kind", "purpose")


def suggested_communities(user, limit: int = 4) -> list[Community]:
    """Public communities on my interests (and expertise) that I have not joined yet, those
    sharing most of my topics first.

    My own topics are a handful, so they are read first from the two link tables (a UNION of
    two index lookups, as a subquery of the same query); the communities are then found from
    the topic index of the community links. Joining topics to everyone's interests and
    expertise with an OR read every link in the organisation (seconds at 30,000 people).
    Only the columns the home page and the welcome step show are read.
    """
    from socialearn.people.models import Profile

    interests = Profile.interests.through.objects.filter(profile__user=user).values("topic_id")
    expertise = Profile.expertise.through.objects.filter(profile__user=user).values("topic_id")
    joined = Membership.objects.filter(community=OuterRef("pk"), user=user)
    return list(
        Community.objects.filter(
            status=Community.Status.ACTIVE,
            visibility=Community.Visibility.PUBLIC,
        )
        .filter(AnyOf(F("topics"), ArraySubquery(interests.union(expertise))))
        .filter(~Exists(joined))
        .annotate(shared=Count("topics"))
        .only(*SUGGESTION_COLUMNS)
        .order_by("-shared", "name")[:limit]
    )
