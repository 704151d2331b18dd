from django import forms
from django.utils.translation import gettext_lazy as _

from socialearn import limits
from socialearn.forms import InputLimits, limit_dates, today
from socialearn.people.models import Topic

from ..models import PROPOSAL_ABSTRACT, PROPOSAL_NOTE, SCHEDULE_TOO_LATE, Series, latest_start


class ProposalForm(InputLimits, forms.Form):
    title = forms.CharField(
        label=_("Title of the talk"),
        max_length=200,
        error_messages={"required": _("Give the talk a title.")},
    )
    abstract = forms.CharField(
        label=_("Abstract"),
        max_length=PROPOSAL_ABSTRACT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you will talk about and what people will take away. Markdown."),
        error_messages={"required": _("Say in a few lines what the talk is about.")},
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.order_by("name"),
        error_messages={"required": _("Choose the talk's topic.")},
    )
    preferred_slot = forms.CharField(
        label=_("Preferred slot"),
        max_length=200,
        required=False,
        help_text=_("When suits you, e.g. a Thursday lunchtime in March."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=10,
        max_value=240,
        initial=30,
        error_messages={"required": _("Give the length in minutes.")},
    )

    def __init__(self, *args, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        if community is not None:
            first = community.topics.order_by("name").first()
            if first is not None:
                self.fields["topic"].initial = first.pk


class AcceptForm(InputLimits, forms.Form):
    series = forms.ModelChoiceField(
        label=_("Series"),
        queryset=Series.objects.none(),
        required=False,
        empty_label=_("No series (a single talk)"),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("In your time zone."),
        error_messages={
            "invalid": _("Give a date and time like 2026-05-14 12:30."),
            "required": _("Give the start date and time."),
        },
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=10,
        max_value=240,
        error_messages={"required": _("Give the length in minutes.")},
    )

    def __init__(self, *args, proposal, **kwargs):
        kwargs.setdefault("initial", {"duration_minutes": proposal.duration_minutes})
        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = Series.objects.filter(
            community_id=proposal.community_id
        ).order_by("title")
        limit_dates(
            self.fields["starts_at"],
            earliest=today,
            latest=latest_start,
            too_early=_("Choose a start time in the future."),
            too_late=SCHEDULE_TOO_LATE,
        )


class DeclineForm(InputLimits, forms.Form):
    note = forms.CharField(
        label=_("A word to the speaker"),
        max_length=PROPOSAL_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Tell the speaker why, in a sentence.")},
    )


class SeriesForm(InputLimits, forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=150, error_messages={"required": _("Name the series.")}
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=limits.SHORT_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.order_by("name"), required=False
    )


class RecordingForm(InputLimits, forms.Form):
    recording_url = forms.URLField(
        label=_("Recording or slides link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Leave empty to remove the link."),
    )
