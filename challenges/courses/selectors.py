"""Reads the course pages share: the participant's progress, the facilitator's figures and
the learning guide's dashboard. Each figure is one query; each page a fixed number."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges import clock
from challenges.models import Challenge, Completion, FlowItem, Participant, Step
from communities.hooks import Spotlight
from communities.models import Membership, Reply, Thread
from communities.selectors import up_to_reply
from socialearn.people.permissions import LD_ADMIN

from .models import Course, DiscussionPrompt, Enrolment, GuidePrompt, ReadingMark

PUBLISHED = Thread.Status.PUBLISHED
BEHIND_BY = 2
ANSWER_EXCERPT = 160


def _count_of(qs: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of `qs` (filtered on OuterRef), as a scalar subquery."""
    rows = qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def zone_of(user) -> zoneinfo.ZoneInfo:
    profile = getattr(user, "profile", None)
    return profile.tz if profile is not None else zoneinfo.ZoneInfo(settings.TIME_ZONE)


def course_phase(course: Course, today: date) -> str:
    if today < course.starts_on:
        return Course.Phase.BEFORE
    if today <= course.ends_on:
        return Course.Phase.DURING
    return Course.Phase.AFTER


def course_list(user) -> QuerySet[Course]:
    from .permissions import courses_visible_to

    mine = Enrolment.objects.filter(course=OuterRef("pk"), user=user)
    return (
        courses_visible_to(user)
        .select_related("host_community")
        .annotate(
            participant_count=_count_of(Enrolment.objects.filter(course=OuterRef("pk"))),
            is_enrolled=Exists(mine),
            runs=Exists(
                Course.facilitators.through.objects.filter(
                    course_id=OuterRef("pk"), user_id=user.pk
                )
            ),
        )
        .order_by("-starts_on", "title")
    )


def calendar_courses(user, *, first: date, last: date, today: date) -> QuerySet[Course]:
    """Courses with a day in [first, last] the person is in (participant, facilitator or a
    manager of the course community) or could still join: open for self-enrolment to them,
    places left, not over. Each row knows which (`joined`). One query."""
    from .permissions import courses_visible_to

    taken = _count_of(Enrolment.objects.filter(course=OuterRef("pk")))
    joined = Membership.objects.filter(
        community_id=OuterRef("community_id"), user=user, status=Membership.Status.ACTIVE
    )
    places_left = Q(capacity__isnull=True) | Q(capacity__gt=F("taken"))
    joinable = places_left & Q(
        enrolment=Course.Enrolment.SELF, completed_at__isnull=True, ends_on__gte=today
    )
    return (
        courses_visible_to(user)
        .filter(starts_on__lte=last, ends_on__gte=first)
        .annotate(joined=Exists(joined), taken=taken)
        .filter(Q(joined=True) | joinable)
        .only("title", "starts_on", "ends_on", "location", "sequence")
        .order_by("starts_on", "title", "pk")
    )


# --- the participant -------------------------------------------------------------------------


@dataclass
class Step_:
    kind: str  # "intro" | "reading" | "prompt"
    label: str
    url: str
    done: bool
    released: bool
    opens_at: datetime | None = None
    obj: object = None


@dataclass
class Progress:
    phase: str
    steps: list[Step_] = field(default_factory=list)
    enrolment: Enrolment | None = None

    @property
    def released(self) -> list[Step_]:
        return [s for s in self.steps if s.released]

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.released if s.done)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.total else 0

    @property
    def next_step(self) -> Step_ | None:
        return next((s for s in self.released if not s.done), None)

    @property
    def all_done(self) -> bool:
        return (
            self.phase == Course.Phase.AFTER
            and bool(self.steps)
            and all(s.released and s.done for s in self.steps)
        )


def readings_of(course: Course) -> list[FlowItem]:
    if course.prereading_id is None:
        return []
    return list(
        FlowItem.objects.filter(flow_id=course.prereading_id).order_by(
            "day_offset", "position", "pk"
        )
    )


