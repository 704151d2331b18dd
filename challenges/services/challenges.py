"""Designing, joining and completing challenges."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community, Membership, Reply
from communities.services import membership_join, reply_create
from socialearn import generations
from socialearn.insights.services import activity_record, scope_upsert
from socialearn.markdown import render_markdown

from .. import clock, selectors
from ..models import Challenge, Completion, Participant, Step


def scoreboard_changed(challenge_id: int) -> None:
    """Who takes part, what they completed and the steps are what a challenge's scoreboard
    shows: its kept copy (selectors.scoreboard_kept) is computed afresh after this change."""
    generations.bump(selectors.SCOREBOARD_GENERATION, challenge_id)


def org_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _render(challenge: Challenge) -> None:
    challenge.description_html = render_markdown(challenge.description)


def _render_step(step: Step) -> None:
    step.prompt_html = render_markdown(step.prompt)
    step.resources_html = render_markdown(step.resources)


def _scope(challenge: Challenge) -> None:
    community = challenge.community
    if challenge.is_template or community is None:
        return
    scope_upsert(
        kind="challenge",
        object_id=challenge.pk,
        name=challenge.title,
        url=challenge.get_absolute_url(),
        is_private=community.is_private,
        extra={"community_id": challenge.community_id},
    )


def challenge_schedule_refresh(*, challenge: Challenge) -> int:
    """Recompute the release instant of every step not yet posted. Returns how many."""
    tz = org_tz()
    pending = []
    for index, step in enumerate(challenge.steps.order_by("position")):
        if step.is_posted:
            continue
        step.day_offset = clock.step_day_offset(challenge.cadence, index, step.day_offset)
        step.release_at = (
            clock.release_at(challenge.start_date, step.day_offset, challenge.release_time, tz)
            if challenge.start_date and not challenge.is_template
            else None
        )
        pending.append(step)
    Step.objects.bulk_update(pending, ["day_offset", "release_at"])
    return len(pending)


@transaction.atomic
def challenge_steps_refresh(*, challenge: Challenge) -> None:
    """After steps were edited in bulk (the admin's inline): render them and re-plan."""
    steps = list(challenge.steps.all())
    for step in steps:
        _render_step(step)
    Step.objects.bulk_update(steps, ["prompt_html", "resources_html"])
    challenge_schedule_refresh(challenge=challenge)


@transaction.atomic
def challenge_save(*, challenge: Challenge) -> Challenge:
    """Validate and save a challenge edited by its designer, then re-plan its steps."""
    if isinstance(challenge.release_time, str):
        challenge.release_time = time.fromisoformat(challenge.release_time)
    challenge.full_clean()
    _render(challenge)
    challenge.save()
    challenge_schedule_refresh(challenge=challenge)
    _scope(challenge)
    return challenge


@transaction.atomic
def challenge_copy(
    *,
    source: Challenge,
    designer,
    community: Community | None = None,
    start_date: date | None = None,
    title: str = "",
    as_template: bool = False,
) -> Challenge:
    """Copy a challenge (usually a template) with its steps into a new draft."""
    if not as_template and community is None:
        raise ValidationError({"community": _("Choose the community the steps go into.")})
    copy = Challenge(
        title=title
        or (
            source.title if source.is_template else _("%(title)s (copy)") % {"title": source.title}
        ),
        summary=source.summary,
        description=source.description,
        designer=designer,
        guide=source.guide,
        community=community,
        cadence=source.cadence,
        length_value=source.length_value,
        length_unit=source.length_unit,
        start_date=start_date,
        release_time=source.release_time,
        status=Challenge.Status.DRAFT,
        is_template=as_template,
        copied_from=source,
        streak_grace=source.streak_grace,
    )
    copy.full_clean()
    _render(copy)
    copy.save()
    Step.objects.bulk_create(
        Step(
            challenge=copy,
            position=s.position,
            title=s.title,
            prompt=s.prompt,
            prompt_html=s.prompt_html,
            resources=s.resources,
            resources_html=s.resources_html,
            estimated_minutes=s.estimated_minutes,
            day_offset=s.day_offset,
            allow_mark_done=s.allow_mark_done,
        )
        for s in source.steps.order_by("position")
    )
    challenge_schedule_refresh(challenge=copy)
    _scope(copy)
    return copy


@transaction.atomic
def challenge_publish(*, challenge: Challenge) -> Challenge:
    if not challenge.steps.exists():
        raise ValidationError(_("Add at least one step before publishing."))
    challenge.status = Challenge.Status.PUBLISHED
    challenge.full_clean()
    challenge.save(update_fields=["status"])
    challenge_schedule_refresh(challenge=challenge)
    _scope(challenge)
    return challenge


@transaction.atomic
def step_save(*, step: Step) -> Step:
    if step.is_posted and step.pk:
        previous = Step.objects.get(pk=step.pk)
        if (previous.title, previous.prompt) != (step.title, step.prompt):
            raise ValidationError(_("This step is already posted; its thread keeps its text."))
    if step.position is None:
        last = step.challenge.steps.order_by("-position").values_list("position", flat=True)
        step.position = (last.first() or 0) + 1
    step.full_clean()
    _render_step(step)
    step.save()
    challenge_schedule_refresh(challenge=step.challenge)
    scoreboard_changed(step.challenge_id)
    return step


@transaction.atomic
def participant_join(*, challenge: Challenge, user) -> Participant:
    if not challenge.is_published:
        raise ValidationError(_("This challenge is not open for joining."))
    end = challenge.end_date
    if end and end < timezone.localdate(timezone=org_tz()):
        raise ValidationError(_("This challenge has finished."))
    community = challenge.community
    if community is None:
        raise ValidationError(_("This challenge has no community."))
    is_member = Membership.objects.filter(
        community=community, user=user, status=Membership.Status.ACTIVE
    ).exists()
    if not is_member:
        if community.is_private:
            raise PermissionDenied(_("Join the community first."))
        membership_join(community=community, user=user)
    participant, created = Participant.objects.get_or_create(
        challenge=challenge, user=user, defaults={"joined_at": timezone.now()}
    )
    if not created and participant.left_at is None:
        return participant
    if not created:
        participant.left_at = None
        participant.save(update_fields=["left_at"])
    scoreboard_changed(challenge.pk)
    activity_record(
        verb="challenge_joined",
        actor=user,
        community_id=community.pk,
        challenge_id=challenge.pk,
        object_type="challenge",
        object_id=challenge.pk,
    )
    return participant


@transaction.atomic
def participant_leave(*, challenge: Challenge, user) -> None:
    Participant.objects.filter(challenge=challenge, user=user, left_at__isnull=True).update(
        left_at=timezone.now()
    )
    scoreboard_changed(challenge.pk)


def _is_participant(step: Step, user) -> bool:
    return Participant.objects.filter(
        challenge_id=step.challenge_id, user=user, left_at__isnull=True
    ).exists()


@transaction.atomic
def step_complete(
    *, step: Step, user, via: str, reply: Reply | None = None, at=None
) -> Completion | None:
    """Record that `user` completed `step`; a second completion changes nothing."""
    if via == Completion.Via.MARK_DONE and not step.allow_mark_done:
        raise ValidationError(_("This step is completed by answering in its thread."))
    if not step.is_posted:
        raise ValidationError(_("This step has not been released yet."))
    if not _is_participant(step, user):
        raise ValidationError(_("Join the challenge to complete its steps."))
    if Completion.objects.filter(step=step, user=user).exists():
        return None
    try:
        with transaction.atomic():
            completion = Completion.objects.create(
                step=step,
                user=user,
                challenge_id=step.challenge_id,
                via=via,
                reply_id=reply.pk if reply else None,
                completed_at=at or timezone.now(),
            )
    except IntegrityError:  # completed concurrently
        return None
    scoreboard_changed(step.challenge_id)
    activity_record(
        verb="step_completed",
        actor=user,
        community_id=step.challenge.community_id,
        challenge_id=step.challenge_id,
        thread_id=step.thread_id,
        object_type="challenge_step",
        object_id=step.pk,
        occurred_at=completion.completed_at,
    )
    return completion


@transaction.atomic
def step_answer(*, step: Step, user, body: str) -> Reply:
    """Answer a step in its thread; the reply hook completes the step."""
    if not body.strip():
        raise ValidationError({"body": _("Write your answer first.")})
    thread = step.thread
    if thread is None:
        raise ValidationError(_("This step has not been released yet."))
    if thread.is_locked:
        raise ValidationError(_("This thread is locked."))
    return reply_create(thread=thread, author=user, body=body)


def on_reply_created(reply: Reply) -> None:
    """communities hook: a participant's reply in a step's thread completes that step."""
    if reply.author_id is None or reply.status != Reply.Status.PUBLISHED:
        return
    step = Step.objects.select_related("challenge").filter(thread_id=reply.thread_id).first()
    if step is None or not _is_participant(step, reply.author):
        return
    if reply.is_anonymous:
        # The completion names the person: with the reply's id or its exact time it would
        # name the author of the anonymous reply too. It keeps the day (streaks count days).
        step_complete(
            step=step,
            user=reply.author,
            via=Completion.Via.REPLY,
            at=_start_of_day(reply.created_at, reply.author),
        )
        return
    step_complete(
        step=step, user=reply.author, via=Completion.Via.REPLY, reply=reply, at=reply.created_at
    )


def _start_of_day(moment, user):
    """Midnight of `moment`'s day in the person's own time zone, the zone streaks count in."""
    profile = getattr(user, "profile", None)
    tz = profile.tz if profile is not None else org_tz()
    return datetime.combine(moment.astimezone(tz).date(), time.min, tzinfo=tz)
