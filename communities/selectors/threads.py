"""A community's threads, a thread's replies, and the reactions on them."""

from django.db.models import Count, F, OuterRef, Q, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from .. import hooks
from ..models import Community, Reaction, Reply, Thread

REPLIES_PER_PAGE = 25

REACTION_LABELS = {"thumbs_up": _("Thumbs up"), "idea": _("Good idea"), "thanks": _("Thank you")}
REACTION_ICONS = {"thumbs_up": "thumbs-up", "idea": "lightbulb", "thanks": "hand-heart"}


SORTS = {
    "latest": (_("Latest activity"), ["-is_pinned", "-last_activity_at", "-pk"]),
    "unanswered": (_("Unanswered"), ["-is_pinned", "reply_count", "-created_at", "-pk"]),
    "top": (_("Top"), ["-is_pinned", "-score", "-last_activity_at", "-pk"]),
}


def _community_threads_listed(community: Community, *, sort: str, kind: str) -> QuerySet[Thread]:
    qs = Thread.objects.filter(community=community)
    if kind:
        qs = qs.filter(kind=kind)
    if sort == "unanswered":
        # Questions and help requests still without an accepted answer, fewest replies first.
        qs = qs.filter(
            kind__in=[Thread.Kind.QUESTION, Thread.Kind.HELP], accepted_reply__isnull=True
        )
    return qs


def community_threads(
    community: Community, viewer, *, sort: str = "latest", kind: str = "", manager: bool = False
) -> QuerySet[Thread]:
    """In the order `sort` names, each order read off its own index (`Thread.Meta.indexes`);
    their `community` is not read (it is the one given)."""
    qs = _community_threads_listed(community, sort=sort, kind=kind)
    if manager:
        qs = qs.exclude(status=Thread.Status.HIDDEN)
    else:
        own = Q(author=viewer) if viewer.is_authenticated else Q(pk__in=[])
        qs = qs.filter(Q(status=Thread.Status.PUBLISHED) | (own & ~Q(status="hidden")))
    qs = qs.annotate(score=F("reaction_count") + F("reply_count"))
    order = SORTS.get(sort, SORTS["latest"])[1]
    # Rows show neither topics nor anything of the community but its own (the caller's).
    return qs.select_related("author__profile").order_by(*order)


def visible_count(posts: QuerySet, viewer, *, manager: bool, parent: str) -> int:
    """How many of `posts` (a community's threads, a thread's replies) a person's pages list:
    the published ones and the person's own that wait for review (for a manager every one not
    hidden), each part counted off the (`parent`, status) index alone, not the posts' rows."""
    posts = posts.order_by()
    if manager:
        return posts.exclude(status=Thread.Status.HIDDEN).count()
    published = posts.filter(status=Thread.Status.PUBLISHED).values(parent)
    if not viewer.is_authenticated:
        return published.count()
    waiting = (
        posts.filter(author=viewer)
        .exclude(status__in=[Thread.Status.PUBLISHED, Thread.Status.HIDDEN])
        .values(parent)
    )
    return published.union(waiting, all=True).count()


def community_thread_count(
    community: Community, viewer, *, sort: str = "latest", kind: str = "", manager: bool = False
) -> int:
    """How many threads `community_threads` lists."""
    listed = _community_threads_listed(community, sort=sort, kind=kind)
    return visible_count(listed, viewer, manager=manager, parent="community")


def thread_reply_count(thread: Thread, viewer, *, manager: bool) -> int:
    """How many replies `thread_replies` lists."""
    return visible_count(thread.replies.all(), viewer, manager=manager, parent="thread")


def thread_for_page(community: Community, thread_id: int) -> Thread | None:
    """The thread as its pages show it: author and topics read with it, its community the one
    given (not joined again); who edited it last is shown nowhere, so not read. Read with it,
    whether each feature that pins answers may have pinned one in it (`thread_spotlights`
    asks only those)."""
    pins = {
        f"_spotlit_{i}": spotlit(OuterRef("pk"))
        for i, provide in enumerate(hooks.thread_spotlights)
        if (spotlit := hooks.thread_spotlit.get(provide)) is not None
    }
    thread = (
        Thread.objects.filter(community=community, pk=thread_id)
        .select_related("author__profile")
        .prefetch_related("topics")
        .annotate(**pins)
        .first()
    )
    if thread is not None:
        thread.community = community
    return thread


