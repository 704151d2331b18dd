"""Reads of a pair's relationship and of a programme's outcomes, in fixed query counts."""

from datetime import timedelta
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, Exists, FloatField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from ..models import Agreement, CheckIn, Enrolment, Goal, Match, MatchNote, Meeting, Programme
from .services import goal_suggestions

# An active match with no meeting for this long (and started at least this long ago) stalls.


def match_relationship(match: Match, user, meetings: list[Meeting]) -> dict:
    """What the match page shows of the relationship to one of its two people."""
    as_mentor = match.mentor.user_id == user.pk
    side = Enrolment.Role.MENTOR if as_mentor else Enrolment.Role.PROTEGE
    started = match.status in (Match.Status.ACTIVE, Match.Status.COMPLETED)
    if not started:
        return {"relationship": None}
    agreement = Agreement.objects.filter(match=match).first()
    unrecorded = match.programme.offline_unrecorded
    notes = (
        []
        if unrecorded
        else list(
            MatchNote.objects.filter(match=match)
            .filter(Q(shared=True) | Q(author=user))
            .select_related("author__profile")
        )
    )
    checkins = list(CheckIn.objects.filter(match=match, user=user))
    pending = [c for c in checkins if c.answered_at is None]
    already_mentor = (
        not as_mentor
        and match.status == Match.Status.COMPLETED
        and Enrolment.objects.filter(
            programme_id=match.programme_id, user=user, role=Enrolment.Role.MENTOR
        ).exists()
    )
    now = timezone.now()
    return {
        "relationship": {
            "agreement": agreement,
            "agreed_by_me": bool(agreement and getattr(agreement, f"{side}_agreed_at")),
            "extend_asked_by_me": bool(agreement and getattr(agreement, f"{side}_extend_at")),
            "extend_asked_by_other": bool(
                agreement
                and getattr(
                    agreement,
                    "protege_extend_at" if as_mentor else "mentor_extend_at",
                )
            ),
            "goals": list(Goal.objects.filter(match=match)),
            "goal_suggestions": [] if unrecorded else goal_suggestions(match),
            "notes": notes,
            "pending_checkins": pending,
            "can_become_mentor": (
                not as_mentor and match.status == Match.Status.COMPLETED and not already_mentor
            ),
            "already_mentor": already_mentor,
            "upcoming": [m for m in meetings if m.starts_at is not None and m.starts_at > now],
        }
    }


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@cache
def _outcome_figures_sql() -> str:
    tables = {
        "match": Match._meta.db_table,
        "enrolment": Enrolment._meta.db_table,
        "enrolment_topics": Enrolment.topics.through._meta.db_table,
        "goal": Goal._meta.db_table,
        "meeting": Meeting._meta.db_table,
        "checkin": CheckIn._meta.db_table,
    }
    return """
        WITH started AS (
          SELECT m.status, m.started_at,
            (SELECT count(*) FROM {goal} g WHERE g.match_id = m.id) AS goals_set,
            (SELECT count(*) FROM {goal} g
              WHERE g.match_id = m.id AND g.status = %(achieved)s) AS goals_achieved,
            (SELECT count(*) FROM {meeting} mt
              WHERE mt.match_id = m.id AND mt.met_on <= %(today)s) AS meetings,
            (SELECT max(mt.met_on) FROM {meeting} mt
              WHERE mt.match_id = m.id AND mt.met_on <= %(today)s) AS last_met,
            EXISTS (
              SELECT 1 FROM {enrolment} e
              JOIN {enrolment_topics} et ON et.enrolment_id = e.id
              JOIN {enrolment_topics} pt ON pt.topic_id = et.topic_id AND pt.enrolment_id = p.id
              WHERE e.user_id = p.user_id AND e.role = %(mentor)s AND e.created_at > p.created_at
            ) AS became_mentor
          FROM {match} m JOIN {enrolment} p ON p.id = m.protege_id
          WHERE m.programme_id = %(programme)s AND m.status IN (%(active)s, %(completed)s)
        ), answered AS (
          SELECT c.satisfaction, c.would_recommend FROM {checkin} c
          JOIN {match} m ON m.id = c.match_id
          WHERE m.programme_id = %(programme)s AND c.answered_at IS NOT NULL
        )
        SELECT count(*),
          count(*) FILTER (WHERE status = %(completed)s),
          coalesce(sum(goals_set), 0)::bigint,
          coalesce(sum(goals_achieved), 0)::bigint,
          coalesce(sum(meetings), 0)::bigint,
          count(*) FILTER (WHERE became_mentor),
          count(*) FILTER (WHERE status = %(active)s AND started_at < %(stalled_since)s
                           AND (last_met IS NULL OR last_met < %(stalled_before)s)),
          (SELECT avg(satisfaction)::float8 FROM answered),
          (SELECT count(*) FROM answered),
          (SELECT count(*) FROM answered WHERE would_recommend)
        FROM started
    """.format(**tables)  # noqa: S608 - the models' own table names


