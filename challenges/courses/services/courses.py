"""Every write of a course: creating it with its community, enrolling, introductions,
readings, live prompts, the follow-up, completion."""

import csv
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges import clock
from challenges.models import Challenge, Flow, FlowItem
from challenges.services import flow_create, flow_item_add, org_tz
from communities.models import Community, Membership, Thread
from communities.services import (
    RosterError,
    cohorts_create,
    community_create,
    membership_join,
    reply_create,
    roster_validate,
    thread_create,
)
from socialearn.insights.services import activity_record
from socialearn.markdown import render_markdown
from socialearn.notifications.services import notify, notify_audience_now
from socialearn.people.permissions import is_lnd_admin

from .. import permissions
from ..models import Course, DiscussionPrompt, Enrolment, ReadingMark

COURSE_COMPLETED = "course_completed"
COURSE_ENROLLED = "course_enrolled"


def _render(course: Course) -> None:
    course.description_html = render_markdown(course.description)


@transaction.atomic
def course_create(
    *,
    created_by,
    title: str,
    starts_on: date,
    ends_on: date,
    description: str = "",
    facilitators: Iterable = (),
    host_community: Community | None = None,
    location: str = "",
    online_url: str = "",
    capacity: int | None = None,
    enrolment: str = Course.Enrolment.SELF,
    prereading_opens_days: int = 7,
    reading_time: time = time(9, 0),
) -> Course:
    """A course and its private course community, in one transaction.

    The creator manages the course community; facilitators join it as managers too. The
    community gets an introductions thread and the pre-reading flow (empty).
    """
    if host_community is None:
        if not is_lnd_admin(created_by):
            raise PermissionDenied(_("Only L&D admins create courses for the whole organisation."))
    elif not permissions.creatable_hosts(created_by).filter(pk=host_community.pk).exists():
        raise PermissionDenied(_("You may create courses only for communities you manage."))
    title = (title or "").strip()
    community = community_create(
        created_by=created_by,
        name=title[:120] or "Course",
        purpose=_("The course community of %(title)s: participants and facilitators.")
        % {"title": title},
        # Course cohorts are L&D's (they are listed on L&D's cohorts page); a manager's
        # course for their community gets a private community of practice.
        kind=Community.Kind.COHORT if is_lnd_admin(created_by) else Community.Kind.PRACTICE,
        visibility=Community.Visibility.PRIVATE,
        topics=list(host_community.topics.all()) if host_community else [],
    )
    course = Course(
        title=title,
        description=description,
        host_community=host_community,
        community=community,
        starts_on=starts_on,
        ends_on=ends_on,
        location=location,
        online_url=online_url,
        capacity=capacity,
        enrolment=enrolment,
        prereading_opens_days=prereading_opens_days,
        created_by=created_by,
    )
    if not location.strip() and not online_url.strip():
        raise ValidationError({"location": _("Give a location or an online link.")})
    _render(course)
    course.full_clean(exclude=["community"])
    course.save()
    people = list(facilitators) or [created_by]
    course.facilitators.set(people)
    for person in people:
        membership_join(community=community, user=person, role=Membership.Role.MANAGER)
    course.intro_thread = thread_create(
        community=community,
        author=people[0],
        kind=Thread.Kind.DISCUSSION,
        title=_("Introductions: %(title)s") % {"title": title[:160]},
        body=_(
            "Welcome! Before we meet, say who you are, what you work on and what you hope to "
            "take away from this course."
        ),
        is_system=True,
    )
    # A relative flow, paused: neither of the challenges clock's paths posts it; the courses
    # clock releases its items relative to the course's start date instead.
    flow = flow_create(
        community=community,
        curator=people[0],
        name=_("Pre-reading: %(title)s") % {"title": title[:140]},
        mode=Flow.Mode.RELATIVE,
        post_time=reading_time,
    )
    flow.is_paused = True
    flow.save(update_fields=["is_paused"])
    course.prereading = flow
    course.save(update_fields=["intro_thread", "prereading"])
    return course


# What a calendar entry shows of a course: a change to any of them is a new version of it.
CALENDAR_FIELDS = ("title", "starts_on", "ends_on", "location", "online_url")


