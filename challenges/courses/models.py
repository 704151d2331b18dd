"""Courses (the social classroom) and the learning guide's prompts.

A course has a private course community (participants and facilitators) and three phases:
before (an introductions thread, pre-reading as a learning flow released relative to the
start date in each participant's zone), during (discussion prompts a facilitator opens live,
each becoming a thread), after (a follow-up challenge and cohorts by interest).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from challenges.models import Challenge, FlowItem
from communities.models import Community, Reply, Thread
from socialearn import limits
from socialearn.limits import bounded_text
from socialearn.people.models import person_name


class Course(models.Model):
    class Enrolment(models.TextChoices):
        ROSTER = "roster", _("From a roster (CSV of emails)")
        SELF = "self", _("People enrol themselves, up to the capacity")

    class Phase(models.TextChoices):
        BEFORE = "before", _("Before the course")
        DURING = "during", _("During the course")
        AFTER = "after", _("After the course")

    title = models.CharField(_("title"), max_length=160)
    description = bounded_text(limits.DESCRIPTION, blank=True, help_text=_("Markdown."))
    description_html = models.TextField(blank=True, editable=False)
    # The community a manager created the course for; empty when L&D set it up.
    host_community = models.ForeignKey(
        Community,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_courses",
        verbose_name=_("host community"),
    )
    community = models.OneToOneField(
        Community,
        on_delete=models.PROTECT,
        related_name="course",
        editable=False,
        verbose_name=_("course community"),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="facilitated_courses",
        verbose_name=_("facilitators"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    # Raised whenever the dates, title or place change, so that a calendar app re-importing
    # the course's file replaces the entry it has instead of keeping the old one.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    enrolment = models.CharField(
        _("enrolment"), max_length=8, choices=Enrolment.choices, default=Enrolment.SELF
    )
    prereading_opens_days = models.PositiveSmallIntegerField(
        _("pre-reading opens (days before the start)"),
        default=7,
        help_text=_("A reading's own day counts from this day."),
    )
    prereading = models.OneToOneField(
        "challenges.Flow",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="course",
        editable=False,
    )
    intro_thread = models.OneToOneField(
        Thread,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="course_intro",
        editable=False,
    )
    follow_up = models.ForeignKey(
        Challenge,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_up_of",
        verbose_name=_("follow-up challenge"),
    )
    cohorts_made_at = models.DateTimeField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on", "title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="course_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["starts_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:detail", args=[self.pk])


class Enrolment(models.Model):
    """A participant of a course. Facilitators are not participants."""

    class Via(models.TextChoices):
        ROSTER = "roster", _("Roster")
        SELF = "self", _("Enrolled themselves")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_enrolments"
    )
    via = models.CharField(max_length=8, choices=Via.choices)
    enrolled_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="unique_course_enrolment"),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.user)} in {self.course}"


class DiscussionPrompt(models.Model):
    """A question the facilitator opens live during the course: opening posts it as a thread."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="prompts")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=160)
    body = bounded_text(limits.SHORT_DESCRIPTION, blank=True, help_text=_("Markdown."))
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    thread = models.OneToOneField(
        Thread,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="course_prompt",
        editable=False,
    )

    class Meta:
        ordering = ["course", "position"]
        verbose_name = _("discussion prompt")
        verbose_name_plural = _("discussion prompts")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "position"], name="unique_course_prompt_position"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReadingMark(models.Model):
    """A person opened a pre-reading item's page: that is what "read" means here."""

    item = models.ForeignKey(FlowItem, on_delete=models.CASCADE, related_name="reading_marks")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reading_marks"
    )
    read_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reading mark")
        verbose_name_plural = _("reading marks")
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="unique_reading_mark"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.item_id}"


class GuidePrompt(models.Model):
    """One prompt a learning guide sent from their dashboard, and to whom.

    A spotlight is pinned inside its answer's thread until someone takes it down: the row
    stays (it is what insights count), marked with when and by whom it came down.
    """

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message to one person")
        NUDGE = "nudge", _("Nudge to those behind")
        SPOTLIGHT = "spotlight", _("Spotlight on an answer")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    challenge = models.ForeignKey(
        Challenge, null=True, blank=True, on_delete=models.CASCADE, related_name="guide_prompts"
    )
    course = models.ForeignKey(
        Course, null=True, blank=True, on_delete=models.CASCADE, related_name="guide_prompts"
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="guide_prompts_received", blank=True
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="spotlights"
    )
    spotlight_thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(_("message"), max_length=1000, blank=True)
    sent_at = models.DateTimeField()
    unpinned_at = models.DateTimeField(null=True, blank=True, editable=False)
    unpinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("guide prompt")
        verbose_name_plural = _("guide prompts")
        constraints = [
            models.CheckConstraint(
                condition=Q(challenge__isnull=True, course__isnull=False)
                | Q(challenge__isnull=False, course__isnull=True),
                name="guide_prompt_for_one_thing",
            ),
            models.UniqueConstraint(
                fields=["reply"],
                condition=Q(kind="spotlight", unpinned_at__isnull=True),
                name="one_spotlight_per_answer",
            ),
        ]
        indexes = [
            models.Index(fields=["course", "-sent_at"]),
            models.Index(fields=["challenge", "-sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sent_at:%Y-%m-%d}"
