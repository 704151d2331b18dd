"""Every write of a pair's relationship, one function per use case.

An offline and unrecorded programme keeps dates, statuses and survey scores only: every
function here drops the words (goal titles, agendas, notes, survey comments) before they
reach the database, under the programme's row lock, as `meeting_record` does.
"""

from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialearn.insights.services import activity_record
from socialearn.notifications.services import notify
from socialearn.outbox.services import message_add
from socialearn.recipient_languages import each_language

from ..models import Agreement, CheckIn, Enrolment, Goal, Match, MatchNote, Meeting, Programme

MEETING_INVITE = "mentoring_meeting_invite"
# Check-ins go out within these local hours of each person, never at night.
CHECKIN_HOURS = range(9, 17)


def _side(match: Match, user) -> str:
    if user.pk == match.mentor.user_id:
        return Enrolment.Role.MENTOR
    if user.pk == match.protege.user_id:
        return Enrolment.Role.PROTEGE
    raise PermissionDenied(_("Only the two people matched can do this."))


def _other_user_id(match: Match, side: str) -> int:
    return match.protege.user_id if side == Enrolment.Role.MENTOR else match.mentor.user_id


def _unrecorded(match: Match) -> bool:
    """Read under the programme's lock: a switch to unrecorded forgets words in one go."""
    return (
        Programme.objects.select_for_update()
        .values_list("offline_unrecorded", flat=True)
        .get(pk=match.programme_id)
    )


def _require_started(match: Match) -> None:
    if match.status not in (Match.Status.ACTIVE, Match.Status.COMPLETED):
        raise ValidationError(_("This match has not started."))


def _require_active(match: Match) -> None:
    if match.status != Match.Status.ACTIVE:
        raise ValidationError(_("Only an active match can change this."))


def frequency_from_rhythm(rhythm: str) -> str:
    """The programme's rhythm in words, read as one of the agreement's frequencies."""
    words = rhythm.lower()
    if "month" in words:
        return Agreement.Frequency.MONTHLY
    if "two week" in words or "fortnight" in words or "2 week" in words:
        return Agreement.Frequency.FORTNIGHTLY
    if "week" in words:
        return Agreement.Frequency.WEEKLY
    return Agreement.Frequency.FORTNIGHTLY


# The agreement.


def relationship_start(*, match: Match) -> Agreement:
    """Called as a match becomes active: its agreement, prefilled from the programme."""
    programme = match.programme
    started = timezone.localdate(match.started_at or timezone.now())
    agreement, _created = Agreement.objects.get_or_create(
        match=match,
        defaults={
            "frequency": frequency_from_rhythm(programme.rhythm),
            "weeks": programme.commitment_weeks,
            "ends_on": started + timedelta(weeks=programme.commitment_weeks),
        },
    )
    return agreement


@transaction.atomic
def agreement_update(
    *, match: Match, user, frequency: str, mode: str, meeting_minutes: int, weeks: int
) -> Agreement:
    """One side proposes (or confirms) how the pair meets; a change asks the other again."""
    side = _side(match, user)
    _require_active(match)
    agreement = Agreement.objects.select_for_update().get(match=match)
    changed = (agreement.frequency, agreement.mode, agreement.meeting_minutes, agreement.weeks) != (
        frequency,
        mode,
        meeting_minutes,
        weeks,
    )
    agreement.frequency = frequency
    agreement.mode = mode
    agreement.meeting_minutes = meeting_minutes
    if weeks != agreement.weeks:
        agreement.ends_on += timedelta(weeks=weeks - agreement.weeks)
        agreement.weeks = weeks
    agreement.full_clean(exclude=["match"])
    if agreement.ends_on <= timezone.localdate():
        raise ValidationError({"weeks": _("That length would end the match before today.")})
    now = timezone.now()
    if changed:
        agreement.mentor_agreed_at = agreement.protege_agreed_at = None
    setattr(agreement, f"{side}_agreed_at", now)
    agreement.save()
    if not agreement.is_agreed:
        for ids in each_language([_other_user_id(match, side)]):
            notify(
                recipients=ids,
                kind="mentoring_agreement",
                title=_("%(name)s proposes how you meet: please confirm")
                % {"name": user.profile.name},
                url=match.get_absolute_url(),
            )
    return agreement