@transaction.atomic
def course_update(*, course: Course, updated_by, facilitators: Iterable | None = None) -> Course:
    if not permissions.can_run(updated_by, course):
        raise PermissionDenied
    if not course.location.strip() and not course.online_url.strip():
        raise ValidationError({"location": _("Give a location or an online link.")})
    _render(course)
    course.full_clean(exclude=["community"])
    before = Course.objects.select_for_update().get(pk=course.pk)
    if any(getattr(before, f) != getattr(course, f) for f in CALENDAR_FIELDS):
        course.sequence = before.sequence + 1
    course.save()
    if facilitators is not None:
        people = list(facilitators)
        if not people:
            raise ValidationError({"facilitators": _("A course needs a facilitator.")})
        course.facilitators.set(people)
        for person in people:
            membership_join(community=course.community, user=person, role=Membership.Role.MANAGER)
    return course


def _enrol(course: Course, user, via: str, now: datetime) -> bool:
    """One participant in; False when they were in already. The caller holds the course lock."""
    _, created = Enrolment.objects.get_or_create(
        course=course, user=user, defaults={"via": via, "enrolled_at": now}
    )
    if not created:
        return False
    membership_join(community=course.community, user=user)
    activity_record(
        verb=COURSE_ENROLLED,
        actor=user,
        community_id=course.community_id,
        object_type="course",
        object_id=course.pk,
        extra={"title": course.title, "via": via},
    )
    return True


def _locked(course: Course) -> Course:
    # Every enrolment takes the course row's lock first, so two people enrolling at once
    # count the places one after the other and the capacity holds.
    return Course.objects.select_for_update().get(pk=course.pk)


@transaction.atomic
def course_enrol(*, course: Course, user) -> Enrolment:
    """Enrol oneself, up to the capacity."""
    if course.enrolment != Course.Enrolment.SELF:
        raise ValidationError(_("Participants of this course come from its roster."))
    if not permissions.can_view(user, course):
        raise PermissionDenied
    locked = _locked(course)
    existing = Enrolment.objects.filter(course=locked, user=user).first()
    if existing:
        return existing
    if course.facilitators.filter(pk=user.pk).exists():
        raise ValidationError(_("You facilitate this course."))
    if locked.capacity is not None and locked.enrolments.count() >= locked.capacity:
        raise ValidationError(_("The course is full."))
    if timezone.localdate() > locked.ends_on:
        raise ValidationError(_("The course is over."))
    _enrol(locked, user, Enrolment.Via.SELF, timezone.now())
    return Enrolment.objects.get(course=locked, user=user)


def roster_read(text: str):
    """The roster, validated as cohorts read it; a line the CSV reader refuses (longer than
    its field limit) is a bad row like any other, not a server error."""
    from communities.services.cohorts import Roster, RowError

    try:
        return roster_validate(text)
    except csv.Error:
        return Roster(errors=[RowError(1, "", _("A line of the roster is far too long."))])


@transaction.atomic
def course_roster_upload(*, course: Course, uploaded_by, roster_text: str) -> int:
    """Enrol everyone on the roster (the cohorts' CSV format). Raises RosterError, writing
    nothing, when a row is bad or the roster would pass the capacity. Returns how many
    people were added."""
    if not permissions.can_run(uploaded_by, course):
        raise PermissionDenied
    roster = roster_read(roster_text)
    if roster.errors:
        raise RosterError(roster.errors)
    locked = _locked(course)
    already = set(locked.enrolments.values_list("user_id", flat=True))
    new = [u for u in roster.users if u.pk not in already]
    if locked.capacity is not None and len(already) + len(new) > locked.capacity:
        from communities.services.cohorts import RowError

        raise RosterError(
            [
                RowError(
                    1,
                    "",
                    _("The roster adds %(n)s people; the course has %(left)s places left.")
                    % {"n": len(new), "left": max(locked.capacity - len(already), 0)},
                )
            ]
        )
    now = timezone.now()
    for user in new:
        _enrol(locked, user, Enrolment.Via.ROSTER, now)
    notify(
        recipients=[u.pk for u in new],
        kind="course_enrolled",
        title=_("You are enrolled in %(title)s") % {"title": course.title},
        url=course.get_absolute_url(),
        dedupe_key=f"course-enrolled:{course.pk}",
    )
    return len(new)


