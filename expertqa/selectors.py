"""Reads the session pages share. Who may see and do what is written in
expertqa.permissions; the names below keep older callers working."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from communities.selectors import communities_visible_to
from socialearn.people.models import person_name as people_person_name

from . import permissions
from .models import Answer, Question, Series, Session, Vote, org_today

# --- who may see and moderate: expertqa.permissions -----------------------------------------

can_view_community = permissions.can_view_community
can_view_session = permissions.can_view_session
is_community_manager = permissions.is_community_manager


def visible_communities(user) -> QuerySet:
    if not user.is_authenticated:
        return Community.objects.none()
    return communities_visible_to(user)


def visible_sessions(user) -> QuerySet:
    return Session.objects.filter(community__in=visible_communities(user))


@dataclass
class Viewer:
    """What one person may do on one session's board, worked out once per request."""

    user: object
    is_expert: bool = False
    is_moderator: bool = False
    expert_ids: set = field(default_factory=set)

    @property
    def sees_anonymous_askers(self) -> bool:
        return self.is_moderator


def viewer_for(user, session: Session, expert_ids: set[int] | None = None) -> Viewer:
    if expert_ids is None:
        expert_ids = set(session.experts.values_list("id", flat=True))
    is_moderator = permissions.is_moderator(user, session)
    return Viewer(
        user=user,
        is_expert=user.pk in expert_ids,
        is_moderator=is_moderator,
        expert_ids=expert_ids,
    )


def can_moderate(user, session: Session) -> bool:
    return permissions.is_moderator(user, session)


# --- names ------------------------------------------------------------------------------------


def person_name(user) -> str:
    """Never the email: see people.models.person_name."""
    if user is None:
        return _("Someone who left")
    return people_person_name(user)


def asker_label(question: Question, viewer: Viewer | None) -> str:
    """The asker's name as this viewer may see it: anonymous askers stay anonymous."""
    if not question.is_anonymous:
        return person_name(question.author)
    if viewer is not None and viewer.sees_anonymous_askers:
        return _("Anonymous (to others; %(name)s)") % {"name": person_name(question.author)}
    return _("Anonymous")


# --- state and records ------------------------------------------------------------------------


@dataclass
class Record:
    """The commitment record of one session (or of one expert across sessions)."""

    answered: int = 0
    answered_late: int = 0
    deferred: int = 0
    delivered: int = 0
    delivered_late: int = 0
    overdue: int = 0
    owed: int = 0
    waiting: int = 0

    @property
    def total(self) -> int:
        return (
            self.answered
            + self.answered_late
            + self.deferred
            + self.delivered
            + self.delivered_late
            + self.overdue
            + self.owed
            + self.waiting
        )

    @property
    def due(self) -> int:
        """Questions whose session has closed: the ones a promise can be kept on."""
        return self.total - self.waiting

    @property
    def kept(self) -> int:
        return self.answered + self.deferred + self.delivered

    @property
    def kept_percent(self) -> int:
        return round(100 * self.kept / self.due) if self.due else 100

    def add(self, other: "Record") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


_RECORD_FIELDS = {
    Question.Commitment.ANSWERED: "answered",
    Question.Commitment.ANSWERED_LATE: "answered_late",
    Question.Commitment.DEFERRED: "deferred",
    Question.Commitment.DELIVERED: "delivered",
    Question.Commitment.DELIVERED_LATE: "delivered_late",
    Question.Commitment.OVERDUE: "overdue",
    Question.Commitment.OWED: "owed",
    Question.Commitment.WAITING: "waiting",
}


def record_of(questions, now: datetime | None = None) -> Record:
    record = Record()
    now = now or timezone.now()
    for q in questions:
        name = _RECORD_FIELDS[q.commitment(now)]
        setattr(record, name, getattr(record, name) + 1)
    return record


def _record_annotations(now: datetime) -> dict:
    """Counts per session in SQL, so listings annotate instead of looping."""
    board = Q(questions__status=Question.Status.VISIBLE)
    today = org_today(now)
    answered = Q(questions__answered_at__isnull=False)
    deferred = Q(questions__deferred_to__isnull=False)
    return {
        "n_questions": Count("questions", filter=board, distinct=True),
        "n_answered": Count("questions", filter=board & answered & ~deferred, distinct=True),
        "n_deferred": Count(
            "questions",
            filter=board & deferred & ~answered & Q(questions__deferred_to__gte=today),
            distinct=True,
        ),
        "n_delivered": Count("questions", filter=board & deferred & answered, distinct=True),
        "n_overdue": Count(
            "questions",
            filter=board & deferred & ~answered & Q(questions__deferred_to__lt=today),
            distinct=True,
        ),
        "n_open": Count("questions", filter=board & ~answered & ~deferred, distinct=True),
    }


