from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities.mentions import validate_mentions
from communities.models import Community
from socialearn import limits
from socialearn.forms import InputLimits, LongSelect, limit_dates, today, years_from

from .models import FEED_NOTE, FEED_SUMMARY, Challenge, Flow, FlowItem, Step

User = get_user_model()

# A challenge starts within a year back (a copy may catch up on steps already due) and two
# years ahead; a start stored earlier stays acceptable when the challenge is edited.
START_TOO_EARLY = _("Choose a start date from %(earliest)s on.")
START_TOO_LATE = _("Choose a start date within the next two years, by %(latest)s.")


def limit_start_date(field: forms.Field, stored=None) -> None:
    def earliest():
        first = today() - timedelta(days=365)
        return min(first, stored) if stored else first

    def latest():
        last = years_from(today(), 2)
        return max(last, stored) if stored else last

    limit_dates(
        field, earliest=earliest, latest=latest, too_early=START_TOO_EARLY, too_late=START_TOO_LATE
    )


class CopyForm(InputLimits, forms.Form):
    title = forms.CharField(max_length=160, label=_("Title"))
    community = forms.ModelChoiceField(
        queryset=Community.objects.none(),
        widget=LongSelect,
        label=_("Community"),
        help_text=_("The steps are posted there as threads."),
        error_messages={"required": _("Choose the community the steps go into.")},
    )
    start_date = forms.DateField(
        label=_("Start date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Choose the day the first step comes out.")},
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        # Every active community for an L&D admin: names only, written out in one pass.
        self.fields["community"].queryset = communities.only("id", "name")
        limit_start_date(self.fields["start_date"])


class ChallengeForm(InputLimits, forms.ModelForm):
    guide_email = forms.EmailField(
        label=_("Learning guide (email)"),
        required=False,
        help_text=_("The person who posts the steps and encourages participants."),
    )

    class Meta:
        model = Challenge
        fields = [
            "title",
            "summary",
            "description",
            "cadence",
            "length_value",
            "length_unit",
            "start_date",
            "release_time",
            "streak_grace",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "release_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "description": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {
            "title": _("Title"),
            "summary": _("Summary"),
            "description": _("Description"),
            "cadence": _("Cadence"),
            "length_value": _("Length"),
            "length_unit": _("Length unit"),
            "start_date": _("Start date"),
            "release_time": _("Release time"),
            "streak_grace": _("Missed periods a streak survives"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.guide_id:
            self.fields["guide_email"].initial = self.instance.guide.email
        limit_start_date(self.fields["start_date"], stored=self.instance.start_date)

    def clean_guide_email(self):
        email = self.cleaned_data["guide_email"].strip().lower()
        if not email:
            self.instance.guide = None
            return email
        guide = User.objects.filter(email__iexact=email, is_active=True).first()
        if guide is None:
            raise forms.ValidationError(gettext("Nobody here has that email address."))
        self.instance.guide = guide
        return email


class StepForm(InputLimits, forms.ModelForm):
    class Meta:
        model = Step
        fields = [
            "title",
            "prompt",
            "resources",
            "estimated_minutes",
            "day_offset",
            "allow_mark_done",
        ]
        widgets = {
            "prompt": forms.Textarea(attrs={"rows": 5}),
            "resources": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "title": _("Title"),
            "prompt": _("Prompt"),
            "resources": _("Resources"),
            "estimated_minutes": _("Estimated minutes"),
            "day_offset": _("Day offset"),
            "allow_mark_done": _("Can be marked done"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The step becomes a thread: the same cap on @mentions as any post.
        self.fields["prompt"].validators.append(validate_mentions)
        self.fields["resources"].validators.append(validate_mentions)


class AnswerForm(InputLimits, forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=limits.POST_BODY,
        validators=[validate_mentions],
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your answer first.")},
    )


WEEKDAY_CHOICES = [(day + 1, WEEKDAYS_ABBR[day]) for day in range(7)]


class FlowForm(InputLimits, forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label=_("Post on"),
        required=False,
        help_text=_("Scheduled flows only. None ticked means every day."),
    )

    class Meta:
        model = Flow
        fields = ["name", "community", "mode", "weekdays", "post_time"]
        widgets = {
            "post_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "community": LongSelect,
        }
        labels = {
            "name": _("Name"),
            "community": _("Community"),
            "mode": _("Mode"),
            "post_time": _("Post time"),
        }

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is not None:
            self.fields["community"].queryset = communities.only("id", "name")
        if self.instance.pk:
            del self.fields["community"]


class FlowItemForm(InputLimits, forms.ModelForm):
    class Meta:
        model = FlowItem
        fields = ["kind", "title", "body", "url", "day_offset"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "kind": _("Kind"),
            "title": _("Title"),
            "body": _("Body"),
            "url": _("Link"),
            "day_offset": _("Day"),
        }
        help_texts = {
            "body": _("Markdown: **bold**, *italic*, lists and links."),
            "url": _("For a resource link: the page to read."),
            "day_offset": _("Relative flows only: how many days after joining the member gets it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].validators.append(validate_mentions)

    def clean(self):
        data = super().clean()
        if data.get("kind") == FlowItem.Kind.RESOURCE and not data.get("url"):
            self.add_error("url", gettext("A resource needs its link."))
        return data


class FeedForm(InputLimits, forms.Form):
    url = forms.URLField(
        label=_("Feed address (RSS or Atom)"),
        max_length=500,
        assume_scheme="https",
        error_messages={
            "required": _("Give the feed's address."),
            "invalid": _("Give a web address like https://example.org/feed.xml."),
        },
    )


class EntryQueueForm(InputLimits, forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=160, error_messages={"required": _("Give the item a title.")}
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=FEED_SUMMARY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text from the feed; edit it as you like (Markdown)."),
    )
    note = forms.CharField(
        label=_("Why it matters"),
        max_length=FEED_NOTE,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A sentence for the community: why read this now."),
    )
