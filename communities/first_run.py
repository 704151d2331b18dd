"""The first-run setup's communities step: public communities about what the person wants to
learn or knows (the home page's suggestions), to join in one click."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from socialearn.people import first_run
from socialearn.people.models import Profile
from socialearn.people.services import profile_for
from socialearn.people.templatetags.people_tags import PathOf

from . import selectors
from .models import Community, Membership

SUGGESTIONS = 8


def joined_communities(user, *, limit: int = 20, requested: bool = True) -> list[Community]:
    """Communities the person belongs to (and, with `requested`, asked to join), by name:
    their names and addresses, all the home page and the welcome step show of them."""
    statuses = [Membership.Status.ACTIVE]
    if requested:
        statuses.append(Membership.Status.REQUESTED)
    mine = Membership.objects.filter(user=user, status__in=statuses).values("community_id")
    return list(
        Community.objects.filter(pk__in=mine).only("name", "slug").order_by("name", "pk")[:limit]
    )


@login_required
def welcome_communities(request):
    try:
        request.user.profile  # noqa: B018 - read with the viewer by the middleware, no query
    except Profile.DoesNotExist:
        profile_for(request.user)
    suggested = selectors.suggested_communities(request.user, limit=SUGGESTIONS)
    joined = joined_communities(request.user)
    # Each community's addresses at one reverse a list, not two a row.
    detail_url, join_url = PathOf("communities:detail"), PathOf("communities:join")
    for community in suggested:
        community.url = detail_url(community.slug)
        community.join_url = join_url(community.slug)
    for community in joined:
        community.url = detail_url(community.slug)
    return TemplateResponse(
        request,
        "communities/welcome.html",
        {
            "steps": first_run.navigation("communities"),
            "suggested": suggested,
            "joined": joined,
            "next_step": first_run.next_url("communities"),
        },
    )


first_run.register("communities", label=_("Communities"), url_name="communities:welcome", order=50)
