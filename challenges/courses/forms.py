from django import forms
from django.utils.translation import gettext_lazy as _

from challenges.models import FlowItem
from communities.forms import MAX_ROSTER_BYTES, MAX_ROSTER_TEXT
from communities.models import Community
from socialearn.forms import InputLimits

from .models import Course, DiscussionPrompt

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CourseForm(InputLimits, forms.ModelForm):
    host_community = forms.ModelChoiceField(
        queryset=Community.objects.none(),
        required=False,
        label=_("For the community"),
        empty_label=_("The whole organisation (L&D)"),
        help_text=_("Managers create courses for the communities they manage."),
    )
    facilitator_emails = forms.CharField(
        label=_("Facilitators (emails, one per line)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("They run the course with you. Empty: you facilitate it."),
    )

    class Meta:
        model = Course
        fields = [
            "title",
            "description",
            "starts_on",
            "ends_on",
            "location",
            "online_url",
            "capacity",
            "enrolment",
            "prereading_opens_days",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"description": _("Description")}

    def __init__(self, *args, hosts=None, may_host_none: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if hosts is None:
            del self.fields["host_community"]
        else:
            self.fields["host_community"].queryset = hosts
            self.fields["host_community"].required = not may_host_none
        self.facilitators: list = []

    def clean_facilitator_emails(self):
        text = self.cleaned_data.get("facilitator_emails", "")
        if not text.strip():
            return text
        from .services.courses import roster_read

        roster = roster_read(text)
        if roster.errors:
            raise forms.ValidationError([str(e) for e in roster.errors])
        self.facilitators = roster.users
        return text

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The course ends on or after its first day."))
        if not (data.get("location") or "").strip() and not (data.get("online_url") or ""):
            self.add_error("location", _("Give a location or an online link."))
        return data


class RosterForm(forms.Form):
    roster = forms.CharField(
        label=_("Roster (CSV: one email per row, an optional header)"),
        required=False,
        max_length=MAX_ROSTER_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    roster_file = forms.FileField(label=_("Or a CSV file"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("roster_file")
        if upload:
            if upload.size > MAX_ROSTER_BYTES:
                raise forms.ValidationError(_("Keep the file under 1 MB; split the roster."))
            try:
                data["roster"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise forms.ValidationError(_("Save the file as UTF-8 CSV.")) from error
        if not (data.get("roster") or "").strip():
            raise forms.ValidationError(_("Paste the roster or choose a file."))
        return data


class IntroForm(forms.Form):
    body = forms.CharField(
        label=_("Introduce yourself"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who you are, what you work on, what you hope to take away."),
    )


class ReadingForm(InputLimits, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=FlowItem.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=160)
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    day = forms.IntegerField(
        label=_("Day"),
        min_value=0,
        max_value=365,
        initial=0,
        help_text=_("Days after the pre-reading opens (0: the first day)."),
    )


class PromptForm(InputLimits, forms.ModelForm):
    class Meta:
        model = DiscussionPrompt
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        labels = {"body": _("Prompt")}


class FollowUpForm(forms.Form):
    challenge = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Follow-up challenge"),
        empty_label=_("None"),
    )

    def __init__(self, *args, challenges, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenge"].queryset = challenges


class MessageForm(forms.Form):
    to = forms.IntegerField(label=_("To"), widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Message"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NudgeForm(forms.Form):
    people = forms.TypedMultipleChoiceField(label=_("People"), coerce=int, choices=())
    text = forms.CharField(
        label=_("Note (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].choices = choices


class SpotlightForm(forms.Form):
    reply = forms.IntegerField(label=_("Answer"), widget=forms.HiddenInput)
    text = forms.CharField(label=_("Why it is good (optional)"), max_length=1000, required=False)
