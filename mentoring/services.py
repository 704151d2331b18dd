"""Every mentoring write: programmes, enrolments, matching runs, matches, ad-hoc asks."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialearn import generations, limits
from socialearn.insights.services import activity_record, scope_upsert
from socialearn.notifications.services import notify, notify_audience
from socialearn.outbox.services import task_after_commit
from socialearn.people import evidence as people_evidence
from socialearn.people.models import Profile, Topic
from socialearn.recipient_languages import each_language, in_language_of

from . import matching, permissions, selectors
from .models import (
    AdhocRequest,
    AdhocVolunteer,
    CheckIn,
    Enrolment,
    Goal,
    ManagesPeople,
    Match,
    MatchingRun,
    MatchNote,
    Meeting,
    Programme,
)
from .reasons import reason_text
from .relationship.services import relationship_start

INLINE_MATCHING_MAX = 600  # enrolments; bigger programmes are matched in a Celery worker


def scoreboard_changed() -> None:
    """Enrolments, matches and programmes are what the recruitment scoreboard counts: its
    kept copy (selectors.scoreboard_kept) is computed afresh after this transaction."""
    generations.bump(selectors.SCOREBOARD_GENERATION)


def touch_last_active(user) -> None:
    """Mark the person active now, at most one write every five minutes."""
    now = timezone.now()
    Profile.objects.filter(user=user).exclude(last_active_at__gt=now - timedelta(minutes=5)).update(
        last_active_at=now
    )


def _scope(programme: Programme) -> None:
    scope_upsert(
        kind="programme",
        object_id=programme.pk,
        name=programme.name,
        url=programme.get_absolute_url(),
        extra={"offline_unrecorded": programme.offline_unrecorded},
    )


# Programmes.

PROGRAMME_FIELDS = {
    "name",
    "goals",
    "commitment",
    "commitment_weeks",
    "rhythm",
    "enrolment_opens_on",
    "enrolment_closes_on",
    "default_mentor_capacity",
    "matching_mode",
    "offline_unrecorded",
    "minimum_score",
    "protege_min_years_in_role",
    "protege_max_years_in_role",
    "protege_manages_people",
    "protege_min_years_in_company",
    "mentor_min_years_in_role",
    "mentor_max_years_in_role",
    "mentor_manages_people",
    "mentor_min_years_in_company",
    "stalled_after_weeks",
    "onboarding_buddies",
}


@transaction.atomic
def programme_create(*, created_by, topics, coordinators=(), **fields) -> Programme:
    if not permissions.can_create_programmes(created_by):
        raise PermissionDenied(_("Only coordinators can create programmes."))
    unknown = set(fields) - PROGRAMME_FIELDS
    if unknown:
        raise TypeError(f"Unknown programme fields: {sorted(unknown)}")
    programme = Programme(created_by=created_by, **fields)
    programme.full_clean()
    if not topics:
        raise ValidationError({"topics": _("Choose at least one topic.")})
    programme.save()
    programme.topics.set(topics)
    programme.coordinators.set({created_by, *coordinators})
    _scope(programme)
    scoreboard_changed()
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, user, topics=None, coordinators=None, **fields):
    if not permissions.can_coordinate(user, programme):
        raise PermissionDenied(_("Only this programme's coordinators can change it."))
    was_unrecorded = (
        Programme.objects.select_for_update()
        .values_list("offline_unrecorded", flat=True)
        .get(pk=programme.pk)
    )
    for name, value in fields.items():
        if name not in PROGRAMME_FIELDS:
            raise TypeError(f"Unknown programme field: {name}")
        setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    if programme.offline_unrecorded and not was_unrecorded:
        programme_conversations_forget(programme=programme)
    if topics is not None:
        programme.topics.set(topics)
    if coordinators is not None:
        programme.coordinators.set({user, *coordinators})
    _scope(programme)
    scoreboard_changed()
    return programme


@transaction.atomic
def programme_conversations_forget(*, programme: Programme) -> dict[str, int]:
    """Delete what pairs wrote, as a programme becomes offline and unrecorded: meeting notes,
    the notes sent with mentoring requests, goal wordings, agendas, the pairs' private and
    shared notes and survey comments. Dates, statuses and scores stay (the platform still
    tracks).

    The programme's row is locked first, as `meeting_record` locks it, so a note recorded
    while the programme switches is either deleted here or refused there.
    """
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if not locked.offline_unrecorded:
        raise ValidationError(_("Only an offline and unrecorded programme forgets its notes."))
    of = {"match__programme": locked}
    words = (
        Goal.objects.filter(**of).exclude(title="").update(title="")
        + Meeting.objects.filter(**of).exclude(agenda="").update(agenda="")
        + MatchNote.objects.filter(**of).delete()[0]
        + CheckIn.objects.filter(**of).exclude(comment="").update(comment="")
    )
    return {
        "notes": Meeting.objects.filter(match__programme=locked).exclude(notes="").update(notes=""),
        "messages": Match.objects.filter(programme=locked).exclude(message="").update(message=""),
        "words": words,
    }


# Eligibility and enrolment.


def years_words(value: float) -> str:
    rounded = round(value, 1)
    if rounded == int(rounded):
        rounded = int(rounded)
    return ngettext("%(years)s year", "%(years)s years", 1 if rounded == 1 else 2) % {
        "years": number_format(rounded)
    }


def eligibility_problems(
    *, programme: Programme, profile: Profile | None, role: str, third_person: bool = False
) -> list[str]:
    """Why this person may not enrol in this role, in words; empty when they may.

    Said to the person themselves, or, with `third_person`, to a coordinator about them.
    """
    side = "protege" if role == Enrolment.Role.PROTEGE else "mentor"
    who = _("protégés") if side == "protege" else _("mentors")
    low = getattr(programme, f"{side}_min_years_in_role")
    high = getattr(programme, f"{side}_max_years_in_role")
    manages = getattr(programme, f"{side}_manages_people")
    company = getattr(programme, f"{side}_min_years_in_company")
    problems: list[str] = []
    today = timezone.localdate()
    in_role = profile.years_in_role(today) if profile else None
    # Whole sentences for each case, said to the person (second person) or to a coordinator
    # about them (third), so each language can build them its own way.
    if (low is not None or high is not None) and in_role is None:
        problems.append(
            (
                _(
                    "This programme asks how long %(who)s have been in their current role; "
                    "their profile has no start date for their role."
                )
                if third_person
                else _(
                    "This programme asks how long %(who)s have been in their current role; "
                    "your profile has no start date for your role."
                )
            )
            % {"who": who}
        )
    elif in_role is not None:
        leads_team = manages == ManagesPeople.MUST
        if high is not None and in_role >= high:
            if leads_team:
                text = (
                    _(
                        "This programme is for %(who)s who have led a team for under "
                        "%(limit)s; their profile says %(actual)s."
                    )
                    if third_person
                    else _(
                        "This programme is for %(who)s who have led a team for under "
                        "%(limit)s; your profile says %(actual)s."
                    )
                )
            else:
                text = (
                    _(
                        "This programme is for %(who)s who have been in their role for under "
                        "%(limit)s; their profile says %(actual)s."
                    )
                    if third_person
                    else _(
                        "This programme is for %(who)s who have been in their role for under "
                        "%(limit)s; your profile says %(actual)s."
                    )
                )
            problems.append(
                text % {"who": who, "limit": years_words(high), "actual": years_words(in_role)}
            )
        if low is not None and in_role < low:
            if leads_team:
                text = (
                    _(
                        "This programme is for %(who)s who have led a team for at least "
                        "%(limit)s; their profile says %(actual)s."
                    )
                    if third_person
                    else _(
                        "This programme is for %(who)s who have led a team for at least "
                        "%(limit)s; your profile says %(actual)s."
                    )
                )
            else:
                text = (
                    _(
                        "This programme is for %(who)s who have been in their role for at "
                        "least %(limit)s; their profile says %(actual)s."
                    )
                    if third_person
                    else _(
                        "This programme is for %(who)s who have been in their role for at "
                        "least %(limit)s; your profile says %(actual)s."
                    )
                )
            problems.append(
                text % {"who": who, "limit": years_words(low), "actual": years_words(in_role)}
            )
    leads = bool(profile and profile.is_people_manager)
    if manages == ManagesPeople.MUST and not leads:
        problems.append(
            (
                _("This programme is for %(who)s who lead a team; their profile says they do not.")
                if third_person
                else _(
                    "This programme is for %(who)s who lead a team; your profile says you do not."
                )
            )
            % {"who": who}
        )
    if manages == ManagesPeople.MUST_NOT and leads:
        problems.append(
            (
                _(
                    "This programme is for %(who)s who do not lead a team; "
                    "their profile says they do."
                )
                if third_person
                else _(
                    "This programme is for %(who)s who do not lead a team; "
                    "your profile says you do."
                )
            )
            % {"who": who}
        )
    if company is not None:
        in_company = profile.years_in_company(today) if profile else None
        if in_company is None:
            problems.append(
                _(
                    "This programme asks how long they have been with the company; "
                    "their profile has no start date."
                )
                if third_person
                else _(
                    "This programme asks how long you have been with the company; "
                    "your profile has no start date."
                )
            )
        elif in_company < company:
            problems.append(
                (
                    _(
                        "This programme is for %(who)s with at least %(limit)s in the company; "
                        "their profile says %(actual)s."
                    )
                    if third_person
                    else _(
                        "This programme is for %(who)s with at least %(limit)s in the company; "
                        "your profile says %(actual)s."
                    )
                )
                % {"who": who, "limit": years_words(company), "actual": years_words(in_company)}
            )
    return problems


@transaction.atomic
def enrolment_create(
    *,
    programme: Programme,
    user,
    role: str,
    topics,
    goals: str = "",
    capacity: int | None = None,
    location_preference: str = Enrolment.LocationPreference.ANY,
    prefer_other_department: bool = False,
) -> Enrolment:
    if not programme.is_enrolment_open:
        raise ValidationError(_("Enrolment in this programme is closed."))
    profile = Profile.objects.filter(user=user).first()
    problems = eligibility_problems(programme=programme, profile=profile, role=role)
    if problems:
        raise ValidationError(problems)
    topic_ids = {getattr(t, "pk", t) for t in topics}
    allowed = set(programme.topics.values_list("pk", flat=True))
    if not topic_ids:
        raise ValidationError({"topics": _("Choose at least one topic.")})
    if not topic_ids <= allowed:
        raise ValidationError({"topics": _("Choose topics of this programme.")})
    if Enrolment.objects.filter(programme=programme, user=user, role=role).exists():
        raise ValidationError(_("You are already enrolled in this role."))
    enrolment = Enrolment(
        programme=programme,
        user=user,
        role=role,
        goals=goals,
        capacity=(capacity or programme.default_mentor_capacity)
        if role == Enrolment.Role.MENTOR
        else 1,
        location_preference=location_preference,
        prefer_other_department=prefer_other_department,
    )
    enrolment.full_clean(exclude=["programme", "user"])
    enrolment.save()
    enrolment.topics.set(topic_ids)
    activity_record(
        verb="mentor_enrolled" if role == Enrolment.Role.MENTOR else "protege_enrolled",
        actor=user,
        programme_id=programme.pk,
        topic_ids=sorted(topic_ids),
        object_type="enrolment",
        object_id=enrolment.pk,
    )
    touch_last_active(user)
    scoreboard_changed()
    return enrolment


@transaction.atomic
def enrolment_set_availability(*, enrolment: Enrolment, user, unavailable: str) -> Enrolment:
    if enrolment.user_id != user.pk:
        raise PermissionDenied(_("Only the mentor can change their availability."))
    if unavailable not in Enrolment.Unavailable.values:
        raise ValidationError(_("Choose holiday, full or available."))
    enrolment.unavailable = unavailable
    enrolment.save(update_fields=["unavailable"])
    touch_last_active(user)
    scoreboard_changed()
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, user) -> Enrolment:
    """Leave a programme: pending proposals and offers are cancelled, the slot freed."""
    if enrolment.user_id != user.pk:
        raise PermissionDenied(_("Only the person enrolled can withdraw."))
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save(update_fields=["status"])
    Match.objects.filter(status__in=[Match.Status.PROPOSED, Match.Status.OFFERED]).filter(
        Q(mentor=enrolment) | Q(protege=enrolment)
    ).update(status=Match.Status.CANCELLED, ended_at=timezone.now())
    scoreboard_changed()
    return enrolment


@transaction.atomic
def adhoc_volunteer_set(*, user, topics) -> None:
    """Set the topics this person is open to ad-hoc mentoring in."""
    topic_ids = {getattr(t, "pk", t) for t in topics}
    AdhocVolunteer.objects.filter(user=user).exclude(topic_id__in=topic_ids).delete()
    existing = set(AdhocVolunteer.objects.filter(user=user).values_list("topic_id", flat=True))
    AdhocVolunteer.objects.bulk_create(
        [AdhocVolunteer(user=user, topic_id=t) for t in topic_ids - existing]
    )


# Matching runs.


def matching_run_start(*, programme: Programme, user) -> MatchingRun:
    """Run the engine now for small programmes; hand big ones to a worker."""
    if not permissions.can_coordinate(user, programme):
        raise PermissionDenied(_("Only this programme's coordinators can run matching."))
    if programme.is_self_service:
        raise ValidationError(_("In a self-service programme protégés choose their mentor."))
    with transaction.atomic():
        Programme.objects.select_for_update().get(pk=programme.pk)
        running = MatchingRun.objects.filter(
            programme=programme, status=MatchingRun.Status.RUNNING
        ).first()
        if running and running.started_at > timezone.now() - timedelta(minutes=10):
            return running
        if running:  # its worker died: let a new run start
            running.status = MatchingRun.Status.FAILED
            running.error = "The run did not finish within ten minutes."
            running.save(update_fields=["status", "error"])
        run = MatchingRun.objects.create(programme=programme, started_by=user)
        size = Enrolment.objects.filter(programme=programme, status="active").count()
        if size > INLINE_MATCHING_MAX:
            task_after_commit("mentoring.tasks.run_matching", run.pk)
            return run
    return matching_run_execute(run_id=run.pk)


@transaction.atomic
def matching_run_execute(*, run_id: int) -> MatchingRun:
    """Replace unlocked proposals with the engine's best assignment around locked pairs."""
    run = MatchingRun.objects.select_for_update().select_related("programme").get(pk=run_id)
    programme = run.programme
    try:
        Match.objects.filter(
            programme=programme, status=Match.Status.PROPOSED, locked=False
        ).delete()
        mentors, proteges, locked, topics = selectors.matching_pool(programme)
        names_by_key = {e.pk: _name(e) for e in (*mentors, *proteges)}
        mentor_keys = {e.pk for e in mentors}
        # Rules are checked at enrolment, but a profile changes and a coordinator may tighten
        # a rule: whoever no longer fits leaves this run's pool, and the coordinator is told.
        ineligible = _ineligible(programme, [*mentors, *proteges])
        mentors = [e for e in mentors if e.pk not in ineligible]
        proteges = [e for e in proteges if e.pk not in ineligible]
        refused_early = {
            pair: f"{names_by_key[key]} is no longer eligible: {ineligible[key].rstrip('.')}"
            for pair in locked
            for key in pair
            if key in ineligible
        }
        locked = [pair for pair in locked if pair not in refused_early]
        m_people = selectors.engine_people(mentors, topics)
        p_people = selectors.engine_people(proteges, topics)
        excluded = selectors.excluded_pairs(programme)
        result = matching.assign(
            m_people,
            p_people,
            min_score=programme.minimum_score,
            excluded=excluded,
            locked=locked,
        )
        kept = {(m_key, p_key) for m_key, p_key, _score in result.pairs}
        all_refused = {**refused_early, **result.refused}
        dropped = [pair for pair in all_refused if pair not in kept]
        if dropped:  # a refused lock is not kept: its proposal goes
            refused = Q()
            for m_key, p_key in dropped:
                refused |= Q(mentor_id=m_key, protege_id=p_key)
            Match.objects.filter(
                refused, programme=programme, status=Match.Status.PROPOSED, locked=True
            ).delete()
        run.refused_locks = [
            {
                "mentor_id": m_key,
                "protege_id": p_key,
                "mentor": names_by_key.get(m_key, ""),
                "protege": names_by_key.get(p_key, ""),
                "reason": reason,
            }
            for (m_key, p_key), reason in all_refused.items()
        ]
        run.ineligible = [
            {
                "enrolment_id": key,
                "name": names_by_key[key],
                "role": "mentor" if key in mentor_keys else "protégé",
                "reason": reason,
            }
            for key, reason in sorted(ineligible.items())
        ]
        names = selectors.engine_names()
        m_by_key = {p.key: p for p in m_people}
        p_by_key = {p.key: p for p in p_people}
        locked_set = set(locked)
        new = []
        for m_key, p_key, score in result.pairs:
            if (m_key, p_key) in locked_set:
                continue
            scored = matching.score_pair(
                m_by_key[m_key], p_by_key[p_key], excluded=excluded, names=names
            )
            new.append(
                Match(
                    programme=programme,
                    mentor_id=m_key,
                    protege_id=p_key,
                    score=score,
                    reasons=list(scored.reasons) if scored else [],
                )
            )
        Match.objects.bulk_create(new)
        by_enrolment = {e.pk: e for e in proteges}
        run.unmatched = [
            {
                "enrolment_id": key,
                "name": _name(by_enrolment[key]),
                "reason": matching.UNMATCHED_REASONS.get(reason, reason),
            }
            for key, reason in sorted(result.unmatched.items())
        ]
        run.matched = len(result.pairs)
        run.total_score = result.total
        run.status = MatchingRun.Status.DONE
    except Exception as error:  # keep the run visible as failed, not stuck "running"
        run.status = MatchingRun.Status.FAILED
        run.error = str(error)[:1000]
        run.finished_at = timezone.now()
        run.save()
        raise
    run.finished_at = timezone.now()
    run.save()
    return run