@transaction.atomic
def match_extend(*, match: Match, user) -> Agreement:
    """Ask to go on past the commitment's end; when both have asked, it moves on."""
    side = _side(match, user)
    _require_active(match)
    agreement = Agreement.objects.select_for_update().get(match=match)
    setattr(agreement, f"{side}_extend_at", timezone.now())
    if agreement.mentor_extend_at and agreement.protege_extend_at:
        agreement.ends_on += timedelta(weeks=Agreement.EXTENSION_WEEKS)
        agreement.extensions += 1
        agreement.mentor_extend_at = agreement.protege_extend_at = None
        for ids in each_language([_other_user_id(match, side)]):
            notify(
                recipients=ids,
                kind="mentoring_extended",
                title=_("Your mentoring goes on until %(date)s")
                % {"date": date_format(agreement.ends_on, _("j F Y"))},
                url=match.get_absolute_url(),
            )
    else:
        for ids in each_language([_other_user_id(match, side)]):
            notify(
                recipients=ids,
                kind="mentoring_extend_asked",
                title=ngettext(
                    "%(name)s would like to go on for %(weeks)s more week",
                    "%(name)s would like to go on for %(weeks)s more weeks",
                    Agreement.EXTENSION_WEEKS,
                )
                % {"name": user.profile.name, "weeks": Agreement.EXTENSION_WEEKS},
                url=match.get_absolute_url(),
            )
    agreement.save()
    return agreement


def matches_end_due(*, now: datetime | None = None) -> int:
    """End the active matches whose commitment is over and that nobody extended."""
    from .. import services as mentoring_services

    now = now or timezone.now()
    today = timezone.localdate(now)
    ended = 0
    with transaction.atomic():
        due = list(
            Match.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=Match.Status.ACTIVE, agreement__ends_on__lte=today)
            .select_related("mentor__user", "protege__user", "programme")[:500]
        )
        for match in due:
            mentoring_services.match_end(match=match, now=now)
            ended += 1
    return ended


# Goals.


def goal_suggestions(match: Match) -> list[str]:
    """Goals to start from: the programme's (one per line or bullet) and the protégé's own."""
    lines = []
    for text in (match.programme.goals, match.protege.goals):
        for line in text.splitlines():
            line = line.strip().lstrip("-*•").strip()
            if 3 <= len(line) <= 200 and line not in lines:
                lines.append(line)
    return lines[:12]


@transaction.atomic
def goal_add(
    *, match: Match, user, title: str, target_on: date, source: str = Goal.Source.PROTEGE
) -> Goal:
    side = _side(match, user)
    _require_active(match)
    if _unrecorded(match):
        title = ""  # the pair keeps the words offline; the platform tracks date and status
    elif not title.strip():
        raise ValidationError({"title": _("Say what the goal is.")})
    if target_on <= timezone.localdate():
        raise ValidationError({"target_on": _("Choose a target date after today.")})
    goal = Goal(
        match=match, title=title.strip(), target_on=target_on, source=source, created_by=user
    )
    goal.full_clean(exclude=["match", "created_by"])
    goal.save()
    activity_record(
        verb="mentoring_goal_set",
        actor=user,
        programme_id=match.programme_id,
        object_type="goal",
        object_id=goal.pk,
    )
    for ids in each_language([_other_user_id(match, side)]):
        notify(
            recipients=ids,
            kind="mentoring_goal",
            title=_("%(name)s added a goal to your mentoring") % {"name": user.profile.name},
            url=match.get_absolute_url(),
        )
    return goal


@transaction.atomic
def goal_set_status(*, goal: Goal, user, status: str) -> Goal:
    match = goal.match
    _side(match, user)
    _require_started(match)
    if status not in Goal.Status.values:
        raise ValidationError(_("Choose progressing or achieved."))
    goal = Goal.objects.select_for_update().get(pk=goal.pk)
    if goal.status == status:
        return goal
    goal.status = status
    goal.achieved_at = timezone.now() if status == Goal.Status.ACHIEVED else None
    goal.save(update_fields=["status", "achieved_at"])
    if status == Goal.Status.ACHIEVED:
        activity_record(
            verb="mentoring_goal_achieved",
            actor=user,
            programme_id=match.programme_id,
            object_type="goal",
            object_id=goal.pk,
        )
    return goal


# Meetings and notes.


