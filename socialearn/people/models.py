import zoneinfo

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy

from socialearn import limits
from socialearn.limits import bounded_text


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("“%(value)s” is not a time zone we know, e.g. Europe/Paris.") % {"value": value}
        )


class Topic(models.Model):
    """One node of the organisation's taxonomy of skills and subjects."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = bounded_text(limits.TOPIC_DESCRIPTION, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        indexes = [
            # The one search finds topics by name with a typo ("negotation").
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="topic_name_trgm"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:100]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("people:topic", args=[self.slug])


class Department(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(
        max_length=64, blank=True, validators=[validate_time_zone], default=""
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


NEW_MEMBER = gettext_lazy("New member")


def person_name(user) -> str:
    """A person as lists and titles name them: their display name, else their full name, else
    "New member" -- never their email (a login and an address, shown only where someone needs
    to write to them), nor the part before its @, which is often the whole name."""
    if user is None:
        return gettext("Former member")
    profile = getattr(user, "profile", None)
    name = (profile.display_name if profile is not None else "") or user.get_full_name()
    return name or str(NEW_MEMBER)


class Profile(models.Model):
    class EmailPreference(models.TextChoices):
        NONE = "none", gettext_lazy("No email")
        IMMEDIATE = "immediate", gettext_lazy("Email me about mentions, answers and requests")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="profiles"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="profiles"
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    is_people_manager = models.BooleanField(
        gettext_lazy("manages people"),
        default=False,
        help_text=gettext_lazy("Leads a team (used by mentoring eligibility)."),
    )
    started_company_on = models.DateField(
        gettext_lazy("started in the company"), null=True, blank=True
    )
    started_role_on = models.DateField(
        gettext_lazy("started in the current role"), null=True, blank=True
    )
    bio = bounded_text(limits.BIO, blank=True)
    expertise = models.ManyToManyField(Topic, blank=True, related_name="experts")
    interests = models.ManyToManyField(Topic, blank=True, related_name="interested")
    time_zone = models.CharField(
        max_length=64, blank=True, default="", validators=[validate_time_zone]
    )
    email_preference = models.CharField(
        max_length=16, choices=EmailPreference.choices, default=EmailPreference.IMMEDIATE
    )
    # The language pages, emails and notifications speak to this person; blank follows the
    # browser (Accept-Language, or the language switch of the signed-out pages).
    language = models.CharField(
        max_length=10, choices=settings.LANGUAGES, blank=True, default="", db_default=""
    )

    class DigestFrequency(models.TextChoices):
        NONE = "none", gettext_lazy("No digest")
        DAILY = "daily", gettext_lazy("Daily")
        WEEKLY = "weekly", gettext_lazy("Weekly")

    digest_frequency = models.CharField(
        gettext_lazy("email digest of followed communities and topics"),
        max_length=8,
        choices=DigestFrequency.choices,
        default=DigestFrequency.NONE,
    )
    last_digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_active_at = models.DateTimeField(null=True, blank=True)
    # The person's id in the identity provider or HR system (SCIM externalId, HR file
    # "employee_id"): it finds them again when their email changes.
    external_id = models.CharField(
        max_length=255, blank=True, default="", db_default="", editable=False
    )
    # When the picture last changed (None: no picture, the initials avatar is shown). Lists
    # read this stamp only; the image itself is in ProfilePhoto, fetched by its own URL.
    photo_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the person finished (or skipped) the first-run setup; None sends them to it.
    onboarded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Kept up to date by people.services.profile_refresh_search (name, title, bio, topics).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        indexes = [
            GinIndex(fields=["search_vector"], name="profile_search_gin"),
            # The directory lists people by name: a page is an index range, not a sort.
            models.Index(fields=["display_name", "id"], name="profile_directory_order"),
            # The home page's new colleagues: the last month's starters, not everyone.
            models.Index(fields=["started_company_on"], name="profile_started_company"),
            # A community's newcomers to welcome, newest first and by id within a day: the
            # first twenty read in order, not the whole of the last day's starters sorted.
            models.Index(
                models.F("started_company_on").desc(), "user_id", name="profile_started_newest"
            ),
            # The one search finds people by name with a typo.
            GinIndex(fields=["display_name"], opclasses=["gin_trgm_ops"], name="profile_name_trgm"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="profile_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("people:profile", args=[self.user_id])

    @property
    def name(self) -> str:
        return self.display_name or self.user.get_full_name() or str(NEW_MEMBER)

    def clean(self) -> None:
        today = timezone.localdate()
        errors = {}
        if self.started_company_on and self.started_company_on > today:
            errors["started_company_on"] = gettext("The date you joined cannot be in the future.")
        if self.started_role_on and self.started_role_on > today:
            errors["started_role_on"] = gettext(
                "The date you started this role cannot be in the future."
            )
        if (
            self.started_company_on
            and self.started_role_on
            and self.started_role_on < self.started_company_on
            and "started_role_on" not in errors
        ):
            errors["started_role_on"] = gettext(
                "You cannot have started this role before you joined the company."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The viewer's zone: their own, else their location's, else the organisation's."""
        name = self.time_zone or (self.location.time_zone if self.location_id else "")
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)

    def years_in_role(self, today=None) -> float | None:
        if not self.started_role_on:
            return None
        today = today or timezone.localdate()
        return (today - self.started_role_on).days / 365.25

    def years_in_company(self, today=None) -> float | None:
        if not self.started_company_on:
            return None
        today = today or timezone.localdate()
        return (today - self.started_company_on).days / 365.25


class ProvisioningToken(models.Model):
    """A bearer token an identity provider (Entra ID, Okta) uses to call the SCIM endpoint.

    Only a hash is kept: the token is shown once, when L&D creates it in the admin.
    """

    name = models.CharField(
        max_length=100, help_text=gettext_lazy("Which system uses it, e.g. “Entra ID”.")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text=gettext_lazy("The token's last characters.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"


class CalendarToken(models.Model):
    """The secret in a person's calendar subscription address (/calendar/feed/<token>.ics).

    Only its hash is kept: the address is shown once, when the person makes it. A revoked
    token stays, so its address answers "gone" (410) rather than "never existed".
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_calendar_token_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.user)} (…{self.hint})"


class PeopleImport(models.Model):
    """An HR file uploaded by L&D: checked first (dry run), applied only when asked."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    content = models.TextField()
    deactivate_missing = models.BooleanField(
        "the file lists everyone",
        default=False,
        help_text=gettext_lazy("People not in the file are leaving: deactivate them."),
    )
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.filename


class ProfilePhoto(models.Model):
    """A profile picture, already resized and stripped of its metadata (EXIF, GPS, ICC).

    Kept in the database beside the profile rather than on a file system, so every web server
    of a self-hosted site serves the same pictures without a shared volume; a 256 px JPEG is a
    few kilobytes."""

    profile = models.OneToOneField(
        Profile, on_delete=models.CASCADE, primary_key=True, related_name="photo"
    )
    image = models.BinaryField()
    content_type = models.CharField(max_length=32, default="image/jpeg")
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Picture of {self.profile_id}"
