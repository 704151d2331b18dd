"""A community's members: the list, requests to join, invitations and roles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import InviteForm
from ..models import Membership
from .access import _community, _errors


@login_required
def members(request, slug: str):
    community, viewer = _community(request, slug)
    form = InviteForm(request.POST or None) if viewer.is_manager else None
    if request.method == "POST":
        if not viewer.is_manager:
            raise PermissionDenied
        if form.is_valid():
            count = services.membership_invite(
                community=community, invited_by=request.user, users=form.cleaned_data["emails"]
            )
            messages.success(
                request,
                ngettext(
                    "%(count)s invitation sent: each person finds it in their inbox.",
                    "%(count)s invitations sent: each person finds it in their inbox.",
                    count,
                )
                % {"count": count},
            )
            return redirect("communities:members", slug=slug)
    page = selectors.members_page(
        community,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        last=request.GET.get("page") == "last",
    )
    waiting = []
    if viewer.is_manager:
        waiting = list(
            community.memberships.filter(
                status__in=[Membership.Status.INVITED, Membership.Status.REQUESTED]
            ).select_related("user__profile")
        )
    context = {
        "community": community,
        "viewer": viewer,
        "page": page,
        "form": form,
        "waiting": waiting,
    }
    return TemplateResponse(request, "communities/members.html", context)


@login_required
@require_POST
def membership_decide(request, slug: str, membership_id: int):
    community, viewer = _community(request, slug)
    if not viewer.is_manager:
        raise PermissionDenied
    membership = get_object_or_404(Membership, pk=membership_id, community=community)
    try:
        services.membership_decide(
            membership=membership,
            decided_by=request.user,
            approve=request.POST.get("decision") == "approve",
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("communities:members", slug=slug)


@login_required
@require_POST
def membership_role(request, slug: str, membership_id: int):
    community, viewer = _community(request, slug)
    if not viewer.is_manager:
        raise PermissionDenied
    membership = get_object_or_404(
        Membership, pk=membership_id, community=community, status="active"
    )
    role = request.POST.get("role")
    if role not in Membership.Role.values:
        raise Http404
    try:
        services.membership_set_role(membership=membership, changed_by=request.user, role=role)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("communities:members", slug=slug)
