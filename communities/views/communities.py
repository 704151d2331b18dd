"""The directory of communities, proposing and approving them, a community's page and settings,
joining and leaving.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialearn.http import safe_next_url

from .. import permissions, selectors, services
from ..forms import CommunityForm
from ..models import Community, Membership, Thread
from ..paging import CountedPaginator
from .access import _community, _errors, _render

THREADS_PER_PAGE = 20


@login_required
def community_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in Community.Kind.values else ""
    topic = request.GET.get("topic", "").replace("\x00", "")
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    qs = selectors.community_list(request.user, kind=kind, topic=topic, q=q)
    page = Paginator(qs, 12).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "kinds": Community.Kind.choices,
        "topics": selectors.community_topics(),
        "kind": kind,
        "topic": topic,
        "q": q,
        "can_approve": permissions.can_approve_communities(request.user),
        "private_to_ask": selectors.private_communities_to_ask(request.user),
    }
    return _render(request, "communities/list.html", context, "results")


@login_required
def community_create(request):
    form = CommunityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            community = services.community_propose(
                created_by=request.user,
                name=data["name"],
                purpose=data["purpose"],
                rules=data["rules"],
                kind=data["kind"],
                visibility=data["visibility"],
                anonymity=data["anonymity"],
                topics=data["topics"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            if community.status == Community.Status.PROPOSED:
                messages.info(request, _("Thank you: an L&D admin will review your proposal."))
            return redirect(community)
    return TemplateResponse(request, "communities/form.html", {"form": form, "creating": True})


@login_required
def approvals(request):
    if not permissions.can_approve_communities(request.user):
        raise Http404
    if request.method == "POST":
        community_id = request.POST.get("community", "")
        if not community_id.isdigit():
            raise Http404
        community = get_object_or_404(
            Community, pk=int(community_id), status=Community.Status.PROPOSED
        )
        services.community_approve(community=community, approved_by=request.user)
        messages.success(request, _("%(community)s is open.") % {"community": community.name})
        return redirect("communities:approvals")
    proposed = Community.objects.filter(status=Community.Status.PROPOSED).select_related(
        "created_by__profile"
    )
    return TemplateResponse(request, "communities/approvals.html", {"proposed": proposed})


@login_required
def community_detail(request, slug: str):
    community, viewer = _community(request, slug)
    sort = request.GET.get("sort", "latest")
    sort = sort if sort in selectors.SORTS else "latest"
    kind = request.GET.get("kind", "")
    kind = kind if kind in Thread.Kind.values else ""
    threads = selectors.community_threads(
        community, request.user, sort=sort, kind=kind, manager=viewer.is_manager
    )
    count = selectors.community_thread_count(
        community, request.user, sort=sort, kind=kind, manager=viewer.is_manager
    )
    paginator = CountedPaginator(threads, THREADS_PER_PAGE, count=count)
    page = paginator.get_page(request.GET.get("page"))
    for thread in page:
        thread.community = community
        thread.author_name = selectors.author_display(thread, request.user)
    context = {
        "community": community,
        "viewer": viewer,
        "page": page,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _order) in selectors.SORTS.items()],
        "kind": kind,
        "kinds": Thread.Kind.choices,
        "topics": list(community.topics.all()),
        "member_count": community.member_count,
    }
    return _render(request, "communities/detail.html", context, "threads")


@login_required
def community_edit(request, slug: str):
    community, viewer = _community(request, slug)
    if not viewer.is_manager:
        raise PermissionDenied
    form = CommunityForm(request.POST or None, instance=community, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The form validated against a copy; the service applies and records the changes.
        community.refresh_from_db()
        try:
            services.community_update(
                community=community,
                updated_by=request.user,
                name=data["name"],
                purpose=data["purpose"],
                rules=data["rules"],
                kind=data["kind"],
                visibility=data["visibility"],
                anonymity=data["anonymity"],
                topics=data["topics"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, _("Settings saved."))
            return redirect(community)
    return TemplateResponse(
        request, "communities/form.html", {"form": form, "community": community, "viewer": viewer}
    )


@login_required
@require_POST
def community_join(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    try:
        membership = services.membership_self_join(community=community, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("communities:list")
    if membership.status == Membership.Status.REQUESTED:
        messages.info(request, _("Your request was sent to the managers."))
        return redirect("communities:list")
    messages.success(request, _("Welcome to %(community)s.") % {"community": community.name})
    return redirect(
        safe_next_url(request, request.POST.get("next", ""), community.get_absolute_url())
    )


@login_required
@require_POST
def community_leave(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    try:
        services.membership_leave(community=community, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(community)
    messages.info(request, _("You left %(community)s.") % {"community": community.name})
    return redirect("communities:list")
