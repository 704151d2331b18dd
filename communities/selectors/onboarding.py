"""Reads for onboarding: newcomers to welcome and invitations waiting for a person."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from socialearn.insights.models import Activity

from ..models import Community, Membership


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
