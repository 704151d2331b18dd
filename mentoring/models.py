from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import ExpressionWrapper, F, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialearn import limits
from socialearn.limits import bounded_text
from socialearn.people.models import Topic, person_name

COORDINATOR_GROUP = "coordinator"


class ManagesPeople(models.TextChoices):
    ANY = "any", _("Either")
    MUST = "must", _("Must lead a team")
    MUST_NOT = "must_not", _("Must not lead a team")


class Programme(models.Model):
    class MatchingMode(models.TextChoices):
        BATCH = "batch", _("Coordinator runs the matching")
        SELF_SERVICE = "self_service", _("Protégés choose from suggestions")

    name = models.CharField(max_length=150)
    goals = bounded_text(
        limits.SHORT_DESCRIPTION, help_text=_("What people should get out of it (Markdown).")
    )
    commitment = models.CharField(
        _("commitment asked"),
        max_length=200,
        help_text=_("In words, e.g. “an hour every two weeks”."),
    )
    commitment_weeks = models.PositiveSmallIntegerField(
        _("duration in weeks"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(260)],
    )
    rhythm = models.CharField(max_length=100, blank=True, help_text=_("e.g. “every two weeks”."))
    stalled_after_weeks = models.PositiveSmallIntegerField(
        _("stalled after (weeks without a meeting)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
        help_text=_("Both sides are nudged, and the match is listed as stalled, after this long."),
    )
    topics = models.ManyToManyField(Topic, related_name="mentoring_programmes")
    enrolment_opens_on = models.DateField()
    enrolment_closes_on = models.DateField()
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="coordinated_programmes", blank=True
    )
    default_mentor_capacity = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    matching_mode = models.CharField(
        max_length=16, choices=MatchingMode.choices, default=MatchingMode.BATCH
    )
    offline_unrecorded = models.BooleanField(
        _("offline and unrecorded"),
        default=False,
        help_text=_("Conversations happen offline: the platform tracks dates only, never notes."),
    )
    minimum_score = models.PositiveSmallIntegerField(
        default=20, help_text=_("Pairs scoring less are never proposed.")
    )
    onboarding_buddies = models.BooleanField(
        _("onboarding buddies"),
        default=False,
        help_text=_(
            "Newcomers are enrolled as protégés by their start date and offered a buddy: a "
            "volunteer mentor from their location or department."
        ),
    )
    # Eligibility, per side, from profile fields.
    protege_min_years_in_role = models.FloatField(null=True, blank=True)
    protege_max_years_in_role = models.FloatField(null=True, blank=True)
    protege_manages_people = models.CharField(
        max_length=8, choices=ManagesPeople.choices, default=ManagesPeople.ANY
    )
    protege_min_years_in_company = models.FloatField(null=True, blank=True)
    mentor_min_years_in_role = models.FloatField(null=True, blank=True)
    mentor_max_years_in_role = models.FloatField(null=True, blank=True)
    mentor_manages_people = models.CharField(
        max_length=8, choices=ManagesPeople.choices, default=ManagesPeople.ANY
    )
    mentor_min_years_in_company = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-enrolment_opens_on", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mentoring:programme", args=[self.pk])

    def clean(self) -> None:
        if (
            self.enrolment_opens_on
            and self.enrolment_closes_on
            and self.enrolment_closes_on < self.enrolment_opens_on
        ):
            raise ValidationError(
                {"enrolment_closes_on": _("Enrolment must close after it opens.")}
            )
        for side in ("protege", "mentor"):
            low = getattr(self, f"{side}_min_years_in_role")
            high = getattr(self, f"{side}_max_years_in_role")
            if low is not None and high is not None and high < low:
                raise ValidationError(
                    {f"{side}_max_years_in_role": _("The maximum must not be below the minimum.")}
                )

    @property
    def is_enrolment_open(self) -> bool:
        today = timezone.localdate()
        return self.enrolment_opens_on <= today <= self.enrolment_closes_on

    @property
    def is_self_service(self) -> bool:
        return self.matching_mode == self.MatchingMode.SELF_SERVICE


