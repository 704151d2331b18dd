"""Reads for course cohorts."""

from django.db.models import Q, QuerySet

from ..models import Community, Membership


def cohorts_list() -> QuerySet:
    from django.db.models import Count

    return (
        Community.objects.filter(kind=Community.Kind.COHORT)
        .annotate(
            participant_count=Count(
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