def programme_outcome_figures(programme: Programme) -> dict:
    """The figures of programme_outcomes() without its rows, for the coordinator's page: one
    query written once (the ORM spent some 15 ms compiling and loading the three that the
    rows take). A test holds the two to the same figures."""
    today = timezone.localdate()
    stalled_after = timedelta(weeks=programme.stalled_after_weeks)
    with connection.cursor() as cursor:
        cursor.execute(
            _outcome_figures_sql(),
            {
                "programme": programme.pk,
                "today": today,
                "achieved": Goal.Status.ACHIEVED,
                "mentor": Enrolment.Role.MENTOR,
                "active": Match.Status.ACTIVE,
                "completed": Match.Status.COMPLETED,
                "stalled_since": timezone.now() - stalled_after,
                "stalled_before": today - stalled_after,
            },
        )
        row = cursor.fetchone()
    started, completed, goals_set, goals_achieved, meetings, became_mentor, stalled = row[:7]
    satisfaction, answers, recommend = row[7:]
    return {
        "started": started,
        "completed": completed,
        "completion_rate": _rate(completed, started),
        "goals_set": goals_set,
        "goals_achieved": goals_achieved,
        "meetings_per_match": round(meetings / started, 1) if started else None,
        "satisfaction": round(satisfaction, 1) if answers else None,
        "answers": answers,
        "recommend_rate": _rate(recommend, answers),
        "became_mentor": became_mentor,
        "conversion_rate": _rate(became_mentor, started),
        "stalled": stalled,
    }


# What the outcomes' rows show of a match and its two people.
_OUTCOME_COLUMNS = (
    "status",
    "started_at",
    "agreement__ends_on",
    *(
        f"{side}__{column}"
        for side in ("mentor", "protege")
        for column in ("user__first_name", "user__last_name", "user__profile__display_name")
    ),
    "protege__user_id",
    "protege__created_at",
)