def session_state(session: Session, now: datetime | None = None) -> str:
    """Scheduled / open / closed, or "commitment kept" once nothing is owed after close.

    Uses the n_open annotation when the session carries it, else one COUNT.
    """
    now = now or timezone.now()
    state = session.clock_state(now)
    if state != Session.State.CLOSED:
        return state
    owed = getattr(session, "n_open", None)
    if owed is None:
        owed = session.questions.owed().count()
    return Session.State.KEPT if owed == 0 else Session.State.CLOSED


# --- listings ---------------------------------------------------------------------------------


def _listing_base(user, query: str = "") -> QuerySet:
    qs = visible_sessions(user).select_related("topic", "community", "series")
    if query:
        matching_questions = Question.objects.filter(
            session=OuterRef("pk"), status=Question.Status.VISIBLE, body__icontains=query
        )
        # Past sessions are their record: answers are found as well as questions.
        matching_answers = Answer.objects.filter(
            question__session=OuterRef("pk"),
            question__status=Question.Status.VISIBLE,
            body__icontains=query,
        )
        qs = qs.filter(
            Q(title__icontains=query)
            | Q(description__icontains=query)
            | Q(topic__name__icontains=query)
            | Q(series__title__icontains=query)
            | Exists(matching_questions)
            | Exists(matching_answers)
        )
    return qs


@dataclass
class Listing:
    live: list
    upcoming: list
    past: Page


def session_listing(user, *, query: str = "", page: int | str = 1, per_page: int = 20):
    now = timezone.now()
    base = _listing_base(user, query)
    experts = Prefetch("experts", queryset=_people())
    live = list(
        base.filter(starts_at__lte=now, ends_at__gt=now, cancelled_at__isnull=True)
        .annotate(**_record_annotations(now))
        .prefetch_related(experts)
        .order_by("ends_at")[:20]
    )
    # A session cancelled during what would have been its window stays with the upcoming
    # ones (marked cancelled) until the window has passed.
    upcoming = list(
        base.filter(Q(starts_at__gt=now) | Q(ends_at__gt=now, cancelled_at__isnull=False))
        .prefetch_related(experts)
        .order_by("starts_at")[:20]
    )
    past_qs = (
        base.filter(ends_at__lte=now)
        .annotate(**_record_annotations(now))
        .prefetch_related(experts)
        .order_by("-ends_at", "-id")
    )
    past = Paginator(past_qs, per_page).get_page(page)
    for s in [*live, *past.object_list]:
        s.state = session_state(s, now)
    for s in upcoming:
        s.state = Session.State.CANCELLED if s.cancelled_at else Session.State.SCHEDULED
    return Listing(live=live, upcoming=upcoming, past=past)


def _people():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("profile")


def live_and_next(user, limit: int = 3) -> tuple[list, list]:
    now = timezone.now()
    base = visible_sessions(user).select_related("topic", "community")
    base = base.filter(cancelled_at__isnull=True)
    live = list(base.filter(starts_at__lte=now, ends_at__gt=now).order_by("ends_at")[:limit])
    upcoming = list(
        base.filter(starts_at__gt=now, starts_at__lte=now + timedelta(days=7)).order_by(
            "starts_at"
        )[:limit]
    )
    return live, upcoming


def series_detail(user, series: Series) -> dict:
    now = timezone.now()
    sessions = list(
        Session.objects.filter(series=series)
        .select_related("topic", "community", "series")
        .prefetch_related(Prefetch("experts", queryset=_people()))
        .annotate(**_record_annotations(now))
        .order_by("starts_at")
    )
    for s in sessions:
        s.state = session_state(s, now)  # type: ignore[attr-defined]
    return {
        "upcoming": [s for s in sessions if s.starts_at > now],
        "live": [s for s in sessions if s.starts_at <= now < s.ends_at],
        "past": [s for s in reversed(sessions) if s.ends_at <= now],
    }


# --- the board --------------------------------------------------------------------------------


def session_for_board(pk: int) -> Session:
    return (
        Session.objects.select_related(
            "topic", "community", "series", "moderator__profile", "thread"
        )
        .prefetch_related(Prefetch("experts", queryset=_people()))
        .get(pk=pk)
    )


@dataclass
class Board:
    session: Session
    viewer: Viewer
    questions: list
    hidden: list
    owed: list
    record: Record
    state: str
    sort: str
    version: int

    @property
    def state_label(self) -> str:
        return str(Session.State(self.state).label)