def participant_progress(*, course: Course, user, now: datetime | None = None) -> Progress | None:
    """Where a participant is: every step (introduce, each reading, each opened prompt),
    released or not, done or not. Four queries whatever the course's size."""
    from django.urls import reverse

    from .services.courses import reading_release_at

    now = now or timezone.now()
    tz = zone_of(user)
    enrolment = Enrolment.objects.filter(course=course, user=user).first()
    if enrolment is None:
        return None
    progress = Progress(phase=course_phase(course, now.astimezone(tz).date()), enrolment=enrolment)
    introduced = (
        course.intro_thread_id is not None
        and Reply.objects.filter(
            thread_id=course.intro_thread_id, author=user, status=PUBLISHED
        ).exists()
    )
    if course.intro_thread_id:
        progress.steps.append(
            Step_(
                kind="intro",
                label=_("Introduce yourself"),
                url=reverse("courses:detail", args=[course.pk]) + "#introduce",
                done=introduced,
                released=True,
            )
        )
    items = []
    if course.prereading_id:
        items = list(
            FlowItem.objects.filter(flow_id=course.prereading_id)
            .select_related("flow")
            .annotate(read=Exists(ReadingMark.objects.filter(item=OuterRef("pk"), user=user)))
            .order_by("day_offset", "position", "pk")
        )
    for n, item in enumerate(items, start=1):
        opens = reading_release_at(course, item, tz)
        progress.steps.append(
            Step_(
                kind="reading",
                label=_("Read item %(n)s: %(title)s") % {"n": n, "title": item.title},
                url=reverse("courses:reading", args=[course.pk, item.pk]),
                done=item.read,
                released=opens <= now,
                opens_at=opens,
                obj=item,
            )
        )
    prompts = (
        DiscussionPrompt.objects.filter(course=course, opened_at__isnull=False)
        .select_related("thread__community")
        .annotate(
            answered=Exists(
                Reply.objects.filter(thread_id=OuterRef("thread_id"), author=user, status=PUBLISHED)
            )
        )
        .order_by("opened_at", "position")
    )
    for prompt in prompts:
        opened = prompt.opened_at
        opened_today = (
            opened is not None and opened.astimezone(tz).date() == now.astimezone(tz).date()
        )
        label = (
            _("Join today's discussion: %(title)s")
            if opened_today
            else _("Join the discussion: %(title)s")
        ) % {"title": prompt.title}
        progress.steps.append(
            Step_(
                kind="prompt",
                label=label,
                url=prompt.thread.get_absolute_url() if prompt.thread else "",
                done=prompt.answered,
                released=True,
                obj=prompt,
            )
        )
    return progress


# --- the facilitator ---------------------------------------------------------------------------