def _ineligible(programme: Programme, enrolments: list[Enrolment]) -> dict[int, str]:
    """Enrolment id -> why it no longer meets the programme's rules (profiles loaded)."""
    found = {}
    for enrolment in enrolments:
        # Stored with the run in the source language; shown through mentoring.reasons.
        with translation.override(None):
            problems = eligibility_problems(
                programme=programme,
                profile=getattr(enrolment.user, "profile", None),
                role=enrolment.role,
                third_person=True,
            )
        if problems:
            found[enrolment.pk] = " ".join(problems)
    return found


def _name(enrolment: Enrolment) -> str:
    profile = getattr(enrolment.user, "profile", None)
    return profile.name if profile else str(enrolment.user)


def _check_pair(mentor: Enrolment, protege: Enrolment) -> None:
    if mentor.user_id == protege.user_id:
        raise ValidationError(_("A person cannot mentor themselves."))
    mentor_profile = Profile.objects.filter(user_id=mentor.user_id).first()
    protege_profile = Profile.objects.filter(user_id=protege.user_id).first()
    if (protege_profile and protege_profile.manager_id == mentor.user_id) or (
        mentor_profile and mentor_profile.manager_id == protege.user_id
    ):
        raise ValidationError(_("A person cannot be matched with their own manager."))


