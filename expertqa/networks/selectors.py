"""Reads of the learning-network pages: a bounded number of queries whatever they hold."""

from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from communities.models import Community

from .. import permissions
from ..models import Series, Session, TalkProposal
from ..selectors import _people

PAGE_SIZE = 20
SHOWN = 20


def proposals_pending(community: Community) -> QuerySet[TalkProposal]:
    return (
        TalkProposal.objects.filter(community=community, status=TalkProposal.Status.PENDING)
        .select_related("proposer__profile", "topic")
        .order_by("created_at", "id")
    )


def network_page(user, community: Community, *, page: int | str = 1) -> dict:
    now = timezone.now()
    manager = permissions.can_review_proposals(user, community)
    upcoming = list(
        Session.objects.filter(community=community, ends_at__gt=now, cancelled_at__isnull=True)
        .select_related("topic", "community", "series")
        .prefetch_related(Prefetch("experts", queryset=_people()))
        .order_by("starts_at", "id")[:SHOWN]
    )
    for s in upcoming:
        s.state = s.clock_state(now)  # type: ignore[attr-defined]
    mine = list(
        TalkProposal.objects.filter(community=community, proposer=user)
        .select_related("session")
        .order_by("-created_at", "-id")[:SHOWN]
    )
    context = {
        "is_manager": manager,
        "can_propose": permissions.can_propose_talk(user, community),
        "series_list": list(Series.objects.filter(community=community).order_by("title")[:50]),
        "upcoming": upcoming,
        "mine": mine,
        "pending": None,
    }
    if manager:
        context["pending"] = Paginator(proposals_pending(community), PAGE_SIZE).get_page(page)
    return context
