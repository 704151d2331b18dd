"""Reads for onboarding: newcomers to welcome and invitations waiting for a person."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from socialearn.insights.models import Activity
from socialearn.people.models import NEW_MEMBER

from ..models import Community, Membership


def newcomer_window_start():
    return timezone.localdate() - timedelta(days=settings.ONBOARDING_NEWCOMER_DAYS)


@dataclass(frozen=True)
class Newcomer:
    """One line of the newcomers to welcome: what it shows, read as plain values."""

    user_id: int
    name: str
    job_title: str
    started_company_on: date | None  # never None here: the list is of those who started
    welcomed: bool  # the viewer already welcomed them in this community
    url: str  # their profile
    welcome_url: str  # where the viewer welcomes them
    row_id: str  # the row's HTML id (a string: an int is localised each time it is written)


class _UrlOfId:
    """reverse(name, args=[*args, id]) for the ids of a list at the cost of one reverse (two
    for each of 20 rows were a third of the list's cost): the id is the route's last
    argument, so it is the last "/0/" of the URL reversed with 0."""

    def __init__(self, name: str, *args) -> None:
        self._head, _, self._tail = reverse(name, args=[*args, 0]).rpartition("/0/")

    def __call__(self, pk: int) -> str:
        return f"{self._head}/{pk}/{self._tail}"


def newcomers_for_welcome(*, community: Community, viewer, limit: int = 20) -> list[Newcomer]:
    """Members and invitees of `community` who started recently, newest first.

    One query of the columns the list shows: reading each newcomer's membership, account and
    profile whole (the profile with its search vector), with their department and site that
    the list does not show, was most of the page at a community of 100,000 members.
    """
    welcomed = Activity.objects.filter(
        verb=Activity.Verb.WELCOMED,
        actor_id=viewer.pk,
        community_id=community.pk,
        target_user_id=OuterRef("user_id"),
    )
    rows = (
        Membership.objects.filter(
            community=community,
            status__in=[Membership.Status.ACTIVE, Membership.Status.INVITED],
            user__is_active=True,
            user__profile__started_company_on__gte=newcomer_window_start(),
            user__profile__started_company_on__lte=timezone.localdate(),
        )
        .exclude(user_id=viewer.pk)
        .annotate(welcomed=Exists(welcomed))
        .order_by("-user__profile__started_company_on", "user_id")
        .values_list(
            "user_id",
            "user__profile__display_name",
            "user__first_name",
            "user__last_name",
            "user__profile__job_title",
            "user__profile__started_company_on",
            "welcomed",
        )[:limit]
    )
    profile_url = _UrlOfId("people:profile")
    welcome_url = _UrlOfId("communities:newcomer_welcome", community.slug)
    return [
        Newcomer(
            user_id=user_id,
            name=display_name or f"{first} {last}".strip() or str(NEW_MEMBER),
            job_title=job_title,
            started_company_on=started,
            welcomed=welcomed,
            url=profile_url(user_id),
            welcome_url=welcome_url(user_id),
            row_id=f"newcomer-{user_id}",
        )
        for user_id, display_name, first, last, job_title, started, welcomed in rows
    ]


def invitations_for(user) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, status=Membership.Status.INVITED)
        .exclude(community__status=Community.Status.ARCHIVED)
        .select_related("community")
        .order_by("-created_at", "-id")
    )
