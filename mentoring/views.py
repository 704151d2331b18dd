import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from socialearn.http import safe_next_url
from socialearn.markdown import render_markdown
from socialearn.people.models import Profile

from . import permissions, selectors, services
from .forms import (
    AdhocRequestForm,
    AdhocVolunteerForm,
    AvailabilityForm,
    DeclineForm,
    EnrolmentForm,
    MeetingForm,
    ProgrammeForm,
    RequestForm,
    SwapForm,
    VolunteerCallForm,
)
from .models import AdhocRequest, AdhocVolunteer, Enrolment, Match, MatchingRun, Programme
from .relationship import selectors as relationship_selectors
from .relationship.forms import AgreementForm, GoalForm, MeetingScheduleForm, NoteForm


def _stored_list(stored: dict[str, int]) -> SafeString:
    """What going unrecorded deletes, as one phrase ("2 meeting notes and 1 note sent with
    mentoring requests") for the confirmation sentence."""
    items = []
    if stored.get("notes"):
        n = stored["notes"]
        items.append(
            format_html(
                "<strong>{}</strong>",
                ngettext("%(count)s meeting note", "%(count)s meeting notes", n) % {"count": n},
            )
        )
    if stored.get("messages"):
        n = stored["messages"]
        items.append(
            format_html(
                "<strong>{}</strong>",
                ngettext(
                    "%(count)s note sent with mentoring requests",
                    "%(count)s notes sent with mentoring requests",
                    n,
                )
                % {"count": n},
            )
        )
    if stored.get("words"):
        n = stored["words"]
        items.append(
            format_html(
                "<strong>{}</strong> {}",
                ngettext("%(count)s other text pairs wrote", "%(count)s other texts pairs wrote", n)
                % {"count": n},
                _("(goal wordings, agendas, their own notes, survey comments)"),
            )
        )
    return mark_safe(format_html(" {} ", _("and")).join(items))  # noqa: S308 - parts escaped above


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _coordinated(request, pk: int) -> Programme:
    programme = get_object_or_404(Programme, pk=pk)
    if not permissions.can_coordinate(request.user, programme):
        raise PermissionDenied(_("Only this programme's coordinators can see this page."))
    return programme


