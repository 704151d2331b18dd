from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socialearn import limits
from socialearn.forms import (
    InputLimits,
    LongSelect,
    LongSelectMultiple,
    limit_dates,
    today,
    years_from,
)
from socialearn.people.models import Location, Topic

from .models import Enrolment, Match, Programme

User = get_user_model()


class ProgrammeForm(InputLimits, forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "name",
            "goals",
            "commitment",
            "commitment_weeks",
            "stalled_after_weeks",
            "rhythm",
            "topics",
            "enrolment_opens_on",
            "enrolment_closes_on",
            "default_mentor_capacity",
            "matching_mode",
            "offline_unrecorded",
            "onboarding_buddies",
            "minimum_score",
            "protege_min_years_in_role",
            "protege_max_years_in_role",
            "protege_manages_people",
            "protege_min_years_in_company",
            "mentor_min_years_in_role",
            "mentor_max_years_in_role",
            "mentor_manages_people",
            "mentor_min_years_in_company",
        ]
        labels = {
            "protege_min_years_in_role": _("Protégés: at least … years in current role"),
            "protege_max_years_in_role": _("Protégés: under … years in current role"),
            "protege_manages_people": _("Protégés: lead a team?"),
            "protege_min_years_in_company": _("Protégés: at least … years in the company"),
            "mentor_min_years_in_role": _("Mentors: at least … years in current role"),
            "mentor_max_years_in_role": _("Mentors: under … years in current role"),
            "mentor_manages_people": _("Mentors: lead a team?"),
            "mentor_min_years_in_company": _("Mentors: at least … years in the company"),
            # The model's own field names, as the form showed them, in the reader's language.
            "name": _("Name"),
            "goals": _("Goals"),
            "rhythm": _("Rhythm"),
            "topics": _("Topics"),
            "enrolment_opens_on": _("Enrolment opens on"),
            "enrolment_closes_on": _("Enrolment closes on"),
            "default_mentor_capacity": _("Default mentor capacity"),
            "matching_mode": _("Matching mode"),
            "minimum_score": _("Minimum score"),
        }
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 4}),
            "enrolment_opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "enrolment_closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "topics": LongSelectMultiple(attrs={"size": 6}),
        }

    stalled_after_weeks = forms.IntegerField(
        label=_("Stalled after (weeks without a meeting)"),
        min_value=1,
        max_value=26,
        required=False,
        help_text=_(
            "Both sides are nudged, and you see the match as stalled, after this long "
            "(3 weeks when left empty)."
        ),
        error_messages={
            "min_value": _("Choose at least one week."),
            "max_value": _("Choose at most 26 weeks."),
            "invalid": _("Enter a number of weeks, e.g. 3."),
        },
    )

    def clean_stalled_after_weeks(self) -> int:
        return self.cleaned_data.get("stalled_after_weeks") or 3

    coordinators = forms.CharField(
        label=_("Coordinators"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("name@example.com, …")}),
        help_text=_(
            "Email addresses, separated by commas or new lines. Whoever saves this "
            "form stays a coordinator."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An enrolment window from a year back to three years ahead; dates already stored
        # stay acceptable when the programme is edited.
        for name in ("enrolment_opens_on", "enrolment_closes_on"):
            stored = getattr(self.instance, name) if self.instance.pk else None
            first, last = today() - timedelta(days=365), years_from(today(), 3)
            limit_dates(
                self.fields[name],
                earliest=min(first, stored) if stored else first,
                latest=max(last, stored) if stored else last,
                too_early=_("Choose a date from %(earliest)s on."),
                too_late=_("Choose a date within the next three years, by %(latest)s."),
            )
        if self.instance.pk and not self.is_bound:
            self.initial["coordinators"] = ", ".join(
                self.instance.coordinators.order_by("email").values_list("email", flat=True)
            )

    def clean_coordinators(self) -> list:
        text = self.cleaned_data.get("coordinators") or ""
        emails = list(
            dict.fromkeys(
                e.strip().lower() for e in text.replace("\n", ",").split(",") if e.strip()
            )
        )
        invalid = [e for e in emails if "@" not in e or " " in e]
        if invalid:
            raise forms.ValidationError(
                _("This is not an email address: %(addresses)s.")
                % {"addresses": ", ".join(invalid)}
            )
        if not emails:
            return []
        by_email = Q()
        for email in emails:
            by_email |= Q(email__iexact=email)
        found = {u.email.lower(): u for u in User.objects.filter(by_email, is_active=True)}
        missing = [e for e in emails if e not in found]
        if missing:
            raise forms.ValidationError(
                _("Nobody here has the address %(addresses)s.") % {"addresses": ", ".join(missing)}
            )
        return [found[e] for e in emails]

    def service_fields(self) -> dict:
        """The service's keyword arguments (coordinators included) but the topics."""
        data = dict(self.cleaned_data)
        data.pop("topics")
        return data


class EnrolmentForm(InputLimits, forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one topic.")},
    )

    class Meta:
        model = Enrolment
        fields = ["topics", "goals", "capacity", "location_preference", "prefer_other_department"]
        widgets = {"goals": forms.Textarea(attrs={"rows": 3})}
        labels = {"location_preference": _("Where should the other person be?")}

    def __init__(self, *args, programme: Programme, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = programme.topics.all()
        if role == Enrolment.Role.MENTOR:
            self.fields["capacity"].initial = programme.default_mentor_capacity
            self.fields["goals"].label = _("What you can offer")
        else:
            del self.fields["capacity"]


class SwapForm(forms.Form):
    match = forms.ModelChoiceField(
        queryset=Match.objects.none(),
        label=_("Protégé"),
        error_messages={"invalid_choice": _("Choose a proposed match of this programme.")},
    )
    mentor = forms.ModelChoiceField(
        queryset=Enrolment.objects.none(),
        label=_("Another mentor"),
        error_messages={"invalid_choice": _("Choose a mentor enrolled in this programme.")},
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = Enrolment.objects.filter(
            programme=programme, role=Enrolment.Role.MENTOR, status="active"
        )
        self.fields["match"].queryset = Match.objects.filter(
            programme=programme, status=Match.Status.PROPOSED
        )


class RequestForm(InputLimits, forms.Form):
    message = forms.CharField(
        label=_("A note to the mentor (optional)"),
        required=False,
        max_length=limits.MESSAGE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        if programme.offline_unrecorded:
            del self.fields["message"]  # the platform stores no words of this programme's pairs


class DeclineForm(forms.Form):
    unavailable = forms.ChoiceField(
        label=_("Also mark me as"),
        required=False,
        choices=[
            ("", _("still available")),
            ("holiday", _("on holiday")),
            ("full", _("full for now")),
        ],
    )


class AvailabilityForm(forms.Form):
    unavailable = forms.ChoiceField(
        label=_("Availability"),
        required=False,
        choices=[("", _("Available")), ("holiday", _("On holiday")), ("full", _("Full for now"))],
    )


class MeetingForm(InputLimits, forms.Form):
    met_on = forms.DateField(
        label=_("We met on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    notes = forms.CharField(
        label=_("Notes (seen by the two of you)"),
        required=False,
        max_length=limits.MEETING_NOTES,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, match: Match, **kwargs):
        super().__init__(*args, **kwargs)
        limit_dates(
            self.fields["met_on"],
            earliest=years_from(today(), -5),
            latest=today(),
            too_early=_("Record meetings of the last five years."),
            too_late=_("Record meetings that have happened."),
        )
        if match.programme.offline_unrecorded:
            del self.fields["notes"]


class AdhocRequestForm(InputLimits, forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        widget=LongSelect,
        error_messages={"required": _("Choose the topic you want help with.")},
    )
    message = forms.CharField(
        label=_("What would you like help with?"),
        max_length=limits.ADHOC_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say a few words about what you need.")},
    )


class AdhocVolunteerForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(),
        required=False,
        label=_("I am open to ad-hoc mentoring in"),
        widget=LongSelectMultiple(attrs={"size": 5}),
    )


class VolunteerCallForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.none(),
        error_messages={"required": _("Choose at least one topic.")},
        widget=forms.CheckboxSelectMultiple,
    )
    require_expertise = forms.BooleanField(
        label=_("Only people with one of these topics as expertise"), required=False, initial=True
    )
    min_years_in_role = forms.FloatField(
        label=_("At least … years in their current role"), required=False, min_value=0
    )
    manages_people = forms.BooleanField(label=_("Only people who lead a team"), required=False)
    location = forms.ModelChoiceField(
        label=_("Location"),
        queryset=Location.objects.all(),
        required=False,
        empty_label=_("Any location"),
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = programme.topics.all()

    def audience_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "topic_ids": [t.pk for t in data["topics"]],
            "require_expertise": data["require_expertise"],
            "min_years_in_role": data["min_years_in_role"],
            "manages_people": data["manages_people"],
            "location_id": data["location"].pk if data["location"] else None,
        }