@transaction.atomic
def course_introduce(*, course: Course, user, body: str):
    """The participant's introduction: a reply in the introductions thread."""
    if not permissions.is_inside(user, course):
        raise PermissionDenied
    thread = course.intro_thread
    if thread is None:
        raise ValidationError(_("This course has no introductions thread."))
    if not (body or "").strip():
        raise ValidationError({"body": _("Write a few words about yourself.")})
    return reply_create(thread=thread, author=user, body=body)


def reading_release_day(course: Course, item: FlowItem) -> date:
    return (
        course.starts_on
        - timedelta(days=course.prereading_opens_days)
        + timedelta(days=item.day_offset)
    )


def reading_release_at(course: Course, item: FlowItem, tz) -> datetime:
    """When `item` opens for a participant in zone `tz`: its day at the flow's time there."""
    flow = course.prereading
    at = flow.post_time if flow is not None else time(9, 0)
    return clock.local_instant(reading_release_day(course, item), at, tz)


@transaction.atomic
def course_reading_add(
    *, course: Course, added_by, kind: str, title: str, body: str = "", url: str = "", day: int = 0
) -> FlowItem:
    if not permissions.can_run(added_by, course):
        raise PermissionDenied
    if course.prereading is None:
        raise ValidationError(_("This course has no pre-reading flow."))
    return flow_item_add(
        flow=course.prereading, kind=kind, title=title, body=body, url=url, day_offset=day
    )


@transaction.atomic
def reading_mark(*, item: FlowItem, user, now: datetime | None = None) -> bool:
    """Opening a reading's page marks it read (once). True the first time."""
    _, created = ReadingMark.objects.get_or_create(
        item=item, user=user, defaults={"read_at": now or timezone.now()}
    )
    return created


_DUE_SQL = """
    (SELECT (%s::timestamptz AT TIME ZONE z.tz) >= (%s::date + %s::time)
     FROM (SELECT COALESCE(
             (SELECT COALESCE(NULLIF(p.time_zone, ''), NULLIF(l.time_zone, ''))
              FROM people_profile p LEFT JOIN people_location l ON l.id = p.location_id
              WHERE p.user_id = courses_enrolment.user_id),
             %s) AS tz) z)
"""


def reading_audience(*, course: Course, item: FlowItem, now: datetime):
    """Participants whose own local day and time for `item` have come."""
    flow = course.prereading
    if flow is None:
        return Enrolment.objects.none().values("user_id")
    due = RawSQL(  # noqa: S611 - constant SQL; every value is a parameter
        _DUE_SQL,
        (now, reading_release_day(course, item), flow.post_time, org_tz().key),
        output_field=BooleanField(),
    )
    return Enrolment.objects.filter(course=course).filter(due).values("user_id")


def course_readings_deliver(*, now: datetime | None = None) -> int:
    """The courses clock: tell each participant of each reading on its day in their zone.

    One INSERT ... SELECT per reading, idempotent by its dedupe key, so every run after the
    first adds nothing for people already told. Returns how many notifications were made.
    """
    now = now or timezone.now()
    today = now.astimezone(org_tz()).date()
    courses = Course.objects.select_related("prereading").filter(
        prereading__isnull=False, ends_on__gte=today - timedelta(days=1)
    )
    total = 0
    for course in courses:
        items = FlowItem.objects.filter(flow_id=course.prereading_id or 0)
        for item in items:
            if reading_release_day(course, item) > today + timedelta(days=1):
                continue
            with transaction.atomic():
                total += notify_audience_now(
                    audience=reading_audience(course=course, item=item, now=now),
                    kind="course_reading",
                    title=_("%(course)s: time to read %(title)s")
                    % {"course": course.title, "title": item.title},
                    url=reverse("courses:reading", args=[course.pk, item.pk]),
                    dedupe_key=f"course-reading:{item.pk}",
                )
    return total


@transaction.atomic
def prompt_add(*, course: Course, added_by, title: str, body: str = "") -> DiscussionPrompt:
    if not permissions.can_run(added_by, course):
        raise PermissionDenied
    last = course.prompts.order_by("-position").values_list("position", flat=True).first() or 0
    prompt = DiscussionPrompt(course=course, position=last + 1, title=title, body=body)
    prompt.full_clean()
    prompt.save()
    return prompt