@login_required
def home(request):
    """The recruitment scoreboard, open to every employee, and the programmes.

    Both are the same for everyone (but for a coordinator's hint when there is no programme):
    the template keeps them rendered under the scoreboard's generation, so the kept figures
    are read only when that rendering is not kept."""
    return TemplateResponse(
        request,
        "mentoring/home.html",
        {
            "board": SimpleLazyObject(selectors.scoreboard_kept),
            "generation": selectors.scoreboard_generation(),
            "kept_seconds": selectors.SCOREBOARD_SECONDS,
            "can_create": permissions.can_create_programmes(request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
def programme_create(request):
    if not permissions.can_create_programmes(request.user):
        raise PermissionDenied(_("Only coordinators can create programmes."))
    form = ProgrammeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(
                created_by=request.user,
                topics=form.cleaned_data["topics"],
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The programme is created; people can enrol within the dates you set.")
            )
            return redirect(programme)
    return TemplateResponse(request, "mentoring/programme_form.html", {"form": form})


@login_required
def programme_edit(request, pk: int):
    programme = _coordinated(request, pk)
    was_unrecorded = programme.offline_unrecorded
    form = ProgrammeForm(request.POST if request.method == "POST" else None, instance=programme)
    if request.method == "POST" and form.is_valid():
        stored = selectors.programme_stored_conversations(programme)
        if (
            form.cleaned_data["offline_unrecorded"]
            and not was_unrecorded
            and any(stored.values())
            and request.POST.get("forget_conversations") != "yes"
        ):
            # Going unrecorded deletes what pairs wrote: say how much, and ask first.
            return TemplateResponse(
                request,
                "mentoring/programme_forget.html",
                {
                    "programme": programme,
                    "stored": stored,
                    "stored_list": _stored_list(stored),
                    "posted": [
                        (name, value)
                        for name, values in request.POST.lists()
                        if name != "csrfmiddlewaretoken"
                        for value in values
                    ],
                },
            )
        try:
            services.programme_update(
                programme=programme,
                user=request.user,
                topics=form.cleaned_data["topics"],
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Programme saved."))
            return redirect(programme)
    return TemplateResponse(
        request, "mentoring/programme_form.html", {"form": form, "programme": programme}
    )


def _eligibility_rows(programme: Programme) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for side, label in (("protege", _("Protégés")), ("mentor", _("Mentors"))):
        words = []
        low = getattr(programme, f"{side}_min_years_in_role")
        high = getattr(programme, f"{side}_max_years_in_role")
        manages = getattr(programme, f"{side}_manages_people")
        company = getattr(programme, f"{side}_min_years_in_company")
        if low is not None:
            words.append(
                _("at least %(years)s in their current role") % {"years": services.years_words(low)}
            )
        if high is not None:
            words.append(
                _("under %(years)s in their current role") % {"years": services.years_words(high)}
            )
        if manages == "must":
            words.append(_("lead a team"))
        elif manages == "must_not":
            words.append(_("do not lead a team"))
        if company is not None:
            words.append(
                _("at least %(years)s in the company") % {"years": services.years_words(company)}
            )
        rows[label] = words or [_("everyone may enrol")]
    return rows


def _viewer_profile(request) -> Profile | None:
    """The viewer's profile, read with the viewer by the middleware (no query of its own)."""
    try:
        return request.user.profile
    except Profile.DoesNotExist:
        return None


@login_required
def programme_detail(request, pk: int):
    programme = get_object_or_404(Programme.objects.prefetch_related("topics"), pk=pk)
    mine = list(Enrolment.objects.filter(programme=programme, user=request.user))
    roles = {e.role: e for e in mine}
    profile = _viewer_profile(request)
    problems = {
        role: services.eligibility_problems(programme=programme, profile=profile, role=role)
        for role in (Enrolment.Role.PROTEGE, Enrolment.Role.MENTOR)
    }
    suggestions, live = [], None
    protege = roles.get(Enrolment.Role.PROTEGE)
    if protege:
        live = (
            Match.objects.filter(protege=protege, status__in=Match.LIVE)
            .exclude(status=Match.Status.PROPOSED)
            .select_related("mentor__user__profile")
            .first()
        )
        if programme.is_self_service and live is None and protege.status == "active":
            suggestions = selectors.suggestions_for(protege)
    return TemplateResponse(
        request,
        "mentoring/programme.html",
        {
            "programme": programme,
            "goals_html": mark_safe(render_markdown(programme.goals)),  # noqa: S308 - sanitised by nh3
            "eligibility": _eligibility_rows(programme),
            "roles": roles,
            "problems": problems,
            "suggestions": suggestions,
            "live": live,
            "protege": protege,
            "request_form": RequestForm(programme=programme),
            "can_coordinate": permissions.can_coordinate(request.user, programme),
        },
    )


@login_required
def enrol(request, pk: int, role: str):
    programme = get_object_or_404(Programme, pk=pk)
    if role not in Enrolment.Role.values:
        raise Http404(_("No such role"))
    profile = _viewer_profile(request)
    problems = services.eligibility_problems(programme=programme, profile=profile, role=role)
    form = EnrolmentForm(
        request.POST if request.method == "POST" else None, programme=programme, role=role
    )
    if request.method == "POST" and not problems and form.is_valid():
        data = form.cleaned_data
        try:
            services.enrolment_create(
                programme=programme,
                user=request.user,
                role=role,
                topics=data["topics"],
                goals=data["goals"],
                capacity=data.get("capacity"),
                location_preference=data["location_preference"],
                prefer_other_department=data["prefer_other_department"],
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("You are enrolled. We will tell you when you are matched."))
            return redirect(programme)
    return TemplateResponse(
        request,
        "mentoring/enrol.html",
        {
            "programme": programme,
            "role": role,
            "role_label": Enrolment.Role(role).label,
            "problems": problems,
            "form": form,
        },
    )


@login_required
def coordinate(request, pk: int):
    programme = _coordinated(request, pk)
    context = {
        "programme": programme,
        **selectors.coordinator_view(programme),
    }
    context["swap_choices"] = [m for m in context["mentors"] if m.free > 0]
    context["has_locks"] = any(m.locked for m in context["proposed"])
    if not request.htmx:
        context["outcomes"] = relationship_selectors.programme_outcome_figures(programme)
    # Waiting for an answer first, then active, completed, declined or expired.
    context["published"] = [
        m for key in ("offered", "active", "completed", "declined") for m in context[key]
    ]
    # A long list of published matches folds away so the proposals stay in reach.
    context["published_count"] = len(context["published"])
    if request.htmx and request.GET.get("part") == "run":
        run = context["run"]
        if run is None or run.status != MatchingRun.Status.RUNNING:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"  # the run is over: show its proposals
            return response
        return TemplateResponse(request, "mentoring/coordinate.html#run-status", context)
    return TemplateResponse(request, "mentoring/coordinate.html", context)


@login_required
@require_POST
def run_matching(request, pk: int):
    programme = _coordinated(request, pk)
    try:
        run = services.matching_run_start(programme=programme, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        if run.status == MatchingRun.Status.RUNNING:
            messages.info(request, _("Matching is running; this page updates when it is done."))
        else:
            messages.success(
                request,
                ngettext(
                    "Matching done: %(pairs)d pair, %(unmatched)d unmatched.",
                    "Matching done: %(pairs)d pairs, %(unmatched)d unmatched.",
                    run.matched,
                )
                % {"pairs": run.matched, "unmatched": len(run.unmatched)},
            )
    return redirect("mentoring:coordinate", pk=programme.pk)


@login_required
@require_POST
def publish(request, pk: int):
    programme = _coordinated(request, pk)
    count = services.programme_publish(programme=programme, user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d match published; both people have been told.",
            "%(count)d matches published; both people have been told.",
            count,
        )
        % {"count": count},
    )
    return redirect("mentoring:coordinate", pk=programme.pk)


def _coordinated_match(request, pk: int) -> Match:
    match = get_object_or_404(Match.objects.select_related("programme"), pk=pk)
    if not permissions.can_coordinate(request.user, match.programme):
        raise PermissionDenied(_("Only this programme's coordinators can change matches."))
    return match


@login_required
@require_POST
def match_lock(request, pk: int):
    match = _coordinated_match(request, pk)
    try:
        services.match_lock(
            match=match, user=request.user, locked=request.POST.get("locked") == "1"
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("mentoring:coordinate", pk=match.programme_id)


@login_required
@require_POST
def match_swap(request, pk: int):
    programme = _coordinated(request, pk)
    form = SwapForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            services.match_swap(
                match=form.cleaned_data["match"],
                mentor=form.cleaned_data["mentor"],
                user=request.user,
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Mentor changed; the pair is locked for the next run."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("mentoring:coordinate", pk=programme.pk)


@login_required
def export_csv(request, pk: int):
    programme = _coordinated(request, pk)
    matches = (
        Match.objects.filter(programme=programme)
        .exclude(status__in=[Match.Status.CANCELLED])
        .select_related("mentor__user__profile", "protege__user__profile")
        .order_by("id")
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="programme-{programme.pk}-matches.csv"'
    writer = csv.writer(response)
    header = ["mentor", "protege", "status", "offered_at", "started_at", "ended_at"]
    recorded = not programme.offline_unrecorded
    if recorded:
        header += ["score", "reasons"]
    writer.writerow(header)
    for m in matches:
        row = [
            m.mentor.user.profile.name,
            m.protege.user.profile.name,
            m.status,
            m.offered_at.isoformat() if m.offered_at else "",
            m.started_at.isoformat() if m.started_at else "",
            m.ended_at.isoformat() if m.ended_at else "",
        ]
        if recorded:
            row += [m.score, "; ".join(m.reasons)]
        writer.writerow(_csv_safe(row))
    return response


def _csv_safe(row: list) -> list:
    # Names starting with = + - @ would run as formulas in a spreadsheet.
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in row]


@login_required
def volunteer_call(request, pk: int):
    programme = _coordinated(request, pk)
    form = VolunteerCallForm(
        request.POST if request.method == "POST" else None, programme=programme
    )
    size = None
    if request.method == "POST" and form.is_valid():
        kwargs = form.audience_kwargs()
        size = services.volunteer_call_size(**kwargs, exclude_programme_id=programme.pk)
        if request.POST.get("action") == "send":
            services.volunteer_call_send(
                programme=programme, user=request.user, audience_kwargs=kwargs
            )
            messages.success(
                request,
                ngettext(
                    "Call for volunteers sent to %(count)s person.",
                    "Call for volunteers sent to %(count)s people.",
                    size,
                )
                % {"count": size},
            )
            return redirect("mentoring:coordinate", pk=programme.pk)
    return TemplateResponse(
        request,
        "mentoring/volunteer_call.html",
        {"programme": programme, "form": form, "size": size},
    )


@login_required
@require_POST
def request_mentor(request, pk: int, mentor_id: int):
    programme = get_object_or_404(Programme, pk=pk)
    protege = get_object_or_404(
        Enrolment, programme=programme, user=request.user, role=Enrolment.Role.PROTEGE
    )
    mentor = get_object_or_404(
        Enrolment, pk=mentor_id, programme=programme, role=Enrolment.Role.MENTOR
    )
    form = RequestForm(request.POST, programme=programme)
    message = form.cleaned_data.get("message", "") if form.is_valid() else ""
    try:
        match = services.match_request(
            protege=protege, mentor=mentor, user=request.user, message=message
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(programme)
    messages.success(request, _("Request sent. You will hear back here and in your inbox."))
    return redirect(match)


@login_required
def mine(request):
    services.touch_last_active(request.user)
    matches = selectors.my_matches(request.user)
    enrolments = selectors.my_enrolments(request.user)
    volunteer_topics = AdhocVolunteer.objects.filter(user=request.user).values_list(
        "topic_id", flat=True
    )
    return TemplateResponse(
        request,
        "mentoring/mine.html",
        {
            "matches": [_match_view(m, request.user) for m in matches],
            "enrolments": enrolments,
            "decline_form": DeclineForm(),
            "volunteer_form": AdhocVolunteerForm(initial={"topics": list(volunteer_topics)}),
            "adhoc_requests": AdhocRequest.objects.filter(user=request.user)
            .select_related("topic", "helper__profile")
            .order_by("-created_at")[:10],
        },
    )


def _match_view(match: Match, user) -> dict:
    as_mentor = match.mentor.user_id == user.pk
    other = match.protege if as_mentor else match.mentor
    mine_accepted = match.mentor_accepted_at if as_mentor else match.protege_accepted_at
    profile = other.user.profile
    facts = [profile.job_title, profile.department, profile.location]
    return {
        "match": match,
        "other_facts": [str(f) for f in facts if f],
        "as_mentor": as_mentor,
        "other": other,
        "other_profile": other.user.profile,
        "can_answer": match.status == Match.Status.OFFERED and not mine_accepted,
        "waiting_for_other": match.status == Match.Status.OFFERED and bool(mine_accepted),
        "my_enrolment": match.mentor if as_mentor else match.protege,
    }


def _visible_match(request, pk: int) -> Match:
    match = get_object_or_404(
        Match.objects.select_related(
            "programme",
            "mentor__user__profile__department",
            "mentor__user__profile__location",
            "protege__user__profile__department",
            "protege__user__profile__location",
        ),
        pk=pk,
    )
    if not permissions.can_view_match(request.user, match):
        raise Http404(_("No such match"))
    return match


@login_required
def match_detail(request, pk: int):
    match = _visible_match(request, pk)
    meetings = list(match.meetings.all())
    unrecorded = match.programme.offline_unrecorded
    relationship = relationship_selectors.match_relationship(match, request.user, meetings)
    agreement = relationship["relationship"] and relationship["relationship"]["agreement"]
    return TemplateResponse(
        request,
        "mentoring/match.html",
        {
            **_match_view(match, request.user),
            **relationship,
            "agreement_form": AgreementForm(instance=agreement) if agreement else None,
            "goal_form": GoalForm(unrecorded=unrecorded),
            "schedule_form": MeetingScheduleForm(unrecorded=unrecorded),
            "note_form": NoteForm(),
            "meetings": meetings,
            "decline_form": DeclineForm(),
            "meeting_form": MeetingForm(match=match, initial={"met_on": timezone.localdate()}),
            "availability_form": AvailabilityForm(
                initial={"unavailable": match.mentor.unavailable}
            ),
        },
    )


@login_required
@require_POST
def match_accept(request, pk: int):
    match = _visible_match(request, pk)
    try:
        services.match_accept(match=match, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("You accepted. The match starts once you have both said yes."))
    return redirect(match)


@login_required
@require_POST
def match_decline(request, pk: int):
    match = _visible_match(request, pk)
    form = DeclineForm(request.POST)
    unavailable = form.cleaned_data["unavailable"] if form.is_valid() else ""
    try:
        services.match_decline(match=match, user=request.user, unavailable=unavailable)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Declined. Thank you for answering."))
    return redirect("mentoring:mine")


@login_required
@require_POST
def match_complete(request, pk: int):
    match = _visible_match(request, pk)
    try:
        services.match_complete(match=match, user=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Marked as completed. Thank you both."))
    return redirect(match)


@login_required
@require_POST
def meeting_add(request, pk: int):
    match = _visible_match(request, pk)
    form = MeetingForm(request.POST, match=match)
    if form.is_valid():
        try:
            services.meeting_record(
                match=match,
                user=request.user,
                met_on=form.cleaned_data["met_on"],
                notes=form.cleaned_data.get("notes", ""),
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("The meeting is recorded."))
    elif "met_on" in form.errors and request.POST.get("met_on"):
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        messages.error(request, _("Give the date you met."))
    return redirect(match)


@login_required
@require_POST
def availability(request, pk: int):
    enrolment = get_object_or_404(Enrolment, pk=pk, user=request.user)
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        services.enrolment_set_availability(
            enrolment=enrolment, user=request.user, unavailable=form.cleaned_data["unavailable"]
        )
        messages.success(request, _("Availability saved."))
    fallback = reverse("mentoring:mine")
    return redirect(safe_next_url(request, request.POST.get("next", ""), fallback))


@login_required
@require_POST
def withdraw(request, pk: int):
    enrolment = get_object_or_404(Enrolment, pk=pk, user=request.user)
    services.enrolment_withdraw(enrolment=enrolment, user=request.user)
    messages.success(
        request, _("You have left %(programme)s.") % {"programme": enrolment.programme.name}
    )
    return redirect("mentoring:mine")


@login_required
def adhoc_new(request):
    form = AdhocRequestForm(
        request.POST if request.method == "POST" else None,
        initial={"topic": request.GET.get("topic")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            ask = services.adhoc_request_create(
                user=request.user,
                topic=form.cleaned_data["topic"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            size = selectors.willing_mentor_ids(topic_id=ask.topic_id).exclude(pk=request.user.pk)
            n = size.count()
            messages.success(
                request,
                ngettext(
                    "Sent to %(count)s person willing to mentor in %(topic)s.",
                    "Sent to %(count)s people willing to mentor in %(topic)s.",
                    n,
                )
                % {"count": n, "topic": ask.topic.name},
            )
            return redirect(ask)
    return TemplateResponse(request, "mentoring/adhoc_new.html", {"form": form})


def _visible_ask(request, pk: int) -> AdhocRequest:
    """A request for a mentor, for its author, its helper, the people it was sent to (willing
    mentors in its topic) and coordinators; 404 for everyone else."""
    ask = get_object_or_404(
        AdhocRequest.objects.select_related("user__profile", "topic", "helper__profile"), pk=pk
    )
    if not permissions.can_view_adhoc_request(request.user, ask):
        raise Http404(_("No such request"))
    return ask


@login_required
def adhoc_detail(request, pk: int):
    ask = _visible_ask(request, pk)
    return TemplateResponse(request, "mentoring/adhoc.html", {"ask": ask})


@login_required
@require_POST
def adhoc_help(request, pk: int):
    ask = _visible_ask(request, pk)
    try:
        services.adhoc_request_answer(request=ask, helper=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Thank you: they have your name and will get in touch."))
    return redirect(ask)


@login_required
@require_POST
def adhoc_volunteer(request):
    form = AdhocVolunteerForm(request.POST)
    if form.is_valid():
        services.adhoc_volunteer_set(user=request.user, topics=form.cleaned_data["topics"])
        messages.success(request, _("Your ad-hoc mentoring topics are saved."))
    return redirect("mentoring:mine")
