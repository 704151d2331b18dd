"""The mentoring nudge: an active pair with no meeting logged for the programme's weeks."""

from datetime import date, datetime, timedelta

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

from socialearn.nudges.registry import Candidate, Rule, register

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
    for match_id, programme_id, programme, mentor_id, protege_id, quiet_since in rows:
        url = reverse("mentoring:match", args=[match_id]) + "#meetings"
        weeks = max((now.date() - quiet_since).days // 7, 1)
        for person_id in (mentor_id, protege_id):
            yield Candidate(
                person_id=person_id,
                cause=f"mentoring:stalled:{match_id}:{quiet_since.isoformat()}",
                title=f"No mentoring meeting for {weeks} weeks: log one or plan the next",
                body=f"{programme}: a short conversation keeps the pair going.",
                url=url,
                subject={"programme_id": programme_id, "object_id": match_id},
            )


register(
    Rule(
        name="mentoring.stalled",
        label="My mentoring pair has not met for weeks",
        description="When no meeting has been logged for the weeks the programme sets.",
        find=stalled,
        kind="nudge_mentoring_stalled",
        action="Log a meeting or schedule one",
        follow_verbs=("meeting_logged",),
        priority=70,
    )
)