@transaction.atomic
def match_lock(*, match: Match, user, locked: bool = True) -> Match:
    if not permissions.can_coordinate(user, match.programme):
        raise PermissionDenied(_("Only this programme's coordinators can lock matches."))
    if match.status != Match.Status.PROPOSED:
        raise ValidationError(_("Only proposed matches can be locked or unlocked."))
    match.locked = locked
    match.save(update_fields=["locked"])
    return match


@transaction.atomic
def match_swap(*, match: Match, mentor: Enrolment, user) -> Match:
    """Give a proposed match's protégé another mentor, by hand; the pair is then locked."""
    programme = match.programme
    if not permissions.can_coordinate(user, programme):
        raise PermissionDenied(_("Only this programme's coordinators can swap matches."))
    if match.status != Match.Status.PROPOSED:
        raise ValidationError(_("Only proposed matches can be changed."))
    if (
        mentor.programme_id != programme.pk
        or mentor.role != Enrolment.Role.MENTOR
        or mentor.status != Enrolment.Status.ACTIVE
    ):
        raise ValidationError(_("Choose a mentor enrolled in this programme."))
    locked_mentor = Enrolment.objects.select_for_update().get(pk=mentor.pk)
    _check_pair(locked_mentor, match.protege)
    if (locked_mentor.user_id, match.protege.user_id) in selectors.excluded_pairs(programme):
        raise ValidationError(_("These two were paired before."))
    if mentor.pk != match.mentor_id:
        used = (
            Match.objects.filter(
                mentor=locked_mentor,
                status__in=[Match.Status.PROPOSED, Match.Status.OFFERED, Match.Status.ACTIVE],
            )
            .exclude(pk=match.pk)
            .count()
        )
        if used >= locked_mentor.capacity:
            raise ValidationError(
                _("%(name)s has no capacity left (%(used)s of %(capacity)s taken).")
                % {"name": _name(locked_mentor), "used": used, "capacity": locked_mentor.capacity}
            )
    topics = selectors.enrolment_topic_ids([locked_mentor.pk, match.protege_id])
    people = selectors.engine_people(
        Enrolment.objects.filter(pk__in=[locked_mentor.pk, match.protege_id]).select_related(
            "user__profile"
        ),
        topics,
    )
    by_key = {p.key: p for p in people}
    scored = matching.score_pair(
        by_key[locked_mentor.pk], by_key[match.protege_id], names=selectors.engine_names()
    )
    match.mentor = locked_mentor
    match.score = scored.score if scored else 0
    match.reasons = [*(scored.reasons if scored else ()), "Chosen by the coordinator"]
    match.locked = True
    match.save(update_fields=["mentor", "score", "reasons", "locked"])
    return match


