"""The pair's pages and forms after the match, and the programme's outcomes as CSV."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import Agreement, CheckIn, Goal, Meeting
from ..views import _coordinated, _csv_safe, _error_text, _visible_match
from . import selectors, services
from .forms import (
    AgreementForm,
    CheckInForm,
    GoalForm,
    GoalStatusForm,
    MeetingScheduleForm,
    NoteForm,
)
from .ics import meeting_calendar


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _report(request, call, success: str) -> None:
    try:
        call()
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)


@login_required
@require_POST
def agreement(request, pk: int):
    match = _visible_match(request, pk)
    instance = get_object_or_404(Agreement, match=match)
    form = AgreementForm(request.POST, instance=Agreement.objects.get(pk=instance.pk))
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(match)
    _report(
        request,
        lambda: services.agreement_update(match=match, user=request.user, **form.cleaned_data),
        _("Saved. It is agreed once you have both confirmed it."),
    )
    return redirect(match)


@login_required
@require_POST
def goal_add(request, pk: int):
    match = _visible_match(request, pk)
    form = GoalForm(request.POST, unrecorded=match.programme.offline_unrecorded)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(match)
    _report(
        request,
        lambda: services.goal_add(
            match=match,
            user=request.user,
            title=form.cleaned_data.get("title", ""),
            target_on=form.cleaned_data["target_on"],
            source=form.cleaned_data["source"],
        ),
        _("Goal added."),
    )
    return redirect(match)


@login_required
@require_POST
def goal_status(request, pk: int):
    goal = get_object_or_404(Goal.objects.select_related("match"), pk=pk)
    match = _visible_match(request, goal.match_id)
    form = GoalStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose progressing or achieved."))
        return redirect(match)
    goal.match = match
    _report(
        request,
        lambda: services.goal_set_status(
            goal=goal, user=request.user, status=form.cleaned_data["status"]
        ),
        _("Goal updated."),
    )
    return redirect(match)


@login_required
@require_POST
def meeting_schedule(request, pk: int):
    match = _visible_match(request, pk)
    form = MeetingScheduleForm(request.POST, unrecorded=match.programme.offline_unrecorded)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(match)
    _report(
        request,
        lambda: services.meeting_schedule(
            match=match,
            user=request.user,
            starts_at=form.cleaned_data["starts_at"],
            duration_minutes=form.cleaned_data["duration_minutes"],
            agenda=form.cleaned_data.get("agenda", ""),
        ),
        _("Meeting planned: you both get an invitation for your calendar."),
    )
    return redirect(match)


@login_required
def meeting_ics(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.filter(starts_at__isnull=False), pk=pk)
    match = _visible_match(request, meeting.match_id)
    meeting.match = match
    response = HttpResponse(meeting_calendar(meeting), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="mentoring-{meeting.pk}.ics"'
    return response


@login_required
@require_POST
def note_add(request, pk: int):
    match = _visible_match(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(match)
    _report(
        request,
        lambda: services.note_add(
            match=match,
            user=request.user,
            body=form.cleaned_data["body"],
            shared=form.cleaned_data["shared"],
        ),
        _("Note saved."),
    )
    return redirect(match)


@login_required
@require_POST
def extend(request, pk: int):
    match = _visible_match(request, pk)
    _report(
        request,
        lambda: services.match_extend(match=match, user=request.user),
        _("Noted: it goes on once you have both asked."),
    )
    return redirect(match)


@login_required
@require_POST
def become_mentor(request, pk: int):
    match = _visible_match(request, pk)
    _report(
        request,
        lambda: services.protege_become_mentor(match=match, user=request.user),
        _("Welcome, mentor: the coordinators know, and you will be proposed to protégés."),
    )
    return redirect(match)


@login_required
def checkin(request, pk: int):
    survey = get_object_or_404(
        CheckIn.objects.select_related(
            "match__programme", "match__mentor__user__profile", "match__protege__user__profile"
        ),
        pk=pk,
    )
    if survey.user_id != request.user.pk:
        raise Http404(_("No such survey"))
    unrecorded = survey.match.programme.offline_unrecorded
    form = CheckInForm(request.POST or None, unrecorded=unrecorded)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_answer(checkin=survey, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Thank you: your answers help the next pairs."))
            return redirect(survey.match)
    return TemplateResponse(
        request,
        "mentoring/checkin.html",
        {"survey": survey, "form": form, "match": survey.match, "unrecorded": unrecorded},
    )


@login_required
def outcomes_csv(request, pk: int):
    programme = _coordinated(request, pk)
    outcomes = selectors.programme_outcomes(programme)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{programme.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            # Column headings for the coordinator who opens the file, in their language.
            _("mentor"),
            _("protégé"),
            _("status"),
            _("started"),
            _("ends"),
            _("goals set"),
            _("goals achieved"),
            _("meetings"),
            _("satisfaction"),
            _("stalled"),
            _("protégé became mentor"),
        ]
    )
    for row in outcomes["rows"]:
        writer.writerow(
            _csv_safe(
                [
                    row["mentor"],
                    row["protege"],
                    row["status"],
                    row["started_on"] or "",
                    row["ends_on"] or "",
                    row["goals_set"],
                    row["goals_achieved"],
                    row["meetings"],
                    "" if row["satisfaction"] is None else f"{row['satisfaction']:.1f}",
                    _("yes") if row["stalled"] else _("no"),
                    _("yes") if row["became_mentor"] else _("no"),
                ]
            )
        )
    return response