def board_for(session: Session, user, *, sort: str = "votes", detailed: int | None = None) -> Board:
    """Everything the board shows, in a fixed number of queries whatever its size.

    Every question counts toward the record and the owed list, but only the first `detailed`
    visible ones (all when None) get their answers and duplicate counts: the board shows
    those in full, and loading answers for a thousand questions made the page slow.
    """
    now = timezone.now()
    expert_ids = {e.pk for e in session.experts.all()}
    viewer = viewer_for(user, session, expert_ids=expert_ids)
    statuses = [Question.Status.VISIBLE]
    if viewer.is_moderator:
        statuses.append(Question.Status.HIDDEN)
    order = ["-created_at", "-id"] if sort == "new" else ["-vote_count", "created_at", "id"]
    # Every question, but no people: a thousand askers' accounts and profiles cost more to
    # build than the rest of the page. Those of the questions shown in full follow below.
    rows = list(Question.objects.filter(session=session, status__in=statuses).order_by(*order))
    voted = set()
    if user.is_authenticated and rows:
        voted = set(
            Vote.objects.filter(user=user, question__session=session).values_list(
                "question_id", flat=True
            )
        )
    visible: list[Question] = []
    hidden: list[Question] = []
    for q in rows:
        q.session = session  # commitment() reads the window without a query
        q.asker = ""  # named below for the questions shown in full
        q.is_mine = user.is_authenticated and q.author_id == user.pk
        q.voted = q.pk in voted
        q.state = q.commitment(now)
        q.answer_list = []
        q.n_duplicates = 0
        (visible if q.status == Question.Status.VISIBLE else hidden).append(q)
    shown = visible if detailed is None else visible[:detailed]
    _add_people([*shown, *hidden])
    for q in [*shown, *hidden]:
        q.asker = asker_label(q, viewer)  # type: ignore[attr-defined]
    _add_answers_and_duplicates(shown)
    record = record_of(visible, now)
    session.n_open = record.owed + record.waiting  # type: ignore[attr-defined]
    state = session_state(session, now)
    owed = [q for q in visible if q.state == Question.Commitment.OWED]  # type: ignore[attr-defined]
    return Board(
        session=session,
        viewer=viewer,
        questions=visible,
        hidden=hidden,
        owed=owed,
        record=record,
        state=state,
        sort=sort,
        version=session.version,
    )


def _add_people(questions: list) -> None:
    """Each question's asker and deferring expert, with their profiles, in one query."""
    from django.contrib.auth import get_user_model

    ids = {q.author_id for q in questions} | {q.deferred_by_id for q in questions}
    ids.discard(None)
    if not ids:
        return
    users = get_user_model().objects.filter(pk__in=ids).select_related("profile")
    people = {u.pk: u for u in users}
    for q in questions:
        if q.author_id in people:
            q.author = people[q.author_id]
        if q.deferred_by_id in people:
            q.deferred_by = people[q.deferred_by_id]


def _add_answers_and_duplicates(questions: list) -> None:
    """Each question's answers (oldest first) and how many duplicates were merged into it."""
    if not questions:
        return
    by_pk = {q.pk: q for q in questions}
    answers = (
        Answer.objects.filter(question_id__in=list(by_pk))
        .select_related("author__profile")
        .order_by("created_at", "id")
    )
    for a in answers:
        a.author_name = person_name(a.author)  # type: ignore[attr-defined]
        by_pk[a.question_id].answer_list.append(a)
    duplicates = (
        Question.objects.filter(merged_into_id__in=list(by_pk))
        .values("merged_into_id")
        .annotate(n=Count("id"))
        .values_list("merged_into_id", "n")
    )
    for pk, n in duplicates:
        by_pk[pk].n_duplicates = n


def changes_since(session: Session, since: datetime) -> dict:
    """How many questions and answers arrived after `since` (for the "new" bar)."""
    questions = Question.objects.filter(
        session=session, status=Question.Status.VISIBLE, created_at__gt=since
    ).count()
    answers = Answer.objects.filter(
        question__session=session,
        question__status=Question.Status.VISIBLE,
        created_at__gt=since,
    ).count()
    deferrals = Question.objects.filter(
        session=session, status=Question.Status.VISIBLE, deferred_at__gt=since
    ).count()
    return {"questions": questions, "answers": answers, "deferrals": deferrals}


# --- commitments per expert -------------------------------------------------------------------


def expert_commitments(expert, viewer_user) -> dict:
    now = timezone.now()
    sessions = list(
        visible_sessions(viewer_user)
        .filter(experts=expert)
        .select_related("topic", "community")
        .order_by("-starts_at")
    )
    by_session = {s.pk: s for s in sessions}
    questions = list(
        Question.objects.on_board()
        .filter(session_id__in=list(by_session))
        .order_by("deferred_to", "created_at")
    )
    records: dict[int, Record] = {s.pk: Record() for s in sessions}
    total = Record()
    pending = []
    for q in questions:
        q.session = by_session[q.session_id]
        state = q.commitment(now)
        name = _RECORD_FIELDS[state]
        setattr(records[q.session_id], name, getattr(records[q.session_id], name) + 1)
        setattr(total, name, getattr(total, name) + 1)
        if state in (
            Question.Commitment.OWED,
            Question.Commitment.OVERDUE,
            Question.Commitment.DEFERRED,
        ):
            q.state = state
            pending.append(q)
    for s in sessions:
        s.record = records[s.pk]
        s.state = s.clock_state(now)
        if s.state == Session.State.CLOSED and not (s.record.owed or s.record.waiting):
            s.state = Session.State.KEPT
    return {"sessions": sessions, "total": total, "pending": pending}