@transaction.atomic
def meeting_schedule(
    *, match: Match, user, starts_at: datetime, duration_minutes: int, agenda: str = ""
) -> Meeting:
    """Plan a meeting; both people get an invitation with an ICS file (through the outbox)."""
    side = _side(match, user)
    _require_active(match)
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a time in the future.")})
    if starts_at > timezone.now() + timedelta(days=366):
        raise ValidationError({"starts_at": _("Choose a time within the next year.")})
    if _unrecorded(match):
        agenda = ""
    meeting = Meeting(
        match=match,
        met_on=timezone.localdate(starts_at),
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        agenda=agenda.strip(),
        scheduled_by=user,
    )
    meeting.full_clean(exclude=["match", "scheduled_by"])
    meeting.save()
    message_add(kind=MEETING_INVITE, payload={"meeting_id": meeting.pk})
    for ids in each_language([_other_user_id(match, side)]):
        notify(
            recipients=ids,
            kind="mentoring_meeting",
            title=_("%(name)s planned a mentoring meeting") % {"name": user.profile.name},
            url=match.get_absolute_url(),
        )
    activity_record(
        verb="mentoring_meeting_scheduled",
        actor=user,
        programme_id=match.programme_id,
        object_type="meeting",
        object_id=meeting.pk,
    )
    return meeting


@transaction.atomic
def note_add(
    *, match: Match, user, body: str, shared: bool, meeting: Meeting | None = None
) -> MatchNote:
    """A private note for oneself, or a note shared with the other person."""
    side = _side(match, user)
    _require_started(match)
    if _unrecorded(match):
        raise ValidationError(_("This programme is offline and unrecorded: it keeps no notes."))
    if meeting is not None and meeting.match_id != match.pk:
        raise ValidationError(_("That meeting belongs to another match."))
    note = MatchNote(match=match, meeting=meeting, author=user, shared=shared, body=body.strip())
    note.full_clean(exclude=["match", "meeting", "author"])
    note.save()
    if shared:
        for ids in each_language([_other_user_id(match, side)]):
            notify(
                recipients=ids,
                kind="mentoring_note",
                title=_("%(name)s shared a note with you") % {"name": user.profile.name},
                url=match.get_absolute_url(),
            )
    return note


# Check-ins.


def checkin_due_stage(match: Match, agreement: Agreement, today: date) -> str | None:
    """Which survey a person of this match is due on their local `today`, if any."""
    if match.status == Match.Status.COMPLETED or today >= agreement.ends_on:
        return CheckIn.Stage.END
    if match.status == Match.Status.ACTIVE and today >= agreement.midpoint_on:
        return CheckIn.Stage.MIDPOINT
    return None


def _survey_missing(stage: str) -> Q:
    """One side or the other has not had this stage's survey (each an index lookup on the
    one-survey-per-person-and-stage constraint)."""
    sent = CheckIn.objects.filter(match=OuterRef("pk"), stage=stage)
    return ~Exists(sent.filter(user=OuterRef("mentor__user_id"))) | ~Exists(
        sent.filter(user=OuterRef("protege__user_id"))
    )


def checkins_due(*, now: datetime) -> QuerySet[Match]:
    """The matches that may owe someone a survey at `now`: reached their mid-point or end
    on some person's local date (a day ahead of UTC at most), with a survey of that stage
    missing. Found through the agreement's dates' indexes, never by reading every match."""
    recent = now - timedelta(days=30)
    tomorrow = now.astimezone(UTC).date() + timedelta(days=1)
    end_due = Q(status=Match.Status.COMPLETED, ended_at__gte=recent) | Q(
        status=Match.Status.ACTIVE, agreement__ends_on__lte=tomorrow
    )
    midpoint_due = Q(status=Match.Status.ACTIVE, agreement__midpoint_on__lte=tomorrow)
    return (
        Match.objects.filter(agreement__isnull=False)
        .filter(
            (end_due & _survey_missing(CheckIn.Stage.END))
            | (midpoint_due & _survey_missing(CheckIn.Stage.MIDPOINT))
        )
        .select_related(
            "agreement",
            "programme",
            "mentor__user__profile__location",
            "protege__user__profile__location",
        )
        .prefetch_related("checkins")
        .order_by("pk")
    )


def checkins_send(*, now: datetime | None = None) -> int:
    """The clock: send each side of each match its mid-point and end survey, once each, within
    working hours of that person's own time zone. Safe to run often and on two beats."""
    now = now or timezone.now()
    matches = checkins_due(now=now)
    sent = 0
    for match in matches.iterator(chunk_size=500):
        have = {(c.user_id, c.stage) for c in match.checkins.all()}
        for side, enrolment in (
            (Enrolment.Role.MENTOR, match.mentor),
            (Enrolment.Role.PROTEGE, match.protege),
        ):
            profile = getattr(enrolment.user, "profile", None)
            tz = profile.tz if profile else timezone.get_default_timezone()
            local = now.astimezone(tz)
            if local.hour not in CHECKIN_HOURS:
                continue
            stage = checkin_due_stage(match, match.agreement, local.date())
            if stage is None or (enrolment.user_id, stage) in have:
                continue
            # Past the end, the final survey replaces a mid-point one never sent.
            if _checkin_create(
                match=match, user_id=enrolment.user_id, side=side, stage=stage, now=now
            ):
                sent += 1
    return sent