@transaction.atomic
def programme_publish(*, programme: Programme, user) -> int:
    """Offer every proposed match to its two people; each accepts or declines."""
    if not permissions.can_coordinate(user, programme):
        raise PermissionDenied(_("Only this programme's coordinators can publish matches."))
    proposed = Match.objects.filter(programme=programme, status=Match.Status.PROPOSED)
    pairs = list(proposed.values_list("mentor__user_id", "protege__user_id"))
    now = timezone.now()
    count = proposed.update(status=Match.Status.OFFERED, offered_at=now, locked=False)
    if count:
        scoreboard_changed()
        url = reverse("mentoring:mine")
        for ids in each_language(m for m, _p in pairs):
            notify(
                recipients=ids,
                kind="mentoring_match",
                title=_("You have a protégé to meet in %(programme)s")
                % {"programme": programme.name},
                body=_("See why you were matched, then accept or decline."),
                url=url,
                send_email=True,
            )
        for ids in each_language(p for _m, p in pairs):
            notify(
                recipients=ids,
                kind="mentoring_match",
                title=_("Your mentor in %(programme)s is proposed") % {"programme": programme.name},
                body=_("See why you were matched, then accept or decline."),
                url=url,
                send_email=True,
            )
    return count


# Self-service requests.


@transaction.atomic
def match_request(*, protege: Enrolment, mentor: Enrolment, user, message: str = "") -> Match:
    """A protégé asks one mentor. The mentor's row is locked so the last slot goes once."""
    if protege.user_id != user.pk or protege.role != Enrolment.Role.PROTEGE:
        raise PermissionDenied(_("Only the protégé can send this request."))
    # The programme's row is locked first (as `meeting_record` and the switch to unrecorded
    # lock it), so a request sent while the programme goes unrecorded keeps no note either.
    programme = Programme.objects.select_for_update().get(pk=protege.programme_id)
    if programme.offline_unrecorded:
        message = ""  # this programme never stores what was said, not even the first note
    if len(message) > limits.MESSAGE:
        raise ValidationError({"message": limits.too_long_message(limits.MESSAGE, len(message))})
    if not programme.is_self_service:
        raise ValidationError(_("In this programme the coordinator proposes matches."))
    if mentor.programme_id != programme.pk or mentor.role != Enrolment.Role.MENTOR:
        raise ValidationError(_("Choose a mentor from this programme."))
    mentor = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("user__profile")
        .get(pk=mentor.pk)
    )
    if not mentor.is_available:
        raise ValidationError(
            _("%(name)s is not taking requests just now.") % {"name": _name(mentor)}
        )
    _check_pair(mentor, protege)
    if (mentor.user_id, protege.user_id) in selectors.excluded_pairs(programme):
        raise ValidationError(_("You were paired with %(name)s before.") % {"name": _name(mentor)})
    held = Match.objects.filter(mentor=mentor, status__in=Match.HOLDING_SLOT).count()
    if held >= mentor.capacity:
        raise ValidationError(_("%(name)s has no free slot left.") % {"name": _name(mentor)})
    topics = selectors.enrolment_topic_ids([mentor.pk, protege.pk])
    people = selectors.engine_people(
        [mentor, Enrolment.objects.select_related("user__profile").get(pk=protege.pk)], topics
    )
    scored = matching.score_pair(people[0], people[1], names=selectors.engine_names())
    now = timezone.now()
    try:
        with transaction.atomic():
            match = Match.objects.create(
                programme=programme,
                mentor=mentor,
                protege=protege,
                status=Match.Status.OFFERED,
                source=Match.Source.REQUEST,
                score=scored.score if scored else 0,
                reasons=list(scored.reasons) if scored else [],
                message=message,
                offered_at=now,
                protege_accepted_at=now,
            )
    except IntegrityError:
        raise ValidationError(_("You already have a mentor or a request waiting.")) from None
    scoreboard_changed()
    for ids in each_language([mentor.user_id]):
        notify(
            recipients=ids,
            kind="mentoring_request",
            title=_("%(name)s asks you to be their mentor") % {"name": _name(protege)},
            body=message[:500],
            url=match.get_absolute_url(),
            send_email=True,
        )
    touch_last_active(user)
    return match


