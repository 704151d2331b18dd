"""Reads for the home page: news from one's communities, open questions, suggestions."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef
from django.db.models.expressions import RawSQL

from ..models import Community, Membership, Thread
from .visibility import compiled_readable


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
        readable = compiled_readable(user)
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


# --- the home page's section in one query ------------------------------------------------------

MY_COMMUNITIES = 8
LATEST = 5
UNANSWERED = 5
SUGGESTED = 4

# The four lists of the section, each a part of one UNION ALL: what the four reads above give
# (tests/communities/test_dashboard_read.py holds them equal; change them together). Building
# and compiling them through the ORM was two thirds of the section's time for some twenty rows.
_SECTION_SQL = """
(SELECT 'mine', c.id, c.name, c.slug, NULL::bigint, NULL::varchar, NULL::integer
   FROM communities_community c
  WHERE c.id IN (SELECT m.community_id FROM communities_membership m
                  WHERE m.user_id = %s AND m.status = %s)
  ORDER BY c.name, c.id LIMIT %s)
UNION ALL
(SELECT 'latest', c.id, c.name, c.slug, t.id, t.title, NULL
   FROM communities_thread t JOIN communities_community c ON c.id = t.community_id
  WHERE t.community_id IN (SELECT m.community_id FROM communities_membership m
                            WHERE m.user_id = %s AND m.status = %s)
    AND t.status = %s
  ORDER BY t.last_activity_at DESC LIMIT %s)
UNION ALL
(SELECT 'unanswered', c.id, c.name, c.slug, t.id, t.title, t.reply_count
   FROM communities_thread t JOIN communities_community c ON c.id = t.community_id
  WHERE t.author_id = %s AND t.kind IN (%s, %s) AND t.accepted_reply_id IS NULL
    AND t.status = %s AND t.community_id IN ({readable})
  ORDER BY t.created_at DESC LIMIT %s)
UNION ALL
(SELECT 'suggested', c.id, c.name, c.slug, NULL, NULL, COUNT(ct.topic_id)::integer
   FROM communities_community c JOIN communities_community_topics ct ON ct.community_id = c.id
  WHERE c.status = %s AND c.visibility = %s
    AND ct.topic_id = ANY(ARRAY(
          SELECT i.topic_id FROM people_profile_interests i
            JOIN people_profile p ON p.id = i.profile_id WHERE p.user_id = %s
          UNION
          SELECT e.topic_id FROM people_profile_expertise e
            JOIN people_profile p ON p.id = e.profile_id WHERE p.user_id = %s))
    AND NOT EXISTS (SELECT 1 FROM communities_membership m
                     WHERE m.community_id = c.id AND m.user_id = %s)
  GROUP BY c.id ORDER BY 7 DESC, c.name LIMIT %s)
"""


def dashboard_lists(user, *, readable: RawSQL) -> dict[str, list]:
    """The home page's communities section in one query: "mine" (the communities joined, by
    name), "latest" (the newest threads of those), "unanswered" (the person's open questions
    where they may still read them) and "suggested" (with `shared`), as
    joined_communities(requested=False), latest_from_my_communities, my_unanswered_questions
    and suggested_communities give them, with only the columns the section shows.
    `readable`: communities_visible_to(user) as ids, compiled (socialearn.dashboard)."""
    readable_sql, readable_params = readable.sql, readable.params
    active, published = Membership.Status.ACTIVE, Thread.Status.PUBLISHED
    params = [
        *(user.pk, active, MY_COMMUNITIES),
        *(user.pk, active, published, LATEST),
        *(user.pk, Thread.Kind.QUESTION, Thread.Kind.HELP, published),
        *(*readable_params, UNANSWERED),
        *(Community.Status.ACTIVE, Community.Visibility.PUBLIC),
        *(user.pk, user.pk, user.pk, SUGGESTED),
    ]
    with connection.cursor() as cursor:
        cursor.execute(_SECTION_SQL.format(readable=readable_sql), params)
        found = cursor.fetchall()
    lists: dict[str, list] = {"mine": [], "latest": [], "unanswered": [], "suggested": []}
    for part, community_id, name, slug, thread_id, title, number in found:
        community = Community(id=community_id, name=name, slug=slug)
        if thread_id is None:
            if part == "suggested":
                community.shared = number  # type: ignore[attr-defined]
            lists[part].append(community)
        else:
            thread = Thread(id=thread_id, title=title, community=community)
            if part == "unanswered":
                thread.reply_count = number
            lists[part].append(thread)
    return lists
