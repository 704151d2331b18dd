"""Timed expert Q&A sessions: a window, a board of questions, answers and kept promises."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialearn import limits
from socialearn.limits import bounded_text
from socialearn.people.models import Topic

DEFAULT_DURATION = timedelta(hours=1)


def org_today(now: datetime | None = None) -> date:
    """Today in the organisation's zone: deferral dates are the same day for everyone."""
    import zoneinfo

    return timezone.localdate(now or timezone.now(), zoneinfo.ZoneInfo(settings.TIME_ZONE))


def org_date(moment: datetime) -> date:
    return org_today(moment)


# How far ahead the calendar reaches: a session starts within two years from now, a deferred
# answer is promised within a year. Forms and services refuse anything further.
SCHEDULE_YEARS_AHEAD = 2
DEFERRAL_DAYS_AHEAD = 365
SCHEDULE_TOO_LATE = _("Choose a start within the next two years.")
DEFERRAL_TOO_LATE = _("Promise an answer within a year: choose a date before %(latest)s.")


def latest_start(now: datetime | None = None) -> date:
    """The last day a session may start on."""
    today = org_today(now)
    try:
        return today.replace(year=today.year + SCHEDULE_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + SCHEDULE_YEARS_AHEAD, day=28)


def latest_deferral(now: datetime | None = None) -> date:
    """The last day an expert may defer an answer to."""
    return org_today(now) + timedelta(days=DEFERRAL_DAYS_AHEAD)


class Series(models.Model):
    """Lunch-and-learn sessions that belong together (e.g. "Data Fridays")."""

    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=160, unique=True)
    description = bounded_text(limits.SHORT_DESCRIPTION, blank=True)
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="session_series"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="session_series"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = _("series")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("expertqa:series", args=[self.slug])


