"""Invitations waiting for a person, and newcomers to welcome in a community."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import Community
from ..selectors import can_view_community, community_url, invitations_for, newcomers_for_welcome
from ..services import onboarding

User = get_user_model()


@login_required
def invitations(request):
    return TemplateResponse(
        request, "communities/lnd/invitations.html", {"invitations": invitations_for(request.user)}
    )


@login_required
@require_POST
def invitation_accept(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    try:
        onboarding.invitation_accept(community=community, user=request.user)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from exc
    messages.success(request, _("Welcome to %(community)s.") % {"community": community.name})
    return redirect(community_url(community))


@login_required
@require_POST
def invitation_decline(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    try:
        onboarding.invitation_decline(community=community, user=request.user)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from exc
    messages.info(
        request,
        _("You declined the invitation to %(community)s.") % {"community": community.name},
    )
    return redirect("communities:invitations")


def _visible_community(request, slug: str) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not can_view_community(request.user, community):
        raise Http404("No such community.")
    return community


@login_required
def newcomers(request, slug: str):
    community = _visible_community(request, slug)
    context = {
        "community": community,
        "community_url": community_url(community),
        "newcomers": newcomers_for_welcome(community=community, viewer=request.user),
        "newcomers_loaded": True,
    }
    template = "communities/lnd/newcomers.html"
    if request.htmx:
        template += "#newcomer-list"
    return TemplateResponse(request, template, context)


@login_required
@require_POST
def newcomer_welcome(request, slug: str, user_id: int):
    community = _visible_community(request, slug)
    newcomer = get_object_or_404(User.objects.select_related("profile"), pk=user_id)
    try:
        onboarding.newcomer_welcome(community=community, welcomer=request.user, newcomer=newcomer)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from exc
    if request.htmx:
        row = next(
            (
                n
                for n in newcomers_for_welcome(community=community, viewer=request.user)
                if n.user_id == newcomer.pk
            ),
            None,
        )
        if row is None:
            raise Http404("No such newcomer.")
        return TemplateResponse(
            request,
            "communities/lnd/newcomers.html#newcomer-row",
            {"community": community, "newcomer": row},
        )
    messages.success(
        request, _("%(person)s will see your welcome.") % {"person": newcomer.profile.name}
    )
    return redirect("communities:newcomers", slug=community.slug)