def _matches_with_outcomes(programme: Programme) -> QuerySet[Match]:
    """The programme's started matches with each figure of their row read by a subquery of
    its own: a figure taken from a join (the last meeting's date, a Max over the meetings)
    grouped the rows by every column of the six tables the rows join, which cost more than
    the rest of the export; and only the columns the rows show."""
    today = timezone.localdate()
    goals = Goal.objects.filter(match=OuterRef("pk"))
    held = Meeting.objects.filter(match=OuterRef("pk"), met_on__lte=today)
    became_mentor = Enrolment.objects.filter(
        user=OuterRef("protege__user"),
        role=Enrolment.Role.MENTOR,
        created_at__gt=OuterRef("protege__created_at"),
        topics__mentoring_enrolments=OuterRef("protege"),
    )
    return (
        Match.objects.filter(
            programme=programme, status__in=[Match.Status.ACTIVE, Match.Status.COMPLETED]
        )
        .select_related("mentor__user__profile", "protege__user__profile", "agreement")
        .only(*_OUTCOME_COLUMNS)
        .annotate(
            goals_set=_count(goals),
            goals_achieved=_count(goals.filter(status=Goal.Status.ACHIEVED)),
            meetings_held=_count(held),
            last_met=Subquery(
                held.order_by().values("match").annotate(last=Max("met_on")).values("last")
            ),
            became_mentor=Exists(became_mentor),
            # The mean of the match's answered check-ins, a float as Avg() of whole numbers is.
            satisfaction=Subquery(
                CheckIn.objects.filter(match=OuterRef("pk"), answered_at__isnull=False)
                .order_by()
                .values("match")
                .annotate(mean=Cast(Avg("satisfaction"), FloatField()))
                .values("mean")
            ),
        )
        .order_by("started_at", "id")
    )


def _count(queryset: QuerySet):
    from django.db.models import IntegerField, Subquery, Value
    from django.db.models.functions import Coalesce

    counted = queryset.order_by().values("match").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def programme_outcomes(programme: Programme) -> dict:
    """Per programme: goals set and achieved, meetings per match, satisfaction, completion,
    protégé→mentor conversion and stalled matches, with one row per started match.

    Two queries whatever the number of matches.
    """
    now = timezone.now()
    today = timezone.localdate()
    matches = list(_matches_with_outcomes(programme))
    overall = CheckIn.objects.filter(
        match__programme=programme, answered_at__isnull=False
    ).aggregate(
        satisfaction=Avg("satisfaction"),
        answers=Count("id"),
        recommend=Count("id", filter=Q(would_recommend=True)),
    )
    # The same rule as the stalled nudge and the coordinator's list (mentoring/nudges.py):
    # no meeting for the programme's `stalled_after_weeks`.
    stalled_after = timedelta(weeks=programme.stalled_after_weeks)
    stalled_before = today - stalled_after
    rows = []
    for match in matches:  # annotated by _matches_with_outcomes
        annotated: Any = match
        stalled = (
            match.status == Match.Status.ACTIVE
            and match.started_at is not None
            and match.started_at < now - stalled_after
            and (annotated.last_met is None or annotated.last_met < stalled_before)
        )
        rows.append(
            {
                "match": match,
                "mentor": match.mentor.user.profile.name,
                "protege": match.protege.user.profile.name,
                "status": match.get_status_display(),
                "started_on": timezone.localdate(match.started_at) if match.started_at else None,
                "ends_on": getattr(getattr(match, "agreement", None), "ends_on", None),
                "goals_set": annotated.goals_set,
                "goals_achieved": annotated.goals_achieved,
                "meetings": annotated.meetings_held,
                "satisfaction": annotated.satisfaction,
                "stalled": stalled,
                "became_mentor": annotated.became_mentor,
            }
        )
    started = len(rows)
    completed = sum(1 for m in matches if m.status == Match.Status.COMPLETED)
    answers = overall["answers"]
    return {
        "rows": rows,
        "started": started,
        "completed": completed,
        "completion_rate": round(100 * completed / started) if started else None,
        "goals_set": sum(r["goals_set"] for r in rows),
        "goals_achieved": sum(r["goals_achieved"] for r in rows),
        "meetings_per_match": round(sum(r["meetings"] for r in rows) / started, 1)
        if started
        else None,
        "satisfaction": round(overall["satisfaction"], 1) if answers else None,
        "answers": answers,
        "recommend_rate": round(100 * overall["recommend"] / answers) if answers else None,
        "became_mentor": sum(1 for r in rows if r["became_mentor"]),
        "conversion_rate": round(100 * sum(1 for r in rows if r["became_mentor"]) / started)
        if started
        else None,
        "stalled": sum(1 for r in rows if r["stalled"]),
    }
