"""Threads for feeds and digests, which serve many readers at once.

Who may see a community is decided by communities.permissions.can_view_community. Feeds and
digests apply the same rule set-wise: published threads only, in public communities or in
those the reader is an active member of.
"""

import hashlib

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


def public_threads_fingerprint(community: Community, limit: int) -> str:
    """What the community's feed of its `limit` newest published threads shows of them, as
    one short text that changes when any of it does: which threads (one published, hidden or
    deleted changes the set), their kinds, titles and anonymity, and their last edits (an
    edit of the body sets edited_at). Read off the threads alone, not their bodies or authors.
    """
    rows = public_threads(community).values_list(
        "pk", "kind", "title", "is_anonymous", "created_at", "edited_at"
    )[:limit]
    return hashlib.blake2b(repr(list(rows)).encode(), digest_size=16).hexdigest()
