"""Reads the pages share, and the visibility rules every other part uses, set-wise.

The rules themselves are written in communities.permissions; in short:
- a community is visible when it is active or archived and public, or the person is an active
  member; a proposed community only to whoever proposed it (and L&D admins on the approvals
  page);
- a thread or reply is visible when its community is and it is published; its author and the
  community's managers also see it while held, pending or hidden;
- an anonymous post names its author to the community's managers only.
"""

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce

from socialearn.people.models import person_name as people_person_name

from .models import Community, Flag, Membership, ModerationAction, Reaction, Reply, Thread
from .permissions import (  # noqa: F401 - the rules, also asked through this module
    can_view_community,
    can_view_post,
    is_manager,
    manages_community,
    membership_of,
)

ANONYMOUS = "Anonymous"
REACTION_LABELS = {"thumbs_up": "Thumbs up", "idea": "Good idea", "thanks": "Thank you"}


def _active_member_q(user) -> Q:
    return Q(
        Exists(
            Membership.objects.filter(
                community=OuterRef("pk"), user=user, status=Membership.Status.ACTIVE
            )
        )
    )


def communities_visible_to(user) -> QuerySet[Community]:
    live = Q(status__in=[Community.Status.ACTIVE, Community.Status.ARCHIVED])
    if user is None or not user.is_authenticated:
        return Community.objects.filter(live, visibility=Community.Visibility.PUBLIC)
    return Community.objects.filter(
        (live & (Q(visibility=Community.Visibility.PUBLIC) | _active_member_q(user)))
        | Q(status=Community.Status.PROPOSED, created_by=user)
    )


def threads_visible_to(user) -> QuerySet[Thread]:
    """Published threads in communities the person can read."""
    return Thread.objects.filter(
        community__in=communities_visible_to(user).values("pk"),
        status=Thread.Status.PUBLISHED,
    )


def replies_visible_to(user) -> QuerySet[Reply]:
    return Reply.objects.filter(
        thread__in=threads_visible_to(user).values("pk"), status=Thread.Status.PUBLISHED
    )


def person_name(user) -> str:
    """Never the email: see people.models.person_name."""
    return people_person_name(user)


def author_display(post, viewer=None, *, manager: bool = False) -> str:
    """The name to show for a post's author. Anonymous posts say "Anonymous" to everyone,
    the author included; managers learn who wrote them from `anonymous_author_for_manager`."""
    if post.is_anonymous:
        return ANONYMOUS
    return person_name(post.author)


def anonymous_author_for_manager(post, *, manager: bool) -> str:
    if post.is_anonymous and manager:
        return person_name(post.author)
    return ""


# --- lists ---------------------------------------------------------------------------------


