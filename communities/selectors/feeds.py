"""Threads for feeds and digests, which serve many readers at once.

Who may see a community is decided by communities.permissions.can_view_community. Feeds and
digests apply the same rule set-wise: published threads only, in public communities or in
those the reader is an active member of.
"""

from django.db.models import QuerySet

from ..models import Community, Thread


def public_threads(community: Community) -> QuerySet:
    """Published threads of one community, newest first, for readers who are not signed in;
    their `community` is not read (it is the one given)."""
    return (
        Thread.objects.filter(community=community, status=Thread.Status.PUBLISHED)
        .select_related("author__profile")
        .order_by("-created_at", "-id")
    )