class Enrolment(models.Model):
    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        PROTEGE = "protege", _("Protégé")

    class LocationPreference(models.TextChoices):
        ANY = "any", _("Anywhere")
        SAME = "same", _("Same location as me")
        DIFFERENT = "different", _("A different location")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Unavailable(models.TextChoices):
        AVAILABLE = "", _("Available")
        HOLIDAY = "holiday", _("On holiday")
        FULL = "full", _("Full for now")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_enrolments"
    )
    role = models.CharField(max_length=8, choices=Role.choices)
    topics = models.ManyToManyField(Topic, related_name="mentoring_enrolments")
    goals = bounded_text(limits.ENROLMENT_GOALS, _("what you hope for"), blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("how many protégés"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    location_preference = models.CharField(
        max_length=10, choices=LocationPreference.choices, default=LocationPreference.ANY
    )
    prefer_other_department = models.BooleanField(
        _("prefer someone from another department"), default=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    unavailable = models.CharField(
        max_length=10, choices=Unavailable.choices, default="", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user", "role"], name="unique_enrolment_per_role"
            ),
        ]
        indexes = [models.Index(fields=["programme", "role", "status"])]

    def __str__(self) -> str:
        return f"{person_name(self.user)} as {self.get_role_display()} in {self.programme}"

    @property
    def is_available(self) -> bool:
        return self.status == self.Status.ACTIVE and not self.unavailable


class Match(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed (not yet published)")
        OFFERED = "offered", _("Waiting for answers")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        BATCH = "batch", _("Matching run")
        REQUEST = "request", _("Request")

    LIVE = (Status.PROPOSED, Status.OFFERED, Status.ACTIVE, Status.COMPLETED)
    HOLDING_SLOT = (Status.OFFERED, Status.ACTIVE)

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="matches")
    mentor = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="as_mentor")
    protege = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="as_protege")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.BATCH)
    score = models.IntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    locked = models.BooleanField(default=False)
    message = bounded_text(limits.MESSAGE, _("note to the mentor"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    offered_at = models.DateTimeField(null=True, blank=True)
    mentor_accepted_at = models.DateTimeField(null=True, blank=True)
    protege_accepted_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-score", "id"]
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(
                fields=["protege"],
                condition=Q(status__in=["proposed", "offered", "active", "completed"]),
                name="one_live_match_per_protege",
            ),
            # Written without full_clean() by match_request.
            limits.length_constraint("match", "message", limits.MESSAGE),
        ]
        indexes = [
            models.Index(fields=["programme", "status"]),
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["status", "offered_at"]),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.mentor.user)} mentors {person_name(self.protege.user)}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:match", args=[self.pk])

    def involves(self, user) -> bool:
        return user.pk in (self.mentor.user_id, self.protege.user_id)


