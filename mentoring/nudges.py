"""The mentoring nudge: an active pair with no meeting logged for the programme's weeks."""

from datetime import date, datetime, timedelta
from typing import cast

from django.db.models import (
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from socialearn.nudges.registry import Candidate, Rule, register
from socialearn.recipient_languages import languages_of

from .models import Match, Meeting

WEEK = timedelta(days=7)


def stalled_matches(today: date) -> QuerySet:
    """Active matches whose last meeting (or start, before any) is the programme's
    `stalled_after_weeks` or more ago, each annotated with `quiet_since`."""
    last_met = (
        Meeting.objects.filter(match_id=OuterRef("pk"))
        .order_by()
        .values("match_id")
        .annotate(last=Max("met_on"))
        .values("last")
    )
    return (
        Match.objects.filter(status=Match.Status.ACTIVE, ended_at__isnull=True)
        .annotate(
            quiet_since=Coalesce(
                Subquery(last_met, output_field=DateField()),
                Cast("started_at", DateField()),
                Cast("created_at", DateField()),
            ),
            stalled_from=ExpressionWrapper(
                Value(today)
                - F("programme__stalled_after_weeks") * Value(WEEK, output_field=DurationField()),
                output_field=DateField(),
            ),
        )
        .filter(quiet_since__lte=F("stalled_from"))
    )


def stalled(now: datetime):
    rows = (
        stalled_matches(now.date())
        .filter(Q(mentor__user__is_active=True) | Q(protege__user__is_active=True))
        .values_list(
            "pk",
            "programme_id",
            "programme__name",
            "mentor__user_id",
            "protege__user_id",
            "quiet_since",
        )
    )
    found = list(rows)
    languages = languages_of({person for row in found for person in (row[3], row[4])})
    for match_id, programme_id, programme, mentor_id, protege_id, quiet_since in found:
        url = reverse("mentoring:match", args=[match_id]) + "#meetings"
        weeks = max((now.date() - quiet_since).days // 7, 1)
        for person_id in (mentor_id, protege_id):
            with translation.override(languages[person_id]):  # written in the reader's language
                title = ngettext(
                    "No mentoring meeting for %(weeks)s week: log one or plan the next",
                    "No mentoring meeting for %(weeks)s weeks: log one or plan the next",
                    weeks,
                ) % {"weeks": weeks}
                body = _("%(programme)s: a short conversation keeps the pair going.") % {
                    "programme": programme
                }
            yield Candidate(
                person_id=person_id,
                cause=f"mentoring:stalled:{match_id}:{quiet_since.isoformat()}",
                title=title,
                body=body,
                url=url,
                subject={"programme_id": programme_id, "object_id": match_id},
            )


register(
    Rule(
        name="mentoring.stalled",
        label=cast(str, gettext_lazy("My mentoring pair has not met for weeks")),
        description=cast(
            str, gettext_lazy("When no meeting has been logged for the weeks the programme sets.")
        ),
        find=stalled,
        kind="nudge_mentoring_stalled",
        action=cast(str, gettext_lazy("Log a meeting or schedule one")),
        follow_verbs=("meeting_logged",),
        priority=70,
    )
)