class Session(models.Model):
    class Kind(models.TextChoices):
        ASK = "ask", _("Ask the expert")
        BACKCHANNEL = "backchannel", _("Live event backchannel")
        LUNCH = "lunch", _("Lunch-and-learn")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OPEN = "open", _("Open now")
        CLOSED = "closed", _("Closed")
        KEPT = "kept", _("Commitment kept")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(max_length=200)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="expert_sessions")
    description = bounded_text(limits.DESCRIPTION, blank=True)
    description_html = models.TextField(blank=True, editable=False)
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="expert_sessions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ASK)
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    experts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="expert_sessions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderated_sessions",
    )
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField(db_index=True)
    # The community thread that announces the session, so community search finds it.
    thread = models.OneToOneField(
        "communities.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert_session",
    )
    # Bumped by every service that changes what the board shows; the live poll compares it.
    version = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Stamps of the clock's work, each done exactly once.
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    close_processed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Calendar clients replace an event when its SEQUENCE grows: bumped by every reschedule
    # and by the cancellation.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    cancel_note = bounded_text(limits.CANCEL_NOTE, blank=True, editable=False)
    # After the talk: where to watch it again or find the slides (the moderator or a speaker).
    recording_url = models.URLField(_("Recording or slides link"), max_length=500, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_window_positive"
            ),
            # Written without full_clean() by session_cancel.
            limits.length_constraint("session", "cancel_note", limits.CANCEL_NOTE),
        ]
        indexes = [
            models.Index(fields=["community", "starts_at"]),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="session_title_trgm"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("expertqa:detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def clock_state(self, now: datetime | None = None) -> str:
        """Scheduled, open or closed from the clock; cancelled overrides the clock."""
        if self.cancelled_at is not None:
            return self.State.CANCELLED
        now = now or timezone.now()
        if now < self.starts_at:
            return self.State.SCHEDULED
        if now < self.ends_at:
            return self.State.OPEN
        return self.State.CLOSED

    def takes_questions(self, now: datetime | None = None) -> bool:
        return self.clock_state(now) in (self.State.SCHEDULED, self.State.OPEN)

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


def question_address(session_id: int, question_id: int) -> str:
    """A question on its session's board: the board opens at the window that holds it."""
    url = reverse("expertqa:detail", args=[session_id])
    return f"{url}?question={question_id}#question-{question_id}"


class QuestionQuerySet(models.QuerySet):
    def on_board(self):
        return self.filter(status=Question.Status.VISIBLE)

    def owed(self):
        """Neither answered nor deferred (meaningful once the window has closed)."""
        return self.on_board().filter(answered_at__isnull=True, deferred_to__isnull=True)


class Question(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("On the board")
        HIDDEN = "hidden", _("Hidden as off-topic")
        MERGED = "merged", _("Merged into another question")

    class Commitment(models.TextChoices):
        WAITING = "waiting", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered in the window")
        ANSWERED_LATE = "answered_late", _("Answered after the window")
        DEFERRED = "deferred", _("Deferred")
        DELIVERED = "delivered", _("Deferred, delivered on time")
        DELIVERED_LATE = "delivered_late", _("Deferred, delivered late")
        OVERDUE = "overdue", _("Deferred, overdue")
        OWED = "owed", _("Owed")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="session_questions",
    )
    is_anonymous = models.BooleanField(default=False)
    body = bounded_text(limits.EXPERT_QUESTION)
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.VISIBLE)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    vote_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(db_index=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    deferred_to = models.DateField(null=True, blank=True)
    deferral_note = bounded_text(limits.DEFERRAL_NOTE, blank=True)
    deferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deferred_at = models.DateTimeField(null=True, blank=True)
    deferral_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-vote_count", "created_at", "id"]
        constraints = [
            # Written without full_clean() by question_defer.
            limits.length_constraint("question", "deferral_note", limits.DEFERRAL_NOTE),
        ]
        indexes = [
            models.Index(fields=["session", "status", "-vote_count"]),
            # The board's "newest" order, read a window at a time.
            models.Index(
                fields=["session", "status", "-created_at", "-id"], name="question_board_newest"
            ),
            models.Index(
                fields=["deferred_to"],
                condition=Q(deferred_to__isnull=False, answered_at__isnull=True),
                name="question_deferral_due",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def commitment(self, now: datetime | None = None) -> str:
        """Where this question stands against the session's promise."""
        now = now or timezone.now()
        C = self.Commitment
        if self.deferred_to:
            if self.answered_at:
                on_time = org_date(self.answered_at) <= self.deferred_to
                return C.DELIVERED if on_time else C.DELIVERED_LATE
            return C.OVERDUE if org_today(now) > self.deferred_to else C.DEFERRED
        if self.answered_at:
            return C.ANSWERED if self.answered_at <= self.session.ends_at else C.ANSWERED_LATE
        if self.session.cancelled_at is not None:
            return C.WAITING  # a cancelled session promised nothing; a late answer is welcome
        return C.OWED if now >= self.session.ends_at else C.WAITING


class Vote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_votes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="one_vote_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} +1 {self.question_id}"


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = bounded_text(limits.EXPERT_ANSWER)
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Answer {self.pk} to {self.question_id}"


# --- live events, live chats and polls ---------------------------------------------------------
# A live event is a session (its window, hosts as experts, community, calendar file, questions
# and their upvotes) plus a backchannel where the audience talks to each other. A live chat is
# the same with numbered prompts the clock releases. Polls belong to any session.

LIVE_MESSAGE = 500
LIVE_AGENDA = 5_000
LIVE_PROMPT = 1_000
POLL_QUESTION = 300
POLL_OPTION = 120
POLL_WORDS = 40


class LiveEvent(models.Model):
    class Format(models.TextChoices):
        EVENT = "event", _("Live event (backchannel, questions, polls)")
        CHAT = "chat", _("Live chat (numbered prompts on a timer)")

    session = models.OneToOneField(
        Session, primary_key=True, on_delete=models.CASCADE, related_name="live"
    )
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.EVENT)
    agenda = bounded_text(LIVE_AGENDA, blank=True)
    agenda_html = models.TextField(blank=True, editable=False)
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="moderated_live_events"
    )
    # Seconds a person waits between two messages; 0 is off. Enforced by live_message_post.
    slow_mode_seconds = models.PositiveSmallIntegerField(default=0)
    pinned = models.ForeignKey(
        "LiveMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the start was announced to the community's Teams/Slack channels (once).
    start_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The community thread that keeps the backchannel, the questions and the polls afterwards.
    kept_thread = models.OneToOneField(
        "communities.Thread",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kept_live_event",
        editable=False,
    )

    def __str__(self) -> str:
        return self.session.title

    def get_absolute_url(self) -> str:
        return reverse("expertqa:live_detail", args=[self.pk])

    @property
    def is_chat(self) -> bool:
        return self.format == self.Format.CHAT

    def is_live(self, now: datetime | None = None) -> bool:
        """Takes messages: inside the window (or before it, for the early birds), not closed."""
        if self.closed_at is not None:
            return False
        return self.session.takes_questions(now)


class LivePrompt(models.Model):
    """Q1, Q2…: a live chat's numbered prompt, released by the clock at its time, once."""

    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="prompts")
    number = models.PositiveSmallIntegerField()
    body = bounded_text(LIVE_PROMPT)
    release_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="one_prompt_per_number"),
        ]
        indexes = [
            models.Index(
                fields=["release_at"],
                condition=Q(released_at__isnull=True),
                name="live_prompt_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.number}"


class LiveMessage(models.Model):
    event = models.ForeignKey(LiveEvent, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = bounded_text(LIVE_MESSAGE)
    body_html = models.TextField(blank=True, editable=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    prompt = models.ForeignKey(
        LivePrompt, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    created_at = models.DateTimeField()
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["event", "author", "-created_at"])]

    def __str__(self) -> str:
        return self.body[:60]


class LiveReaction(models.Model):
    class Kind(models.TextChoices):
        # Words, not emoji: the buttons show icons (an emoji is an empty box where the
        # machine has no emoji font), and the words are what screen readers say.
        THUMBS_UP = "thumbs_up", _("Thumbs up")
        CLAP = "clap", _("Applause")
        IDEA = "idea", _("Good idea")
        HEART = "heart", _("Love it")

    message = models.ForeignKey(LiveMessage, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "user", "kind"], name="one_live_reaction_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.message_id}"


class Poll(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        RATING = "rating", _("Rating scale (1–5)")
        WORDS = "words", _("Word cloud")

    class State(models.TextChoices):
        DRAFT = "draft", _("Not open yet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="polls")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    question = models.CharField(max_length=POLL_QUESTION)
    state = models.CharField(max_length=8, choices=State.choices, default=State.DRAFT)
    # Hidden from everyone but the hosts until revealed.
    revealed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    ballot_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.question

    RATING_SCALE = (1, 2, 3, 4, 5)


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(max_length=POLL_OPTION)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class PollBallot(models.Model):
    """One person's answer to one poll: the database refuses a second one."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    options = models.ManyToManyField(PollOption, blank=True, related_name="ballots")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # A word-cloud answer, lower case and trimmed, so equal words count together.
    words = models.CharField(max_length=POLL_WORDS, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "user"], name="one_ballot_per_person"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="ballot_rating_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on poll {self.poll_id}"


# --- learning networks: talks proposed by employees ---------------------------------------------

PROPOSAL_ABSTRACT = 3_000
PROPOSAL_NOTE = 1_000


class TalkProposal(models.Model):
    """An employee's offer to give a talk in a learning network; its managers decide."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="talk_proposals"
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="talk_proposals"
    )
    title = models.CharField(_("Title"), max_length=200)
    abstract = bounded_text(PROPOSAL_ABSTRACT, verbose_name=_("Abstract"))
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="talk_proposals", verbose_name=_("Topic")
    )
    preferred_slot = models.CharField(
        _("Preferred slot"),
        max_length=200,
        blank=True,
        help_text=_("e.g. a Thursday lunchtime in March"),
    )
    duration_minutes = models.PositiveSmallIntegerField(_("Length in minutes"), default=30)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    decision_note = bounded_text(PROPOSAL_NOTE, blank=True, editable=False)
    session = models.OneToOneField(
        Session,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposal",
        editable=False,
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=10, duration_minutes__lte=240),
                name="talk_proposal_duration_bounded",
            ),
            # Written without full_clean() by proposal_decline.
            limits.length_constraint("talkproposal", "decision_note", PROPOSAL_NOTE),
        ]
        indexes = [
            models.Index(
                fields=["community", "created_at"],
                condition=Q(status="pending"),
                name="talk_proposal_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("expertqa:proposal", args=[self.pk])
