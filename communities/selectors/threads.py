"""A community's threads, a thread's replies, and the reactions on them."""

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ..models import Community, Reaction, Reply, Thread

REACTION_LABELS = {"thumbs_up": _("Thumbs up"), "idea": _("Good idea"), "thanks": _("Thank you")}


SORTS = {
    "latest": (_("Latest activity"), ["-is_pinned", "-last_activity_at", "-pk"]),
    "unanswered": (_("Unanswered"), ["-is_pinned", "reply_count", "-created_at", "-pk"]),
    "top": (_("Top"), ["-is_pinned", "-score", "-last_activity_at", "-pk"]),
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