# Answers.


def _side(match: Match, user) -> str:
    if user.pk == match.mentor.user_id:
        return "mentor"
    if user.pk == match.protege.user_id:
        return "protege"
    raise PermissionDenied(_("Only the two people matched can answer."))


@transaction.atomic
def match_accept(*, match: Match, user) -> Match:
    side = _side(match, user)
    # Lock the mentor's enrolment first: capacity is counted under that lock.
    mentor = Enrolment.objects.select_for_update().get(pk=match.mentor_id)
    match = Match.objects.select_for_update().select_related("programme").get(pk=match.pk)
    if match.status != Match.Status.OFFERED:
        raise ValidationError(_("This match is no longer waiting for an answer."))
    now = timezone.now()
    setattr(match, f"{side}_accepted_at", now)
    fields = [f"{side}_accepted_at"]
    other_id = match.protege.user_id if side == "mentor" else match.mentor.user_id
    if match.mentor_accepted_at and match.protege_accepted_at:
        active = Match.objects.filter(mentor=mentor, status=Match.Status.ACTIVE).count()
        if active >= mentor.capacity:
            raise ValidationError(
                _(
                    "%(name)s has no free slot left (%(active)s of %(capacity)s taken), "
                    "so this match cannot start."
                )
                % {"name": _name(mentor), "active": active, "capacity": mentor.capacity}
            )
        match.status = Match.Status.ACTIVE
        match.started_at = now
        fields += ["status", "started_at"]
        transaction.on_commit(people_evidence.changed)
        topic_ids = sorted(
            set(mentor.topics.values_list("pk", flat=True))
            & set(match.protege.topics.values_list("pk", flat=True))
        )
        for actor, target in (
            (match.mentor.user, match.protege.user),
            (match.protege.user, match.mentor.user),
        ):
            activity_record(
                verb="match_accepted",
                actor=actor,
                target_user=target,
                programme_id=match.programme_id,
                topic_ids=topic_ids,
                object_type="match",
                object_id=match.pk,
            )
        for ids in each_language([other_id]):
            notify(
                recipients=ids,
                kind="mentoring_match_active",
                title=_("Your mentoring match in %(programme)s has started")
                % {"programme": match.programme.name},
                url=match.get_absolute_url(),
            )
    else:
        for ids in each_language([other_id]):
            notify(
                recipients=ids,
                kind="mentoring_match_answer",
                title=_("%(name)s accepted your mentoring match") % {"name": user.profile.name},
                url=match.get_absolute_url(),
            )
    match.save(update_fields=fields)
    if match.status == Match.Status.ACTIVE:
        relationship_start(match=match)
        scoreboard_changed()
    touch_last_active(user)
    return match