@transaction.atomic
def prompt_open(*, prompt: DiscussionPrompt, opened_by) -> DiscussionPrompt:
    """Open a prompt live: it becomes a thread in the course community, once."""
    course = prompt.course
    if not permissions.can_run(opened_by, course):
        raise PermissionDenied
    locked = DiscussionPrompt.objects.select_for_update().get(pk=prompt.pk)
    if locked.opened_at is not None:
        return locked
    thread = thread_create(
        community=course.community,
        author=opened_by,
        kind=Thread.Kind.DISCUSSION,
        title=locked.title,
        body=locked.body or locked.title,
        is_system=True,
    )
    locked.thread = thread
    locked.opened_at = timezone.now()
    locked.opened_by = opened_by
    locked.save(update_fields=["thread", "opened_at", "opened_by"])
    notify_audience_now(
        audience=Enrolment.objects.filter(course=course).values("user_id"),
        kind="course_prompt",
        title=_("%(course)s: join the discussion, %(title)s")
        % {"course": course.title, "title": locked.title},
        url=thread.get_absolute_url(),
        dedupe_key=f"course-prompt:{locked.pk}",
    )
    return locked


@transaction.atomic
def course_follow_up_set(*, course: Course, set_by, challenge: Challenge | None) -> Course:
    if not permissions.can_run(set_by, course):
        raise PermissionDenied
    if challenge is not None and not permissions.can_guide_challenge(set_by, challenge):
        raise ValidationError({"follow_up": _("Choose a challenge you design.")})
    course.follow_up = challenge
    course.save(update_fields=["follow_up"])
    return course


@transaction.atomic
def course_cohorts_make(*, course: Course, made_by, group_size: int = 8) -> int:
    """After the course: cohorts by interest, as from a roster upload. Returns how many."""
    if not permissions.can_run(made_by, course):
        raise PermissionDenied
    if course.cohorts_made_at is not None:
        raise ValidationError(_("The cohorts of this course are made already."))
    emails = list(course.enrolments.values_list("user__email", flat=True))
    if len(emails) < 2:
        raise ValidationError(_("Cohorts need at least 2 participants."))
    try:
        cohorts = cohorts_create(
            created_by=made_by,
            course_name=course.title,
            roster_text="\n".join(emails),
            group_size=max(group_size, 2),
        )
    except RosterError as error:
        raise ValidationError([str(e) for e in error.errors]) from error
    course.cohorts_made_at = timezone.now()
    course.save(update_fields=["cohorts_made_at"])
    return len(cohorts)


def _completion_activity(course: Course, enrolment: Enrolment, by, now: datetime) -> None:
    activity_record(
        verb=COURSE_COMPLETED,
        actor=enrolment.user,
        occurred_at=now,
        community_id=course.community_id,
        object_type="course",
        object_id=course.pk,
        extra={
            "title": course.title,
            "marked_by": getattr(by, "pk", None),
        },
    )


@transaction.atomic
def course_complete(*, course: Course, completed_by, now: datetime | None = None) -> int:
    """A facilitator marks the course complete: every participant not completed yet is
    completed, each with a `course_completed` activity (and so an xAPI statement through the
    outbox when an LRS is configured). Returns how many were completed now."""
    if not permissions.can_run(completed_by, course):
        raise PermissionDenied
    now = now or timezone.now()
    locked = _locked(course)
    pending = list(
        Enrolment.objects.select_for_update()
        .select_related("user")
        .filter(course=locked, completed_at__isnull=True)
    )
    for enrolment in pending:
        enrolment.completed_at = now
        _completion_activity(locked, enrolment, completed_by, now)
    Enrolment.objects.bulk_update(pending, ["completed_at"])
    if locked.completed_at is None:
        locked.completed_at = now
        locked.save(update_fields=["completed_at"])
    return len(pending)


def enrolment_complete_if_done(*, course: Course, user, now: datetime | None = None) -> bool:
    """All phases done (introduced, every reading read, every opened prompt answered, and the
    course over): the participant completes without waiting for the facilitator."""
    from ..selectors import participant_progress

    progress = participant_progress(course=course, user=user, now=now)
    if progress is None or not progress.all_done:
        return False
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update()
            .select_related("user")
            .filter(course=course, user=user, completed_at__isnull=True)
            .first()
        )
        if enrolment is None:
            return False
        enrolment.completed_at = now or timezone.now()
        enrolment.save(update_fields=["completed_at"])
        _completion_activity(course, enrolment, None, enrolment.completed_at)
    return True