def course_start_instant(course: Course) -> datetime:
    return clock.local_instant(course.starts_on, time(0, 0), zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _posts_since(course: Course, since: datetime, user_ref="user_id"):
    threads = Thread.objects.filter(
        community_id=course.community_id,
        author_id=OuterRef(user_ref),
        status=PUBLISHED,
        is_anonymous=False,
        is_system=False,
        created_at__gte=since,
    )
    replies = Reply.objects.filter(
        thread__community_id=course.community_id,
        author_id=OuterRef(user_ref),
        status=PUBLISHED,
        is_anonymous=False,
        created_at__gte=since,
    )
    return threads, replies


def _introduced(course: Course, user_ref="user_id") -> Exists:
    return Exists(
        Reply.objects.filter(
            thread_id=course.intro_thread_id or 0, author_id=OuterRef(user_ref), status=PUBLISHED
        )
    )


def _reads(course: Course, user_ref="user_id") -> Coalesce:
    return _count_of(
        ReadingMark.objects.filter(
            item__flow_id=course.prereading_id or 0, user_id=OuterRef(user_ref)
        )
    )


@dataclass
class Figures:
    participants: int
    introduced: int
    read_all: int
    posted_since_start: int
    completed: int
    readings: int


def facilitator_figures(course: Course) -> Figures:
    """One query per figure."""
    enrolled = Enrolment.objects.filter(course=course)
    readings = FlowItem.objects.filter(flow_id=course.prereading_id or 0).count()
    threads, replies = _posts_since(course, course_start_instant(course))
    return Figures(
        participants=enrolled.count(),
        introduced=enrolled.filter(_introduced(course)).count(),
        read_all=(
            enrolled.annotate(reads=_reads(course)).filter(reads__gte=readings).count()
            if readings
            else 0
        ),
        posted_since_start=enrolled.filter(Q(Exists(threads)) | Q(Exists(replies))).count(),
        completed=enrolled.filter(completed_at__isnull=False).count(),
        readings=readings,
    )


def facilitator_rows(course: Course) -> QuerySet[Enrolment]:
    """Each participant with their figures; the view pages it (two queries a page)."""
    threads, replies = _posts_since(course, course_start_instant(course))
    return (
        Enrolment.objects.filter(course=course)
        .select_related("user__profile")
        .annotate(
            introduced=_introduced(course),
            reads=_reads(course),
            posts=_count_of(threads) + _count_of(replies),
        )
        .order_by("user__profile__display_name", "pk")
    )


# --- the learning guide's dashboard ------------------------------------------------------------


@dataclass
class GuideRow:
    user_id: int
    name: str
    released: int
    done: int
    posts: int
    unanswered: int

    @property
    def behind(self) -> int:
        return max(self.released - self.done, 0)

    @property
    def is_stuck(self) -> bool:
        return self.behind >= BEHIND_BY


@dataclass
class Guide:
    rows: list[GuideRow]
    answers: list[Reply]
    prompts: list[GuidePrompt]

    @property
    def stuck(self) -> list[GuideRow]:
        return [r for r in self.rows if r.is_stuck]

    @property
    def silent(self) -> list[GuideRow]:
        return [r for r in self.rows if r.posts == 0]

    @property
    def unanswered(self) -> list[GuideRow]:
        return [r for r in self.rows if r.unanswered]


def _unanswered_count(thread_filter: Q, user_ref: str) -> Coalesce:
    answers = Reply.objects.filter(
        thread_filter, author_id=OuterRef(user_ref), status=PUBLISHED, is_anonymous=False
    )
    later = Reply.objects.filter(
        thread_id=OuterRef("thread_id"), status=PUBLISHED, created_at__gt=OuterRef("created_at")
    ).exclude(author_id=OuterRef("author_id"))
    return _count_of(answers.filter(~Exists(later)))


def _answers(thread_filter: Q, participant_ids: QuerySet) -> list[Reply]:
    """The best-liked answers to spotlight, anonymous ones too (shown as anonymous), each
    with a plain-text excerpt and saying whether it is in the spotlight already."""
    from challenges.services import plain_text

    answers: list[Any] = list(
        Reply.objects.filter(thread_filter, status=PUBLISHED, author_id__in=participant_ids)
        .select_related("author__profile", "thread__community")
        .annotate(spotlit=Exists(live_spotlights().filter(reply_id=OuterRef("pk"))))
        .order_by("-reaction_count", "-created_at")[:10]
    )
    for answer in answers:
        answer.excerpt = plain_text(answer.body_html, ANSWER_EXCERPT)
    return answers


def _prompts_sent(**where) -> list[GuidePrompt]:
    return list(
        GuidePrompt.objects.filter(**where)
        .select_related("sent_by__profile", "spotlight_thread__community")
        .annotate(recipient_count=Count("recipients"))
        .order_by("-sent_at")[:10]
    )


def challenge_guide(challenge: Challenge) -> Guide:
    """Participants of a challenge: steps released vs done, posts, unanswered answers."""
    step_threads = Q(thread__challenge_step__challenge=challenge)
    community = challenge.community_id or 0
    people = (
        Participant.objects.filter(challenge=challenge, left_at__isnull=True)
        .select_related("user__profile")
        .annotate(
            released=_count_of(
                Step.objects.filter(challenge_id=OuterRef("challenge_id"), posted_at__isnull=False)
            ),
            done=_count_of(
                Completion.objects.filter(
                    challenge_id=OuterRef("challenge_id"), user_id=OuterRef("user_id")
                )
            ),
            posts=_count_of(
                Thread.objects.filter(
                    community_id=community,
                    author_id=OuterRef("user_id"),
                    status=PUBLISHED,
                    is_anonymous=False,
                    is_system=False,
                )
            )
            + _count_of(
                Reply.objects.filter(
                    thread__community_id=community,
                    author_id=OuterRef("user_id"),
                    status=PUBLISHED,
                    is_anonymous=False,
                )
            ),
            unanswered=_unanswered_count(step_threads, "user_id"),
        )
        .order_by("user__profile__display_name", "pk")
    )
    rows = [
        GuideRow(p.user_id, _name(p.user), p.released, p.done, p.posts, p.unanswered)
        for p in people
    ]
    participant_ids = Participant.objects.filter(challenge=challenge, left_at__isnull=True).values(
        "user_id"
    )
    return Guide(
        rows=rows,
        answers=_answers(step_threads, participant_ids),
        prompts=_prompts_sent(challenge=challenge),
    )


def course_guide(course: Course, *, now: datetime | None = None) -> Guide:
    """Participants of a course: steps released to each (in their zone) vs done."""
    from .services.courses import reading_release_at

    now = now or timezone.now()
    items = readings_of(course)
    opened = DiscussionPrompt.objects.filter(course=course, opened_at__isnull=False)
    course_threads = Q(thread__course_prompt__course=course) | Q(thread_id=course.intro_thread_id)
    people = (
        Enrolment.objects.filter(course=course)
        .select_related("user__profile__location")
        .annotate(
            introduced=_introduced(course),
            reads=_reads(course),
            prompts_open=_count_of(opened),
            answered=_count_of(
                opened.filter(
                    Exists(
                        Reply.objects.filter(
                            thread_id=OuterRef("thread_id"),
                            author_id=OuterRef(OuterRef("user_id")),
                            status=PUBLISHED,
                        )
                    )
                )
            ),
            posts=_count_of(
                Thread.objects.filter(
                    community_id=course.community_id,
                    author_id=OuterRef("user_id"),
                    status=PUBLISHED,
                    is_anonymous=False,
                    is_system=False,
                )
            )
            + _count_of(
                Reply.objects.filter(
                    thread__community_id=course.community_id,
                    author_id=OuterRef("user_id"),
                    status=PUBLISHED,
                    is_anonymous=False,
                )
            ),
            unanswered=_unanswered_count(course_threads, "user_id"),
        )
        .order_by("user__profile__display_name", "pk")
    )
    rows = []
    for e in people:
        tz = zone_of(e.user)
        released_readings = sum(1 for item in items if reading_release_at(course, item, tz) <= now)
        intro = 1 if course.intro_thread_id else 0
        released = intro + released_readings + e.prompts_open
        done = (1 if e.introduced and intro else 0) + min(e.reads, released_readings) + e.answered
        rows.append(GuideRow(e.user_id, _name(e.user), released, done, e.posts, e.unanswered))
    participant_ids = Enrolment.objects.filter(course=course).values("user_id")
    return Guide(
        rows=rows,
        answers=_answers(course_threads, participant_ids),
        prompts=_prompts_sent(course=course),
    )


def _name(user) -> str:
    from socialearn.people.models import person_name

    return person_name(user)


def upcoming_prompts(course: Course) -> list[DiscussionPrompt]:
    return list(course.prompts.select_related("thread__community").order_by("position"))


# --- spotlights pinned inside threads (the thread page asks through communities.hooks) -------

SPOTLIGHT_EXCERPT = 280


def live_spotlights() -> QuerySet[GuidePrompt]:
    return GuidePrompt.objects.filter(
        kind=GuidePrompt.Kind.SPOTLIGHT, unpinned_at__isnull=True, reply__isnull=False
    )


def _may_remove(prompt: Any, user, *, manager: bool, member: bool) -> bool:
    """What permissions.can_remove_spotlight answers, from what the thread page knows: the
    viewer reads the thread, so the challenge's or course's community (the thread's) is
    theirs to read; its managers are the thread's managers; a course is run by its active
    members who facilitate it (the `facilitates` annotation); an L&D admin is a superuser or
    in the group (the `lnd_admin` annotation, as socialearn.people.permissions.is_lnd_admin)."""
    if manager:
        return True
    if prompt.challenge_id is not None:
        challenge = prompt.challenge
        return (
            user.pk in (challenge.designer_id, challenge.guide_id)
            or user.is_superuser
            or prompt.lnd_admin
        )
    return member and prompt.facilitates


def thread_spotlit(thread: OuterRef) -> Exists:
    """Whether a spotlight is up in `thread`: read with the thread (off the spotlight's thread
    index), so the many threads without one never ask `thread_spotlights`."""
    return Exists(live_spotlights().filter(spotlight_thread=thread))


def thread_spotlights(
    *, thread: Thread, user, manager: bool, member: bool, replies: QuerySet[Reply]
) -> list[Spotlight]:
    """The guides' spotlights on the thread's published answers, in one query."""
    from challenges.services import plain_text

    facilitates = Course.facilitators.through.objects.filter(
        course_id=OuterRef("course_id"), user_id=user.pk
    )
    prompts = (
        live_spotlights()
        .filter(spotlight_thread=thread, reply__thread=thread, reply__status=Reply.Status.PUBLISHED)
        .select_related("reply__author__profile", "sent_by__profile", "challenge")
        .annotate(
            place=_count_of(
                replies.filter(up_to_reply(OuterRef("reply__created_at"), OuterRef("reply_id")))
            ),
            facilitates=Exists(facilitates),
            lnd_admin=Exists(Group.objects.filter(name=LD_ADMIN, user=user.pk)),
        )
        .order_by("-sent_at", "-pk")
    )
    found = []
    for prompt in prompts:
        reply = prompt.reply
        assert reply is not None  # the query asks for prompts on this thread's replies
        may_remove = _may_remove(prompt, user, manager=manager, member=member)
        found.append(
            Spotlight(
                reply_id=reply.pk,
                place=prompt.place,
                author=None if reply.is_anonymous else reply.author,
                anonymous=reply.is_anonymous,
                excerpt=plain_text(reply.body_html, SPOTLIGHT_EXCERPT),
                note=prompt.text,
                by_name=_name(prompt.sent_by),
                at=prompt.sent_at,
                remove_url=reverse("courses:spotlight_remove", args=[prompt.pk])
                if may_remove
                else "",
            )
        )
    return found
