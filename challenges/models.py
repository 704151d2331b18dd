from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Thread
from socialearn import limits
from socialearn.limits import bounded_text
from socialearn.people.models import person_name

from . import clock


def weekdays_label(weekdays) -> str:
    """A flow's posting days in words: "Every day", "Weekdays", "Every Mon", "Mon, Wed"."""
    days = clock.normalise_weekdays(weekdays)
    if days == clock.EVERY_DAY:
        return gettext("Every day")
    if days == clock.WEEKDAYS:
        return gettext("Weekdays")
    if len(days) == 1:
        return gettext("Every %(day)s") % {"day": WEEKDAYS_ABBR[days[0] - 1]}
    return ", ".join(str(WEEKDAYS_ABBR[d - 1]) for d in days)


class Challenge(models.Model):
    """A sequence of bite-sized steps released on a cadence into a community."""

    class Cadence(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        CUSTOM = "custom", _("Custom (each step has its own day offset)")

    class LengthUnit(models.TextChoices):
        DAYS = "days", _("days")
        WEEKS = "weeks", _("weeks")
        MONTHS = "months", _("months")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    title = models.CharField(max_length=160)
    summary = models.CharField(max_length=255, blank=True)
    description = bounded_text(limits.DESCRIPTION, blank=True, help_text=_("Markdown."))
    description_html = models.TextField(blank=True, editable=False)
    designer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="designed_challenges",
    )
    guide = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guided_challenges",
        verbose_name=_("learning guide"),
    )
    community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="challenges",
        help_text=_("Where the steps are posted. Templates have none."),
    )
    cadence = models.CharField(max_length=8, choices=Cadence.choices, default=Cadence.DAILY)
    length_value = models.PositiveSmallIntegerField(_("length"), default=30)
    length_unit = models.CharField(
        max_length=8, choices=LengthUnit.choices, default=LengthUnit.DAYS
    )
    start_date = models.DateField(null=True, blank=True)
    release_time = models.TimeField(
        default="09:00", help_text=_("In the organisation's time zone.")
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    is_template = models.BooleanField(default=False)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    # Grace: how many missed periods a participant's streak can absorb.
    streak_grace = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_template=True) | Q(community__isnull=False),
                name="challenge_has_community_unless_template",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "is_template", "start_date"]),
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="challenge_title_trgm"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("challenges:detail", args=[self.pk])

    def clean(self) -> None:
        if not self.is_template and self.community_id is None:
            raise ValidationError({"community": gettext("Choose the community the steps go into.")})
        if self.status == self.Status.PUBLISHED and not self.start_date:
            raise ValidationError(
                {"start_date": gettext("A published challenge needs a start date.")}
            )

    @property
    def length_label(self) -> str:
        n = self.length_value
        if self.length_unit == self.LengthUnit.WEEKS:
            return ngettext("%(n)s week", "%(n)s weeks", n) % {"n": n}
        if self.length_unit == self.LengthUnit.MONTHS:
            return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}
        return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}

    @property
    def end_date(self) -> date | None:
        if not self.start_date:
            return None
        if self.length_unit == self.LengthUnit.DAYS:
            return self.start_date + timedelta(days=self.length_value - 1)
        if self.length_unit == self.LengthUnit.WEEKS:
            return self.start_date + timedelta(weeks=self.length_value) - timedelta(days=1)
        month = self.start_date.month - 1 + self.length_value
        year = self.start_date.year + month // 12
        day = min(self.start_date.day, 28)
        return date(year, month % 12 + 1, day) - timedelta(days=1)

    @property
    def streak_period(self) -> str:
        return "day" if self.cadence == self.Cadence.DAILY else "week"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and not self.is_template


class Step(models.Model):
    """One bite-sized activity; the clock posts it as a thread at `release_at`.

    `posted_at` and `thread` are the step's posting stamp: the clock claims an unstamped due
    row with SELECT ... FOR UPDATE SKIP LOCKED and stamps it in the transaction that creates
    the thread, so each step is posted once whatever runs concurrently.
    """

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=160)
    prompt = bounded_text(limits.DESCRIPTION, help_text=_("A bite-sized activity, in Markdown."))
    prompt_html = models.TextField(blank=True, editable=False)
    resources = bounded_text(
        limits.SHORT_DESCRIPTION,
        blank=True,
        help_text=_("Links or references, one per line (Markdown allowed)."),
    )
    resources_html = models.TextField(blank=True, editable=False)
    estimated_minutes = models.PositiveSmallIntegerField(default=10)
    day_offset = models.PositiveSmallIntegerField(
        default=0, help_text=_("Days after the start date (used by custom cadences).")
    )
    allow_mark_done = models.BooleanField(
        _("can be marked done"),
        default=False,
        help_text=_("Otherwise the step is completed by answering in its thread."),
    )
    release_at = models.DateTimeField(null=True, blank=True, editable=False)
    posted_at = models.DateTimeField(null=True, blank=True, editable=False)
    posted_late = models.BooleanField(default=False, editable=False)
    thread = models.OneToOneField(
        Thread,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="challenge_step",
        editable=False,
    )

    class Meta:
        ordering = ["challenge", "position"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "position"], name="unique_step_position"),
        ]
        indexes = [
            models.Index(
                fields=["release_at"],
                condition=Q(posted_at__isnull=True),
                name="step_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("challenges:step", args=[self.challenge_id, self.pk])

    @property
    def is_posted(self) -> bool:
        return self.posted_at is not None


class Participant(models.Model):
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="challenge_entries"
    )
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["challenge", "user"], name="unique_participant"),
        ]
        indexes = [models.Index(fields=["challenge", "left_at"])]

    def __str__(self) -> str:
        return f"{person_name(self.user)} in {self.challenge}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class Completion(models.Model):
    class Via(models.TextChoices):
        REPLY = "reply", _("Answered in the thread")
        MARK_DONE = "done", _("Marked done")

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="completions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="step_completions"
    )
    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="completions")
    via = models.CharField(max_length=8, choices=Via.choices)
    reply_id = models.BigIntegerField(null=True, blank=True)
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "user"], name="unique_step_completion"),
        ]
        indexes = [models.Index(fields=["challenge", "user", "completed_at"])]

    def __str__(self) -> str:
        return f"{person_name(self.user)} completed {self.step}"


