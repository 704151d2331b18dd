"""What waits for a community's managers: held and pending posts, open flags, the log."""

from django.db.models import Exists, QuerySet

from ..models import Community, Flag, ModerationAction, Reply, Thread


def _sections(community: Community) -> dict[str, QuerySet]:
    """Each section of the queue, its rows with what the page shows of them. The posts' and
    communities' search vectors are left out: the page never shows them."""
    waiting = [Thread.Status.HELD, Thread.Status.PENDING]
    return {
        "held_threads": Thread.objects.filter(community=community, status__in=waiting)
        .select_related("author__profile", "community")
        .defer("search_vector", "community__search_vector")
        .order_by("created_at")[:100],
        "held_replies": Reply.objects.filter(thread__community=community, status__in=waiting)
        .select_related("author__profile", "thread__community")
        .defer("search_vector", "thread__search_vector", "thread__community__search_vector")
        .order_by("created_at")[:100],
        "flags": Flag.objects.filter(community=community, resolved_at__isnull=True)
        .select_related(
            "flagged_by__profile",
            "thread__author__profile",
            "thread__community",
            "reply__author__profile",
            "reply__thread__community",
        )
        .defer(
            "thread__search_vector",
            "thread__community__search_vector",
            "reply__search_vector",
            "reply__thread__search_vector",
            "reply__thread__community__search_vector",
        )
        .order_by("-created_at")[:100],
        "hidden_threads": Thread.objects.filter(community=community, status=Thread.Status.HIDDEN)
        .select_related("author__profile", "community")
        .defer("search_vector", "community__search_vector")
        .order_by("-created_at")[:50],
        "hidden_replies": Reply.objects.filter(
            thread__community=community, status=Thread.Status.HIDDEN
        )
        .select_related("author__profile", "thread__community")
        .defer("search_vector", "thread__search_vector", "thread__community__search_vector")
        .order_by("-created_at")[:50],
        "log": ModerationAction.objects.filter(community=community)
        .select_related("actor__profile", "thread__community", "reply__thread__community")
        .defer(
            "thread__search_vector",
            "thread__community__search_vector",
            "reply__search_vector",
            "reply__thread__search_vector",
            "reply__thread__community__search_vector",
        )
        .order_by("-created_at", "-id")[:100],
    }


def moderation_queue(community: Community) -> dict:
    """The queue's sections, each a list. One query first says which sections have rows;
    only those are read: most communities' queues are empty most days, and each section's
    query, with its authors, profiles and communities joined, cost more to build and plan
    than to run."""
    sections = _sections(community)
    flags = {f"has_{name}": Exists(rows.values("pk")) for name, rows in sections.items()}
    present = dict(Community.objects.filter(pk=community.pk).values(**flags).get())
    return {name: list(rows) if present[f"has_{name}"] else [] for name, rows in sections.items()}
