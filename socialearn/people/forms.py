import zoneinfo

from django import forms
from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from socialearn.forms import (
    InputLimits,
    LongCheckboxes,
    LongSelect,
    limit_dates,
    today,
    years_from,
)

from .models import Department, Location, Profile, Topic

TIME_ZONE_CHOICES = [("", _("Same as my location"))] + [
    (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
]


# Language names stay in their own language, so a reader finds theirs whatever is shown.
LANGUAGE_CHOICES = [("", _("Same as my browser")), *settings.LANGUAGES]


def language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Language"),
        choices=LANGUAGE_CHOICES,
        required=False,
        help_text=_("Pages, emails and notifications are written in this language."),
    )


# Marks a topic field for the searchable tag picker (static/js/pickers.js); the plain field
# works without it.
TAG_PICKER = {"data-picker": "tags", "data-picker-url": reverse_lazy("people:topic_suggest")}


class DirectoryFilterForm(forms.Form):
    """The directory's search box and filters; bad values become messages, never errors."""

    q = forms.CharField(
        label=_("Name, role or skill"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. negotiation or Priya")}
        ),
    )
    topic = forms.ModelChoiceField(
        label=_("Expert in"),
        queryset=Topic.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any topic"),
        error_messages={
            "invalid_choice": _("That topic does not exist; choose one from the list.")
        },
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("Any department"),
        error_messages={
            "invalid_choice": _("That department does not exist; choose one from the list.")
        },
    )
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.order_by("name"),
        required=False,
        empty_label=_("Any location"),
        error_messages={
            "invalid_choice": _("That location does not exist; choose one from the list.")
        },
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class ProfileForm(InputLimits, forms.ModelForm):
    photo = forms.FileField(
        label=_("Profile picture"),
        required=False,
        help_text=_(
            "A JPEG, PNG, GIF or WebP image up to 5 MB. We crop it to a square and "
            "remove its hidden details (camera, place, date)."
        ),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
        error_messages={"invalid": _("That upload did not arrive whole; try again.")},
    )
    remove_photo = forms.BooleanField(
        label=_("Remove my picture (show my initials)"), required=False
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=TIME_ZONE_CHOICES,
        widget=LongSelect,
        required=False,
        help_text=_("Times on the site are shown in this zone."),
        error_messages={
            "invalid_choice": _("“%(value)s” is not a time zone we know; choose one from the list.")
        },
    )
    language = language_field()

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "job_title",
            "department",
            "location",
            "started_company_on",
            "started_role_on",
            "bio",
            "expertise",
            "interests",
            "time_zone",
            "language",
            "email_preference",
            "digest_frequency",
        ]
        labels = {
            "display_name": _("Name shown to colleagues"),
            "job_title": _("Job title"),
            "department": _("Department"),
            "location": _("Location"),
            "started_company_on": _("Date you joined the company"),
            "started_role_on": _("Date you started your current role"),
            "bio": _("About you"),
            "expertise": _("Topics you can help others with"),
            "interests": _("Topics you want to learn"),
            "email_preference": _("Email"),
            "digest_frequency": _("Digest of followed communities and topics"),
        }
        help_texts = {
            "bio": _("A few lines on what you do and what colleagues can ask you about."),
            "email_preference": _("In-app notifications always appear in your inbox."),
        }
        widgets = {
            "started_company_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "started_role_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "bio": forms.Textarea(attrs={"rows": 4}),
            "expertise": LongCheckboxes(attrs=TAG_PICKER),
            "interests": LongCheckboxes(attrs=TAG_PICKER),
        }
        error_messages = {
            "started_company_on": {"invalid": _("Enter a date like 2021-09-01.")},
            "started_role_on": {"invalid": _("Enter a date like 2023-04-15.")},
            "department": {"invalid_choice": _("Choose a department from the list.")},
            "location": {"invalid_choice": _("Choose a location from the list.")},
            "expertise": {"invalid_choice": _("“%(value)s” is not one of our topics.")},
            "interests": {"invalid_choice": _("“%(value)s” is not one of our topics.")},
            "display_name": {"max_length": _("Keep your name under %(limit_value)d characters.")},
            "job_title": {"max_length": _("Keep the job title under %(limit_value)d characters.")},
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["expertise"].queryset = Topic.objects.order_by("name")
        self.fields["interests"].queryset = Topic.objects.order_by("name")
        # A career fits in seventy years, and has begun.
        for name in ("started_company_on", "started_role_on"):
            limit_dates(
                self.fields[name],
                earliest=years_from(today(), -70),
                latest=today(),
                too_early=_("Choose a date from %(earliest)s on."),
                too_late=_("The date cannot be in the future."),
            )
        self.fields["display_name"].required = True
        self.fields["display_name"].error_messages["required"] = _(
            "Tell colleagues what to call you."
        )
        if self.instance.photo_updated_at is None:
            del self.fields["remove_photo"]  # nothing to remove: the initials show already


class WelcomeForm(InputLimits, forms.ModelForm):
    """The first-run setup's first step: what colleagues see first and what to suggest."""

    time_zone = ProfileForm.base_fields["time_zone"]
    language = language_field()

    class Meta:
        model = Profile
        fields = [
            "display_name",
            "job_title",
            "location",
            "time_zone",
            "language",
            "expertise",
            "interests",
        ]
        labels = {
            "display_name": _("Your name, as colleagues know you"),
            "job_title": _("Job title"),
            "location": _("Where you work"),
            "expertise": _("Topics you can help others with"),
            "interests": _("Topics you want to learn"),
        }
        help_texts = {
            "interests": _("We suggest communities and people from these."),
        }
        widgets = {
            "expertise": LongCheckboxes(attrs=TAG_PICKER),
            "interests": LongCheckboxes(attrs=TAG_PICKER),
        }
        error_messages = ProfileForm.Meta.error_messages

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["expertise"].queryset = Topic.objects.order_by("name")
        self.fields["interests"].queryset = Topic.objects.order_by("name")
        self.fields["location"].empty_label = _("Choose your site")
        self.fields["display_name"].required = True
        self.fields["display_name"].error_messages["required"] = _(
            "Tell colleagues what to call you."
        )


MAX_PEOPLE_FILE_BYTES = 20 * 1024 * 1024


class PeopleImportForm(forms.Form):
    people_file = forms.FileField(
        label=_("People (CSV file)"),
        help_text=_(
            "One person per line with a header row: email, given_name, family_name, job_title, "
            "department, location, manager_email, started_company_on, started_role_on, "
            "team_lead, employee_id. Dates as 2024-03-31."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    deactivate_missing = forms.BooleanField(
        label=_("The file lists everyone: deactivate people who are not in it"),
        required=False,
    )

    def clean_people_file(self):
        upload = self.cleaned_data["people_file"]
        if upload.size > MAX_PEOPLE_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it by department."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                _("The file is not UTF-8 text; save it as “CSV UTF-8” and upload it again.")
            ) from exc
        if "\x00" in text:
            raise forms.ValidationError(_("This is not a CSV file."))
        return text
