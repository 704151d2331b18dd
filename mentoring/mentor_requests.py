"""Requesting a named colleague as mentor, from their profile.

Mentoring happens inside programmes, so this page shows where the person mentors and, for
each programme, the next step for the reader: request them (self-service programmes where
the reader is an enrolled protégé, through the programme's own request flow), enrol as a
protégé first, or wait for the coordinator's matching. Outside any programme the reader can
ask for a mentor on a topic."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from socialearn.people.models import person_name
from socialearn.people.templatetags.people_tags import person_chip_html

from .forms import RequestForm
from .models import Enrolment, Programme


@login_required
def request_person(request, user_id: int):
    person = get_object_or_404(
        get_user_model().objects.select_related("profile"), pk=user_id, is_active=True
    )
    mentor_enrolments = list(
        Enrolment.objects.filter(
            user=person, role=Enrolment.Role.MENTOR, status=Enrolment.Status.ACTIVE
        )
        .select_related("programme")
        .prefetch_related("topics")
        .order_by("programme__name", "pk")[:20]
    )
    mine = dict(
        Enrolment.objects.filter(
            user=request.user,
            role=Enrolment.Role.PROTEGE,
            status=Enrolment.Status.ACTIVE,
            programme__in=[e.programme_id for e in mentor_enrolments],
        ).values_list("programme_id", "pk")
    )
    today = timezone.localdate()
    options = []
    for enrolment in mentor_enrolments:
        programme = enrolment.programme
        self_service = programme.matching_mode == Programme.MatchingMode.SELF_SERVICE
        if person.pk == request.user.pk:
            step = "self"
        elif programme.pk in mine and self_service:
            step = "request"
        elif programme.pk in mine:
            step = "matching"
        elif programme.enrolment_opens_on <= today <= programme.enrolment_closes_on:
            step = "enrol"
        else:
            step = "closed"
        options.append(
            {
                "enrolment": enrolment,
                "programme": programme,
                "step": step,
                "form": RequestForm(programme=programme) if step == "request" else None,
                "full": not enrolment.is_available,
            }
        )
    return TemplateResponse(
        request,
        "mentoring/request_person.html",
        {
            "person": person,
            "name": person_name(person),
            # Rendered here so the sentence around it stays one translatable string.
            "chip": person_chip_html(person),
            "options": options,
        },
    )