def community_list(user, *, kind: str = "", topic: str = "", q: str = "") -> QuerySet:
    qs = communities_visible_to(user).filter(status=Community.Status.ACTIVE)
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        # EXISTS, not a join: no duplicates to remove, so nothing forces DISTINCT, and the
        # page's member counts are computed for its 12 rows only, not for every community.
        tagged = Community.topics.through.objects.filter(
            community_id=OuterRef("pk"), topic__slug=topic
        )
        qs = qs.filter(Exists(tagged))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(purpose__icontains=q))
    member_count = (
        Membership.objects.filter(community=OuterRef("pk"), status=Membership.Status.ACTIVE)
        .values("community")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = qs.annotate(
        member_count=Coalesce(member_count, 0, output_field=IntegerField()),
        i_am_member=(
            _active_member_q(user)
            if user.is_authenticated
            else Value(False, output_field=BooleanField())
        ),
    )
    return qs.prefetch_related("topics").order_by("name")


def private_communities_to_ask(user) -> list[dict]:
    """Private communities a person may ask to join: their name and kind only, never their
    purpose, members or threads. Also says whether a request or invitation is waiting."""
    if not user.is_authenticated:
        return []
    mine = Membership.objects.filter(community=OuterRef("pk"), user=user)
    labels = dict(Community.Kind.choices)
    rows = list(
        Community.objects.filter(
            status=Community.Status.ACTIVE, visibility=Community.Visibility.PRIVATE
        )
        .exclude(Exists(mine.filter(status=Membership.Status.ACTIVE)))
        .annotate(
            my_status=Coalesce(mine.values("status")[:1], Value(""), output_field=CharField())
        )
        .order_by("name")
        .values("name", "slug", "kind", "my_status")[:50]
    )
    for row in rows:
        row["kind_label"] = labels.get(row["kind"], "")
    return rows


SORTS = {
    "latest": ("Latest activity", ["-is_pinned", "-last_activity_at", "-pk"]),
    "unanswered": ("Unanswered", ["-is_pinned", "reply_count", "-created_at", "-pk"]),
    "top": ("Top", ["-is_pinned", "-score", "-last_activity_at", "-pk"]),
}


def community_threads(
    community: Community, viewer, *, sort: str = "latest", kind: str = "", manager: bool = False
) -> QuerySet[Thread]:
    qs = Thread.objects.filter(community=community)
    if manager:
        qs = qs.exclude(status=Thread.Status.HIDDEN)
    else:
        own = Q(author=viewer) if viewer.is_authenticated else Q(pk__in=[])
        qs = qs.filter(Q(status=Thread.Status.PUBLISHED) | (own & ~Q(status="hidden")))
    if kind:
        qs = qs.filter(kind=kind)
    if sort == "unanswered":
        # Questions and help requests still without an accepted answer, fewest replies first.
        qs = qs.filter(
            kind__in=[Thread.Kind.QUESTION, Thread.Kind.HELP], accepted_reply__isnull=True
        )
    qs = qs.annotate(score=F("reaction_count") + F("reply_count"))
    order = SORTS.get(sort, SORTS["latest"])[1]
    return (
        qs.select_related("author__profile", "community")
        .prefetch_related("topics")
        .order_by(*order)
    )


def thread_for_page(community: Community, thread_id: int) -> Thread | None:
    return (
        Thread.objects.filter(community=community, pk=thread_id)
        .select_related("author__profile", "edited_by__profile", "community")
        .prefetch_related("topics")
        .first()
    )


def thread_replies(thread: Thread, viewer, *, manager: bool) -> QuerySet[Reply]:
    qs = thread.replies.all()
    if not manager:
        own = Q(author=viewer) if viewer.is_authenticated else Q(pk__in=[])
        qs = qs.filter(Q(status=Thread.Status.PUBLISHED) | (own & ~Q(status="hidden")))
    return qs.select_related("author__profile").order_by("created_at", "id")


def reaction_summary(*, viewer, thread_ids=(), reply_ids=()) -> dict:
    """{("thread"|"reply", id): [{"kind", "emoji", "label", "count", "mine"}, ...]} in 2 queries."""
    summary: dict = {}
    counts = Reaction.objects.filter(Q(thread_id__in=thread_ids) | Q(reply_id__in=reply_ids))
    rows = counts.values("thread_id", "reply_id", "kind").annotate(n=Count("pk"))
    mine = set()
    if viewer.is_authenticated:
        mine = set(counts.filter(user=viewer).values_list("thread_id", "reply_id", "kind"))
    found = {(r["thread_id"], r["reply_id"], r["kind"]): r["n"] for r in rows}
    targets = [("thread", t, (t, None)) for t in thread_ids] + [
        ("reply", r, (None, r)) for r in reply_ids
    ]
    for what, pk, (tid, rid) in targets:
        summary[(what, pk)] = [
            {
                "kind": kind,
                "emoji": label,
                "label": REACTION_LABELS[kind],
                "count": found.get((tid, rid, kind), 0),
                "mine": (tid, rid, kind) in mine,
            }
            for kind, label in Reaction.Kind.choices
        ]
    return summary


class _MembersByName:
    """The active members of a community by name, for a Paginator, each page off an index.

    Members with a profile come first, in the order of the profile's (display_name, id)
    index, so a page of a 100,000-member community walks fifty index entries instead of
    sorting every member; the few without a profile yet follow, by email. The total is the
    membership count alone; the split is counted only on the page where it falls.
    """

    def __init__(self, community: Community):
        active = community.memberships.filter(status=Membership.Status.ACTIVE)
        self._all = active
        self._named = (
            active.filter(user__profile__isnull=False)
            .select_related("user__profile__department")
            .order_by("user__profile__display_name", "user__profile__id")
        )
        self._unnamed = (
            active.filter(user__profile__isnull=True)
            .select_related("user")
            .order_by("user__email", "user_id")
        )

    def count(self) -> int:
        return self._all.count()

    def __getitem__(self, bounds: slice) -> list:
        start, stop = bounds.start or 0, bounds.stop
        page = list(self._named[start:stop])
        if len(page) == stop - start:
            return page
        named = self._named.count()
        return page + list(self._unnamed[max(start - named, 0) : stop - named])


def members_page(community: Community, page_number) -> Page:
    return Paginator(_MembersByName(community), 50).get_page(page_number)  # type: ignore[arg-type]


def moderation_queue(community: Community) -> dict:
    waiting = [Thread.Status.HELD, Thread.Status.PENDING]
    threads = list(
        Thread.objects.filter(community=community, status__in=waiting)
        .select_related("author__profile", "community")
        .order_by("created_at")[:100]
    )
    replies = list(
        Reply.objects.filter(thread__community=community, status__in=waiting)
        .select_related("author__profile", "thread__community")
        .order_by("created_at")[:100]
    )
    flags = list(
        Flag.objects.filter(community=community, resolved_at__isnull=True)
        .select_related(
            "flagged_by__profile",
            "thread__author__profile",
            "thread__community",
            "reply__author__profile",
            "reply__thread__community",
        )
        .order_by("-created_at")[:100]
    )
    hidden_threads = list(
        Thread.objects.filter(community=community, status=Thread.Status.HIDDEN)
        .select_related("author__profile", "community")
        .order_by("-created_at")[:50]
    )
    hidden_replies = list(
        Reply.objects.filter(thread__community=community, status=Thread.Status.HIDDEN)
        .select_related("author__profile", "thread__community")
        .order_by("-created_at")[:50]
    )
    log = list(
        ModerationAction.objects.filter(community=community)
        .select_related("actor__profile", "thread__community", "reply__thread__community")
        .order_by("-created_at", "-id")[:100]
    )
    return {
        "held_threads": threads,
        "held_replies": replies,
        "flags": flags,
        "hidden_threads": hidden_threads,
        "hidden_replies": hidden_replies,
        "log": log,
    }


# --- dashboard -----------------------------------------------------------------------------


def latest_from_my_communities(user, limit: int = 5) -> list[Thread]:
    mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values(
        "community_id"
    )
    return list(
        Thread.objects.filter(community_id__in=mine, status=Thread.Status.PUBLISHED)
        .select_related("community", "author__profile")
        .order_by("-last_activity_at")[:limit]
    )


def my_unanswered_questions(user, limit: int = 5) -> list[Thread]:
    return list(
        Thread.objects.filter(
            author=user,
            kind__in=[Thread.Kind.QUESTION, Thread.Kind.HELP],
            accepted_reply__isnull=True,
            status=Thread.Status.PUBLISHED,
            community__in=communities_visible_to(user).values("pk"),
        )
        .select_related("community")
        .order_by("-created_at")[:limit]
    )


def suggested_communities(user, limit: int = 4) -> list[Community]:
    """Public communities on my interests (and expertise) that I have not joined yet, those
    sharing most of my topics first.

    My own topics are a handful, so they are read first from the two link tables (a UNION of
    two index lookups); the communities are then found from the topic index of the community
    links. Joining topics to everyone's interests and expertise with an OR read every link in
    the organisation (seconds at 30,000 people).
    """
    from socialearn.people.models import Profile

    interests = Profile.interests.through.objects.filter(profile__user=user).values("topic_id")
    expertise = Profile.expertise.through.objects.filter(profile__user=user).values("topic_id")
    my_topics = list(interests.union(expertise).values_list("topic_id", flat=True))
    if not my_topics:
        return []
    joined = Membership.objects.filter(community=OuterRef("pk"), user=user)
    return list(
        Community.objects.filter(
            status=Community.Status.ACTIVE,
            visibility=Community.Visibility.PUBLIC,
            topics__in=my_topics,
        )
        .filter(~Exists(joined))
        .annotate(shared=Count("topics"))
        .order_by("-shared", "name")[:limit]
    )