class Flow(models.Model):
    """A curator's queue of micro-items the clock posts into a community."""

    class Mode(models.TextChoices):
        SCHEDULED = "scheduled", _("On a schedule, into the community")
        RELATIVE = "relative", _("Relative to each member's join date, to their inbox")

    name = models.CharField(max_length=160)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="flows")
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="curated_flows",
    )
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.SCHEDULED)
    # ISO weekdays, Monday = 1 ... Sunday = 7.
    weekdays = models.JSONField(default=list, blank=True)
    post_time = models.TimeField(default="09:00", help_text=_("In the organisation's time zone."))
    is_paused = models.BooleanField(default=False)
    # Relative flows serve only members who joined after this moment.
    active_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("challenges:flow", args=[self.pk])

    @property
    def schedule_label(self) -> str:
        at = f"{self.post_time:%H:%M}"
        if self.mode == self.Mode.RELATIVE:
            return gettext("Day by day after each member joins, at %(time)s") % {"time": at}
        return gettext("%(days)s at %(time)s") % {"days": weekdays_label(self.weekdays), "time": at}


class FlowItem(models.Model):
    class Kind(models.TextChoices):
        TIP = "tip", _("Tip")
        RESOURCE = "resource", _("Resource link")
        QUESTION = "question", _("Question")

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TIP)
    title = models.CharField(max_length=160)
    body = bounded_text(limits.DESCRIPTION, blank=True, help_text=_("Markdown."))
    url = models.URLField(blank=True, max_length=500)
    day_offset = models.PositiveSmallIntegerField(
        default=0, help_text=_("Relative flows: days after the member joined.")
    )
    scheduled_for = models.DateTimeField(null=True, blank=True, editable=False)
    posted_at = models.DateTimeField(null=True, blank=True, editable=False)
    posted_late = models.BooleanField(default=False, editable=False)
    # Relative flows: every member who joined before this was served (or skipped) already.
    relative_served_before = models.DateTimeField(null=True, blank=True, editable=False)
    thread = models.OneToOneField(
        Thread,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flow_item",
        editable=False,
    )

    class Meta:
        ordering = ["flow", "position", "id"]
        indexes = [
            models.Index(
                fields=["scheduled_for"],
                condition=Q(posted_at__isnull=True),
                name="flowitem_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_posted(self) -> bool:
        return self.posted_at is not None


class FlowItemSkip(models.Model):
    """A relative flow item a member was owed and did not get, and why (for the curator)."""

    item = models.ForeignKey(FlowItem, on_delete=models.CASCADE, related_name="skips")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flow_item_skips"
    )
    reason = models.CharField(max_length=300)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="unique_flow_item_skip"),
        ]

    def __str__(self) -> str:
        return f"{self.item} skipped for {self.user_id}"


# --- curation: feeds a flow's curator watches, and what they bring in --------------------------

FEED_SUMMARY = 2_000
FEED_NOTE = 1_000


class FlowFeed(models.Model):
    """An RSS or Atom feed a curator subscribed a flow to; the clock reads it."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="feeds")
    url = models.URLField(_("Feed address"), max_length=500)
    title = models.CharField(max_length=200, blank=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(editable=False)
    # Conditional GET: what the server said last time, sent back so it can answer 304.
    etag = models.CharField(max_length=255, blank=True, editable=False)
    last_modified = models.CharField(max_length=64, blank=True, editable=False)
    # The clock's bookkeeping. next_fetch_at doubles as a lease while a fetch runs.
    next_fetch_at = models.DateTimeField(db_index=True, editable=False)
    last_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    failures = models.PositiveSmallIntegerField(default=0, editable=False)
    last_error = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "url"], name="one_subscription_per_feed"),
        ]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def is_failing(self) -> bool:
        return self.failures > 0


class FeedEntry(models.Model):
    """One article a feed brought in: waits in the flow's review queue for the curator."""

    class Status(models.TextChoices):
        NEW = "new", _("To review")
        QUEUED = "queued", _("Queued in the flow")
        DISMISSED = "dismissed", _("Dismissed")

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="feed_entries")
    feed = models.ForeignKey(FlowFeed, null=True, on_delete=models.SET_NULL, related_name="entries")
    source = models.CharField(max_length=200, blank=True)
    # Normalised (lower-case host, no fragment, no tracking parameters): one entry per article
    # and flow, whichever feed brings it and however often.
    url = models.URLField(max_length=500)
    title = models.CharField(max_length=160)
    summary = bounded_text(FEED_SUMMARY, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    note = bounded_text(FEED_NOTE, blank=True)
    item = models.OneToOneField(
        FlowItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_entry"
    )
    created_at = models.DateTimeField(editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = _("feed entries")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "url"], name="one_entry_per_article_and_flow"),
        ]
        indexes = [
            models.Index(
                fields=["flow", "-created_at"],
                condition=Q(status="new"),
                name="feed_entry_review_queue",
            ),
        ]

    def __str__(self) -> str:
        return self.title