@transaction.atomic
def match_decline(*, match: Match, user, unavailable: str = "") -> Match:
    """Decline a match or request; the slot is freed and the pair never proposed again.

    A mentor can mark themselves unavailable (holiday, full) in the same step.
    """
    side = _side(match, user)
    match = Match.objects.select_for_update().select_related("programme").get(pk=match.pk)
    if match.status != Match.Status.OFFERED:
        raise ValidationError(_("This match is no longer waiting for an answer."))
    match.status = Match.Status.DECLINED
    match.declined_by = user
    match.ended_at = timezone.now()
    match.save(update_fields=["status", "declined_by", "ended_at"])
    scoreboard_changed()
    if unavailable and side == "mentor":
        enrolment_set_availability(enrolment=match.mentor, user=user, unavailable=unavailable)
    other_id = match.protege.user_id if side == "mentor" else match.mentor.user_id
    for ids in each_language([other_id]):
        notify(
            recipients=ids,
            kind="mentoring_match_declined",
            title=_("Your mentoring match in %(programme)s was declined")
            % {"programme": match.programme.name},
            body=_("We will look for someone else."),
            url=reverse("mentoring:mine"),
        )
    if match.programme.is_self_service:
        _offer_next_best(match.protege)
    else:
        coordinator_ids = match.programme.coordinators.values_list("pk", flat=True)
        for ids in each_language(coordinator_ids):
            notify(
                recipients=ids,
                kind="mentoring_slot_freed",
                title=_("A match in %(programme)s was declined: the next run refills it")
                % {"programme": match.programme.name},
                url=reverse("mentoring:coordinate", args=[match.programme_id]),
            )
    touch_last_active(user)
    return match


