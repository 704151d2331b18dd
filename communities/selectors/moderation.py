"""What waits for a community's managers: held and pending posts, open flags, the log."""

from ..models import Community, Flag, ModerationAction, Reply, Thread


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