@transaction.atomic
def _checkin_create(*, match: Match, user_id: int, side: str, stage: str, now: datetime) -> bool:
    """One survey row and its notification; the unique constraint makes a second beat's
    attempt a no-op."""
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                match=match, user_id=user_id, side=side, stage=stage, sent_at=now
            )
    except IntegrityError:
        return False
    final = stage == CheckIn.Stage.END
    for ids in each_language([user_id]):
        notify(
            recipients=ids,
            kind="mentoring_checkin",
            title=(
                _("Your mentoring in %(programme)s has ended: how did it go?")
                if final
                else _("Half-way through your mentoring in %(programme)s: how is it going?")
            )
            % {"programme": match.programme.name},
            body=_("Four short questions, two minutes."),
            url=checkin.get_absolute_url(),
            dedupe_key=f"mentoring-checkin-{match.pk}-{user_id}-{stage}",
            send_email=True,
        )
    return True


@transaction.atomic
def checkin_answer(
    *,
    checkin: CheckIn,
    user,
    satisfaction: int,
    goal_progress: str,
    would_recommend: bool,
    comment: str = "",
) -> CheckIn:
    if checkin.user_id != user.pk:
        raise PermissionDenied(_("Only the person asked answers this survey."))
    checkin = CheckIn.objects.select_for_update().select_related("match").get(pk=checkin.pk)
    if checkin.answered_at:
        raise ValidationError(_("You have answered this survey already. Thank you."))
    if _unrecorded(checkin.match):
        comment = ""
    checkin.satisfaction = satisfaction
    checkin.goal_progress = goal_progress
    checkin.would_recommend = would_recommend
    checkin.comment = comment.strip()
    checkin.answered_at = timezone.now()
    checkin.full_clean(exclude=["match", "user"])
    checkin.save()
    activity_record(
        verb="mentoring_checkin_answered",
        actor=user,
        programme_id=checkin.match.programme_id,
        object_type="checkin",
        object_id=checkin.pk,
        extra={
            "stage": checkin.stage,
            "satisfaction": satisfaction,
            "would_recommend": would_recommend,
        },
    )
    return checkin


# From protégé to mentor.


@transaction.atomic
def protege_become_mentor(*, match: Match, user) -> Enrolment:
    """At the end of a match, the protégé enrols as a mentor in the same topics.

    The programme's enrolment window does not apply (this is an invitation at the end of a
    match), its rules for mentors do.
    """
    from ..services import eligibility_problems, scoreboard_changed

    if _side(match, user) != Enrolment.Role.PROTEGE:
        raise PermissionDenied(_("Only the protégé is offered this."))
    match = Match.objects.select_related("programme", "protege").get(pk=match.pk)
    if match.status != Match.Status.COMPLETED:
        raise ValidationError(_("This is offered once your mentoring has ended."))
    programme = match.programme
    if Enrolment.objects.filter(
        programme=programme, user=user, role=Enrolment.Role.MENTOR
    ).exists():
        raise ValidationError(_("You are already a mentor in this programme."))
    problems = eligibility_problems(
        programme=programme,
        profile=getattr(user, "profile", None),
        role=Enrolment.Role.MENTOR,
    )
    if problems:
        raise ValidationError(problems)
    topic_ids = sorted(match.protege.topics.values_list("pk", flat=True))
    enrolment = Enrolment.objects.create(
        programme=programme,
        user=user,
        role=Enrolment.Role.MENTOR,
        capacity=programme.default_mentor_capacity,
    )
    enrolment.topics.set(topic_ids)
    scoreboard_changed()
    activity_record(
        verb="mentor_enrolled",
        actor=user,
        programme_id=programme.pk,
        topic_ids=topic_ids,
        object_type="enrolment",
        object_id=enrolment.pk,
        extra={"from_protege_match": match.pk},
    )
    for ids in each_language(programme.coordinators.values_list("pk", flat=True)):
        notify(
            recipients=ids,
            kind="mentoring_new_mentor",
            title=_("%(name)s finished as a protégé and now mentors in %(programme)s")
            % {"name": user.profile.name, "programme": programme.name},
            url=reverse("mentoring:coordinate", args=[programme.pk]),
        )
    return enrolment