def _offer_next_best(protege: Enrolment) -> None:
    """Tell the protégé who the next best mentor is (self-service programmes ask directly)."""
    protege = Enrolment.objects.select_related("programme", "user__profile").get(pk=protege.pk)
    suggestions = selectors.suggestions_for(protege, limit=1)
    if not suggestions:
        return
    best = suggestions[0]
    with in_language_of(protege.user):
        notify(
            recipients=[protege.user_id],
            kind="mentoring_suggestion",
            title=_("%(name)s could mentor you in %(programme)s")
            % {"name": _name(best["enrolment"]), "programme": protege.programme.name},
            body="; ".join(reason_text(r) for r in best["reasons"]),
            url=reverse("mentoring:programme", args=[protege.programme_id]),
        )


@transaction.atomic
def match_complete(*, match: Match, user) -> Match:
    _side(match, user)
    match = Match.objects.select_for_update().get(pk=match.pk)
    if match.status != Match.Status.ACTIVE:
        raise ValidationError(_("Only an active match can be completed."))
    match_end(match=match)
    touch_last_active(user)
    return match


def match_end(*, match: Match, now=None) -> Match:
    """Complete an active match (locked by the caller): by its two people, or by the clock at
    the end of the commitment. The final surveys follow from the clock."""
    match.status = Match.Status.COMPLETED
    match.ended_at = now or timezone.now()
    match.save(update_fields=["status", "ended_at"])
    scoreboard_changed()
    for actor, target in (
        (match.mentor.user, match.protege.user),
        (match.protege.user, match.mentor.user),
    ):
        activity_record(
            verb="match_completed",
            actor=actor,
            target_user=target,
            programme_id=match.programme_id,
            object_type="match",
            object_id=match.pk,
        )
    return match