# What the thread page shows of a reply and its author (the person chip: names, picture).
# Not the body's source, the search vector, nor the author's account and other profile
# columns: a page of 25 replies read and built them all, vectors and password hashes too.
_REPLY_SHOWN = (
    "thread_id",
    "author_id",
    "is_anonymous",
    "body_html",
    "status",
    "created_at",
    "edited_at",
    "hold_reason",
    "author__first_name",
    "author__last_name",
    "author__profile__user_id",
    "author__profile__display_name",
    "author__profile__photo_updated_at",
)


def thread_replies(thread: Thread, viewer, *, manager: bool) -> QuerySet[Reply]:
    """A thread's replies as its pages list them, with the columns they show."""
    qs = thread.replies.all()
    if not manager:
        own = Q(author=viewer) if viewer.is_authenticated else Q(pk__in=[])
        qs = qs.filter(Q(status=Thread.Status.PUBLISHED) | (own & ~Q(status="hidden")))
    return qs.select_related("author__profile").only(*_REPLY_SHOWN).order_by("created_at", "id")


def up_to_reply(created_at, pk) -> Q:
    """Replies a thread lists no later than the one created at `created_at` with `pk` (values,
    or OuterRefs to place many replies in one query): counted, they give its place."""
    return Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lte=pk)


def reply_url(thread: Thread, reply_id: int, *, place: int) -> str:
    """The reply on the page of its thread that shows it, `place` being where it comes among
    the replies that person's pages list (1 = first)."""
    page = (max(place, 1) - 1) // REPLIES_PER_PAGE + 1
    query = f"?page={page}" if page > 1 else ""
    return f"{thread.get_absolute_url()}{query}#reply-{reply_id}"


def thread_spotlights(
    thread: Thread, viewer, *, manager: bool, member: bool, replies: QuerySet[Reply]
) -> list[hooks.Spotlight]:
    """The answers pinned inside the thread (newest first), each linked on its page. One
    query per feature that pins answers, whatever their number, none for a feature that
    `thread_for_page` found nothing of."""
    found = [
        spotlight
        for i, provide in enumerate(hooks.thread_spotlights)
        if getattr(thread, f"_spotlit_{i}", True)
        for spotlight in provide(
            thread=thread, user=viewer, manager=manager, member=member, replies=replies
        )
    ]
    for spotlight in found:
        spotlight.url = reply_url(thread, spotlight.reply_id, place=spotlight.place)
    return sorted(found, key=lambda s: s.at, reverse=True)


def reaction_summary(*, viewer, thread_ids=(), reply_ids=()) -> dict:
    """{("thread"|"reply", id): [{"kind", "emoji", "icon", "label", "count", "mine"}, ...]} in
    one query: each kind's count on each post, and how many of them are the viewer's."""
    summary: dict = {}
    labels = {kind: str(label) for kind, label in REACTION_LABELS.items()}  # translated once
    counts = Reaction.objects.filter(Q(thread_id__in=thread_ids) | Q(reply_id__in=reply_ids))
    own = Count("pk", filter=Q(user=viewer)) if viewer.is_authenticated else Value(0)
    rows = counts.values("thread_id", "reply_id", "kind").annotate(n=Count("pk"), own=own)
    found, mine = {}, set()
    for r in rows:
        key = (r["thread_id"], r["reply_id"], r["kind"])
        found[key] = r["n"]
        if r["own"]:
            mine.add(key)
    targets = [("thread", t, (t, None)) for t in thread_ids] + [
        ("reply", r, (None, r)) for r in reply_ids
    ]
    for what, pk, (tid, rid) in targets:
        summary[(what, pk)] = [
            {
                "kind": kind,
                "emoji": label,
                "icon": REACTION_ICONS[kind],
                "label": labels[kind],
                "count": found.get((tid, rid, kind), 0),
                "mine": (tid, rid, kind) in mine,
            }
            for kind, label in Reaction.Kind.choices
        ]
    return summary
