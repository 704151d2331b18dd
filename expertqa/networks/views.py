"""Learning networks: proposing talks, deciding on them, series and recordings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.models import Community

from .. import permissions, services
from ..models import Session, TalkProposal
from ..selectors import session_for_board
from . import selectors
from .forms import AcceptForm, DeclineForm, ProposalForm, RecordingForm, SeriesForm


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _network_or_404(request, slug: str) -> Community:
    community = get_object_or_404(Community, slug=slug)
    if not permissions.is_network(community) or not permissions.can_view_community(
        request.user, community
    ):
        raise Http404("No such learning network")
    return community


def _proposal_or_404(request, pk: int) -> TalkProposal:
    proposal = get_object_or_404(
        TalkProposal.objects.select_related(
            "community", "proposer__profile", "topic", "session", "decided_by__profile"
        ),
        pk=pk,
    )
    if not permissions.can_view_proposal(request.user, proposal):
        raise Http404("No such proposal")
    return proposal


@login_required
def network(request, slug: str):
    community = _network_or_404(request, slug)
    context = {
        "community": community,
        **selectors.network_page(request.user, community, page=request.GET.get("page", 1)),
    }
    return TemplateResponse(request, "expertqa/networks/network.html", context)


@login_required
def propose(request, slug: str):
    community = _network_or_404(request, slug)
    if not permissions.can_propose_talk(request.user, community):
        raise PermissionDenied(_("This network does not take proposals now."))
    form = ProposalForm(request.POST or None, community=community)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(
                community=community, proposer=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request, _("Thank you: the network's managers will look at your proposal.")
            )
            return redirect(proposal)
    return TemplateResponse(
        request, "expertqa/networks/propose.html", {"community": community, "form": form}
    )


def _proposal_context(request, proposal, accept_form=None, decline_form=None) -> dict:
    manager = permissions.can_review_proposals(request.user, proposal.community)
    pending = proposal.status == TalkProposal.Status.PENDING
    context = {"proposal": proposal, "community": proposal.community, "is_manager": manager}
    if manager and pending:
        context["accept_form"] = accept_form or AcceptForm(proposal=proposal)
        context["decline_form"] = decline_form or DeclineForm()
    return context


@login_required
def proposal_detail(request, pk: int):
    proposal = _proposal_or_404(request, pk)
    return TemplateResponse(
        request, "expertqa/networks/proposal.html", _proposal_context(request, proposal)
    )


def _managed_pending(request, pk: int) -> TalkProposal:
    proposal = _proposal_or_404(request, pk)
    if not permissions.can_review_proposals(request.user, proposal.community):
        raise PermissionDenied(_("Only the network's managers decide on proposals."))
    return proposal


def _already_decided(request, proposal: TalkProposal):
    messages.error(request, _("This proposal was already decided."))
    return redirect(proposal)


@login_required
@require_POST
def proposal_accept(request, pk: int):
    proposal = _managed_pending(request, pk)
    if proposal.status != TalkProposal.Status.PENDING:
        return _already_decided(request, proposal)
    form = AcceptForm(request.POST, proposal=proposal)
    if form.is_valid():
        try:
            session = services.proposal_accept(
                proposal=proposal,
                by=request.user,
                series=form.cleaned_data["series"],
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Accepted: the talk is on the calendar."))
            return redirect(session)
    context = _proposal_context(request, proposal, accept_form=form)
    return TemplateResponse(request, "expertqa/networks/proposal.html", context, status=400)


@login_required
@require_POST
def proposal_decline(request, pk: int):
    proposal = _managed_pending(request, pk)
    if proposal.status != TalkProposal.Status.PENDING:
        return _already_decided(request, proposal)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_decline(
                proposal=proposal, by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Declined; the speaker has your note."))
            return redirect("expertqa:network", proposal.community.slug)
    context = _proposal_context(request, proposal, decline_form=form)
    return TemplateResponse(request, "expertqa/networks/proposal.html", context, status=400)


@login_required
def series_new(request, slug: str):
    community = _network_or_404(request, slug)
    if not permissions.can_review_proposals(request.user, community):
        raise PermissionDenied(_("Only the network's managers start a series."))
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            series = services.network_series_create(
                community=community, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The series is ready: accept talks into it."))
            return redirect(series)
    return TemplateResponse(
        request, "expertqa/networks/series_form.html", {"community": community, "form": form}
    )


@login_required
def recording_edit(request, pk: int):
    try:
        session: Session = session_for_board(pk)
    except Session.DoesNotExist:
        raise Http404("No such session") from None
    if not permissions.can_view_session(request.user, session):
        raise Http404("No such session")
    if not permissions.can_edit_recording(request.user, session):
        raise PermissionDenied(_("Only the moderator, the managers or a speaker can."))
    form = RecordingForm(request.POST or None, initial={"recording_url": session.recording_url})
    if request.method == "POST" and form.is_valid():
        try:
            services.session_recording_set(
                session=session, by=request.user, url=form.cleaned_data["recording_url"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The link is saved."))
            return redirect(session)
    return TemplateResponse(
        request, "expertqa/networks/recording_form.html", {"session": session, "form": form}
    )