class Meeting(models.Model):
    """A date the pair met or will meet. Notes only where the programme records conversations.

    A meeting scheduled ahead has `starts_at` (and `met_on` is its local date); one logged
    afterwards has only `met_on`.
    """

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="meetings")
    met_on = models.DateField()
    notes = bounded_text(limits.MEETING_NOTES, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    starts_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(10), MaxValueValidator(480)]
    )
    agenda = bounded_text(limits.MESSAGE, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the invitation (with its ICS) went to both people: the relay sends it once.
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-met_on", "-id"]

    def __str__(self) -> str:
        return f"{self.match_id} met on {self.met_on}"


class MatchingRun(models.Model):
    """One run of the engine for a programme: its figures and who was left unmatched."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    matched = models.PositiveIntegerField(default=0)
    total_score = models.IntegerField(default=0)
    # [{"enrolment_id": int, "name": str, "reason": str}]
    unmatched = models.JSONField(default=list, blank=True)
    # Locked pairs the engine refused (over capacity, manager, paired before, ...):
    # [{"mentor_id": int, "protege_id": int, "reason": str}]; their proposals are removed.
    refused_locks = models.JSONField(default=list, blank=True)
    # Enrolments left out because they no longer meet the programme's rules (a profile
    # changed, a rule was tightened): [{"enrolment_id", "name", "role", "reason"}].
    ineligible = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.programme}"


class AdhocRequest(models.Model):
    """“Ask for a mentor” on a topic, outside any programme."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="adhoc_requests"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="adhoc_requests")
    message = bounded_text(limits.ADHOC_MESSAGE)
    created_at = models.DateTimeField(default=timezone.now)
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{person_name(self.user)} asks about {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:adhoc", args=[self.pk])


class AdhocVolunteer(models.Model):
    """Someone open to ad-hoc mentoring on a topic, outside any programme."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="adhoc_topics"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="adhoc_volunteers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="unique_adhoc_volunteer"),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.user)} mentors {self.topic} ad hoc"


# The relationship after the match: agreement, goals, notes, check-ins.


class Agreement(models.Model):
    """How a pair means to work together, prefilled from the programme when the match starts.

    The match ends on `ends_on` unless both people ask to extend it.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone")
        MIXED = "mixed", _("A mix")

    EXTENSION_WEEKS = 4

    match = models.OneToOneField(Match, on_delete=models.CASCADE, related_name="agreement")
    frequency = models.CharField(
        _("how often"), max_length=12, choices=Frequency.choices, default=Frequency.FORTNIGHTLY
    )
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices, default=Mode.VIDEO)
    meeting_minutes = models.PositiveSmallIntegerField(
        _("minutes per meeting"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(480)],
    )
    weeks = models.PositiveSmallIntegerField(
        _("for how many weeks"), validators=[MinValueValidator(1), MaxValueValidator(260)]
    )
    ends_on = models.DateField()
    mentor_agreed_at = models.DateTimeField(null=True, blank=True)
    protege_agreed_at = models.DateTimeField(null=True, blank=True)
    mentor_extend_at = models.DateTimeField(null=True, blank=True)
    protege_extend_at = models.DateTimeField(null=True, blank=True)
    extensions = models.PositiveSmallIntegerField(default=0)
    # The day the mid-point survey is due: half-way from the start to `ends_on`, where the
    # start is `ends_on` less the weeks agreed and the extensions. Kept by the database, so
    # the clock finds the matches due by an index instead of reading every active one.
    midpoint_on = models.GeneratedField(
        expression=ExpressionWrapper(
            F("ends_on")
            - (Value(7) * (F("weeks") + Value(EXTENSION_WEEKS) * F("extensions")) + Value(1))
            / Value(2),
            output_field=models.DateField(),
        ),
        output_field=models.DateField(),
        db_persist=True,
    )

    class Meta:
        indexes = [
            models.Index(fields=["midpoint_on"], name="agreement_midpoint_on"),
            models.Index(fields=["ends_on"], name="agreement_ends_on"),
        ]

    def __str__(self) -> str:
        return f"Agreement of match {self.match_id}"

    @property
    def is_agreed(self) -> bool:
        return bool(self.mentor_agreed_at and self.protege_agreed_at)


class Goal(models.Model):
    """A goal the pair set. In an offline and unrecorded programme it keeps no wording."""

    class Source(models.TextChoices):
        PROGRAMME = "programme", _("From the programme")
        PROTEGE = "protege", _("The protégé's own")

    class Status(models.TextChoices):
        PROGRESSING = "progressing", _("Progressing")
        ACHIEVED = "achieved", _("Achieved")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="goals")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PROTEGE)
    title = models.CharField(max_length=200, blank=True)
    target_on = models.DateField(_("target date"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROGRESSING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    achieved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["target_on", "id"]
        indexes = [models.Index(fields=["match", "status"])]

    def __str__(self) -> str:
        return f"Goal {self.pk} of match {self.match_id}"


class MatchNote(models.Model):
    """A note one side wrote: private to its author, or shared with the other person.

    Never written in an offline and unrecorded programme.
    """

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="notes")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="match_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_notes"
    )
    shared = models.BooleanField(default=False)
    body = bounded_text(limits.MEETING_NOTES)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["match", "author"])]

    def __str__(self) -> str:
        return f"Note {self.pk} on match {self.match_id}"


class CheckIn(models.Model):
    """A short survey each side answers at the programme's mid-point and at the end."""

    class Stage(models.TextChoices):
        MIDPOINT = "midpoint", _("Mid-point")
        END = "end", _("End")

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started yet")
        SOME = "some", _("Some progress")
        MOST = "most", _("Most of the way")
        DONE = "done", _("Achieved")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="checkins")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentoring_checkins"
    )
    side = models.CharField(max_length=8, choices=Enrolment.Role.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    goal_progress = models.CharField(max_length=12, choices=Progress.choices, blank=True)
    would_recommend = models.BooleanField(null=True, blank=True)
    comment = bounded_text(limits.MESSAGE, blank=True)

    class Meta:
        verbose_name_plural = _("check-ins")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["match", "user", "stage"], name="one_checkin_per_person_and_stage"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} check-in of match {self.match_id}"

    def get_absolute_url(self) -> str:
        return reverse("mentoring:checkin", args=[self.pk])