@transaction.atomic
def meeting_record(*, match: Match, user, met_on: date, notes: str = "") -> Meeting:
    _side(match, user)
    if match.status not in (Match.Status.ACTIVE, Match.Status.COMPLETED):
        raise ValidationError(_("Meetings are recorded once the match has started."))
    if met_on > timezone.localdate():
        raise ValidationError({"met_on": _("Record meetings that have happened.")})
    # Read under the programme's lock: a switch to unrecorded deletes notes in one go.
    unrecorded = (
        Programme.objects.select_for_update()
        .values_list("offline_unrecorded", flat=True)
        .get(pk=match.programme_id)
    )
    if unrecorded:
        notes = ""  # this programme never stores what was said
    meeting = Meeting(match=match, met_on=met_on, notes=notes)
    meeting.full_clean(exclude=["match"])
    meeting.save()
    activity_record(
        verb="meeting_logged",
        actor=user,
        programme_id=match.programme_id,
        object_type="match",
        object_id=match.pk,
    )
    touch_last_active(user)
    return meeting


def expire_stale_requests(*, now=None) -> int:
    """Expire offers nobody answered in time, and offer each protégé the next best mentor."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MENTORING_REQUEST_EXPIRY_DAYS)
    expired = []
    with transaction.atomic():
        stale = list(
            Match.objects.select_for_update(skip_locked=True)
            .filter(status=Match.Status.OFFERED, offered_at__lt=cutoff)
            .select_related("programme", "mentor__user", "protege__user")
        )
        for match in stale:
            match.status = Match.Status.EXPIRED
            match.ended_at = now
        Match.objects.bulk_update(stale, ["status", "ended_at"])
        if stale:
            scoreboard_changed()
        expired = stale
        for match in expired:
            for ids in each_language([match.protege.user_id, match.mentor.user_id]):
                notify(
                    recipients=ids,
                    kind="mentoring_expired",
                    title=_("A mentoring match in %(programme)s expired unanswered")
                    % {"programme": match.programme.name},
                    url=reverse("mentoring:mine"),
                    dedupe_key=f"mentoring-expired-{match.pk}",
                )
            _offer_next_best(match.protege)
    return len(expired)


# Ad-hoc mentoring and calls for volunteers.


@transaction.atomic
def adhoc_request_create(*, user, topic: Topic, message: str) -> AdhocRequest:
    request = AdhocRequest(user=user, topic=topic, message=message.strip())
    request.full_clean()
    request.save()
    # An audience is notified in one language: the site's, not the asker's.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(name)s asks for a mentor in %(topic)s") % {
            "name": user.profile.name,
            "topic": topic.name,
        }
    notify_audience(
        audience="mentoring_willing_mentors",
        audience_kwargs={"topic_id": topic.pk},
        kind="mentoring_adhoc",
        title=title,
        body=request.message[:500],
        url=request.get_absolute_url(),
        dedupe_key=f"mentoring-adhoc-{request.pk}",
        exclude_user_ids=[user.pk],
    )
    touch_last_active(user)
    return request


@transaction.atomic
def adhoc_request_answer(*, request: AdhocRequest, helper) -> AdhocRequest:
    request = AdhocRequest.objects.select_for_update().get(pk=request.pk)
    if request.user_id == helper.pk:
        raise ValidationError(_("You cannot answer your own request."))
    if request.helper_id:
        raise ValidationError(_("Someone has already offered to help."))
    request.helper = helper
    request.answered_at = timezone.now()
    request.save(update_fields=["helper", "answered_at"])
    for ids in each_language([request.user_id]):
        notify(
            recipients=ids,
            kind="mentoring_adhoc_answer",
            title=_("%(name)s offers to mentor you in %(topic)s")
            % {"name": helper.profile.name, "topic": request.topic.name},
            url=reverse("people:profile", args=[helper.pk]),
        )
    touch_last_active(helper)
    return request


def volunteer_call_size(**audience_kwargs) -> int:
    return selectors.volunteer_call_ids(**audience_kwargs).count()


@transaction.atomic
def volunteer_call_send(*, programme: Programme, user, audience_kwargs: dict) -> None:
    if not permissions.can_coordinate(user, programme):
        raise PermissionDenied(_("Only this programme's coordinators can call for volunteers."))
    # An audience is notified in one language: the site's, not the coordinator's.
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Would you mentor in %(programme)s?") % {"programme": programme.name}
        commitment = ngettext(
            "Commitment: %(commitment)s (%(weeks)s week).",
            "Commitment: %(commitment)s (%(weeks)s weeks).",
            programme.commitment_weeks,
        ) % {"commitment": programme.commitment, "weeks": programme.commitment_weeks}
    notify_audience(
        audience="mentoring_volunteer_call",
        audience_kwargs={**audience_kwargs, "exclude_programme_id": programme.pk},
        kind="mentoring_call",
        title=title,
        body=f"{programme.goals[:600]}\n\n{commitment}",
        url=programme.get_absolute_url(),
        dedupe_key=f"mentoring-call-{programme.pk}-{timezone.now():%Y%m%d%H%M}",
        exclude_user_ids=[user.pk],
    )
