from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from communities.mentions import validate_mentions
from communities.models import Community
from expertqa.forms import FUTURE_START, _clean_expert_emails, _users_by_email
from expertqa.models import (
    LIVE_AGENDA,
    LIVE_MESSAGE,
    LIVE_PROMPT,
    POLL_QUESTION,
    POLL_WORDS,
    SCHEDULE_TOO_LATE,
    LiveEvent,
    LiveReaction,
    Poll,
    latest_start,
)
from socialearn.forms import InputLimits, limit_dates, today
from socialearn.people.models import Topic

from .services import SLOW_MODE_CHOICES

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
SLOW_MODE_LABELS = [(0, _("Off"))] + [
    (s, format_lazy(_("One message every {seconds} seconds"), seconds=s))
    for s in SLOW_MODE_CHOICES[1:]
]


class LiveEventForm(InputLimits, forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the event a title.")},
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=LiveEvent.Format.choices, initial=LiveEvent.Format.EVENT
    )
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Community.objects.none(), empty_label=None
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all())
    agenda = forms.CharField(
        label=_("Agenda"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=LIVE_AGENDA,
        validators=[validate_mentions],
        help_text=_("Markdown: what happens when, who speaks."),
    )
    hosts = forms.CharField(
        label=_("Hosts"),
        max_length=2000,
        help_text=_("Email addresses, separated by commas. Hosts answer the questions."),
        error_messages={"required": _("Name at least one host.")},
    )
    moderators = forms.CharField(
        label=_("Moderators"),
        max_length=2000,
        required=False,
        help_text=_("Email addresses, separated by commas: they pin, hide and run polls."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        error_messages={
            "invalid": _("Give a date and time like 2026-05-14 12:30."),
            "required": _("Give the start date and time."),
        },
    )
    duration = forms.IntegerField(
        label=_("Length in minutes"),
        initial=60,
        min_value=10,
        max_value=12 * 60,
        error_messages={"required": _("Give the length in minutes.")},
    )
    slow_mode_seconds = forms.TypedChoiceField(
        label=_("Slow mode"), choices=SLOW_MODE_LABELS, coerce=int, initial=0
    )

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        limit_dates(
            self.fields["starts_at"],
            earliest=lambda: today() - timedelta(days=1),
            latest=latest_start,
            too_early=FUTURE_START,
            too_late=SCHEDULE_TOO_LATE,
        )
        if communities is not None:
            self.fields["community"].queryset = communities

    def clean_hosts(self):
        return _clean_expert_emails(self.cleaned_data["hosts"], empty=_("Name at least one host."))

    def clean_moderators(self):
        emails = [e.strip().lower() for e in self.cleaned_data["moderators"].split(",")]
        emails = list(dict.fromkeys(e for e in emails if e))
        users, missing = _users_by_email(emails)
        if missing:
            raise forms.ValidationError(
                _("Nobody here has the address %(addresses)s.") % {"addresses": ", ".join(missing)}
            )
        return users

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at < timezone.now() - timedelta(minutes=5):
            raise forms.ValidationError(FUTURE_START)
        return starts_at


class MessageForm(InputLimits, forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=LIVE_MESSAGE,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("Say something to everyone here")}
        ),
        error_messages={"required": _("Write your message first.")},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    prompt = forms.IntegerField(label=_("Answering"), required=False)


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Reaction"), choices=LiveReaction.Kind.choices)


class SlowModeForm(forms.Form):
    seconds = forms.TypedChoiceField(label=_("Slow mode"), choices=SLOW_MODE_LABELS, coerce=int)


class PromptForm(InputLimits, forms.Form):
    body = forms.CharField(
        label=_("Prompt"),
        max_length=LIVE_PROMPT,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the prompt first.")},
    )
    release_at = forms.DateTimeField(
        label=_("Release at"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        error_messages={
            "invalid": _("Give a date and time like 2026-05-14 12:30."),
            "required": _("Say when the prompt goes out."),
        },
    )


class PollForm(InputLimits, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of poll"), choices=Poll.Kind.choices)
    question = forms.CharField(
        label=_("Question"),
        max_length=POLL_QUESTION,
        error_messages={"required": _("Write the poll's question.")},
    )
    options = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line (single and multiple choice only)."),
    )

    def clean_options(self):
        return [line for line in self.cleaned_data["options"].splitlines() if line.strip()]


class BallotForm(forms.Form):
    option = forms.TypedMultipleChoiceField(label=_("Your answer"), coerce=int, required=False)
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(r, str(r)) for r in Poll.RATING_SCALE],
        coerce=int,
        required=False,
        empty_value=None,
    )
    words = forms.CharField(label=_("A word or two"), max_length=POLL_WORDS, required=False)

    def __init__(self, *args, poll: Poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [(o.pk, o.label) for o in poll.options.all()]
