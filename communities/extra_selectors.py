"""Reads for onboarding, cohorts, digests and feeds.

Who may see a community is decided by communities.permissions.can_view_community. Feeds and
digests serve many readers at once, so they apply the same rule set-wise: published threads
only, in public communities or in those the reader is an active member of.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from socialearn.insights.models import Activity

from . import permissions
from .models import Community, Membership, Thread

ANONYMOUS = "Anonymous"
FORMER_MEMBER = "Former member"


def can_view_community(user, community: Community) -> bool:
    return permissions.can_view_community(user, community)


def public_threads(community: Community) -> QuerySet:
    """Published threads of one community, newest first, for readers who are not signed in."""
    return (
        Thread.objects.filter(community=community, status=Thread.Status.PUBLISHED)
        .select_related("author__profile", "community")
        .order_by("-created_at", "-id")
    )


def author_name(thread) -> str:
    """The name to show to everyone who is not a manager: anonymous stays anonymous."""
    if thread.is_anonymous:
        return ANONYMOUS
    if thread.author is None:
        return FORMER_MEMBER
    profile = getattr(thread.author, "profile", None)
    return (profile.display_name if profile else "") or thread.author.get_full_name() or "Member"


def community_url(community) -> str:
    return community.get_absolute_url()


def thread_url(*, slug: str, thread_id: int) -> str:
    return reverse("communities:thread", args=[slug, thread_id])


# --- onboarding -----------------------------------------------------------------------------


def newcomer_window_start():
    return timezone.localdate() - timedelta(days=settings.ONBOARDING_NEWCOMER_DAYS)


def newcomers_for_welcome(*, community: Community, viewer, limit: int = 20) -> list[Membership]:
    """Members and invitees of `community` who started recently, newest first.

    Each membership carries `welcomed` (the viewer already welcomed them here). One query.
    """
    welcomed = Activity.objects.filter(
        verb=Activity.Verb.WELCOMED,
        actor_id=viewer.pk,
        community_id=community.pk,
        target_user_id=OuterRef("user_id"),
    )
    return list(
        Membership.objects.filter(
            community=community,
            status__in=[Membership.Status.ACTIVE, Membership.Status.INVITED],
            user__is_active=True,
            user__profile__started_company_on__gte=newcomer_window_start(),
            user__profile__started_company_on__lte=timezone.localdate(),
        )
        .exclude(user_id=viewer.pk)
        .select_related("user__profile__department", "user__profile__location")
        .annotate(welcomed=Exists(welcomed))
        .order_by("-user__profile__started_company_on", "user_id")[:limit]
    )


def invitations_for(user) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, status=Membership.Status.INVITED)
        .exclude(community__status=Community.Status.ARCHIVED)
        .select_related("community")
        .order_by("-created_at", "-id")
    )


# --- cohorts --------------------------------------------------------------------------------


def cohorts_list() -> QuerySet:
    from django.db.models import Count

    return (
        Community.objects.filter(kind=Community.Kind.COHORT)
        .annotate(
            member_count=Count(
                "memberships",
                filter=Q(
                    memberships__status=Membership.Status.ACTIVE,
                    memberships__role=Membership.Role.MEMBER,
                ),
            ),
            invited_count=Count(
                "memberships", filter=Q(memberships__status=Membership.Status.INVITED)
            ),
        )
        .prefetch_related("topics")
        .order_by("-created_at", "name")
    )
