from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.mentions import validate_mentions
from communities.models import Community
from socialearn import limits
from socialearn.forms import InputLimits, limit_dates, today
from socialearn.people.models import Topic

from .models import (
    DEFERRAL_TOO_LATE,
    SCHEDULE_TOO_LATE,
    Series,
    Session,
    latest_deferral,
    latest_start,
    org_today,
)

FUTURE_START = _("Choose a start time in the future.")


class QuestionForm(InputLimits, forms.Form):
    body = forms.CharField(
        label=_("Your question"),
        max_length=limits.EXPERT_QUESTION,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("What would you like to ask?")}),
        error_messages={"required": _("Write your question first.")},
    )
    is_anonymous = forms.BooleanField(
        label=_("Ask anonymously (only the moderators will know it was you)"), required=False
    )

    def __init__(self, *args, allow_anonymous: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_anonymous:
            del self.fields["is_anonymous"]


class AnswerForm(InputLimits, forms.Form):
    body = forms.CharField(
        label=pgettext_lazy("noun", "Answer"),
        max_length=limits.EXPERT_ANSWER,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the answer first.")},
    )


class DeferForm(InputLimits, forms.Form):
    deferred_to = forms.DateField(
        label=_("I will answer by"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Name the date you will answer by."),
            "invalid": _("Give a date like 2026-05-14."),
        },
    )
    note = forms.CharField(
        label=_("Note for the asker"),
        max_length=limits.DEFERRAL_NOTE,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. I need to check with the data team")}),
        error_messages={"required": _("Add a short note so the asker knows what to expect.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_dates(
            self.fields["deferred_to"],
            earliest=lambda: org_today() + timedelta(days=1),
            latest=latest_deferral,
            too_early=_("Choose a date in the future: tomorrow or later."),
            too_late=DEFERRAL_TOO_LATE,
        )


class MergeForm(forms.Form):
    into = forms.IntegerField(widget=forms.HiddenInput)


def _users_by_email(emails: list[str]):
    User = get_user_model()
    found = {u.email.lower(): u for u in User.objects.filter(email__in=emails, is_active=True)}
    missing = [e for e in emails if e not in found]
    return [found[e] for e in emails if e in found], missing


def _clean_expert_emails(value: str, *, empty: str = _("Name at least one expert.")):
    emails = [e.strip().lower() for e in value.split(",") if e.strip()]
    if not emails:
        raise forms.ValidationError(empty)
    users, missing = _users_by_email(list(dict.fromkeys(emails)))
    if missing:
        raise forms.ValidationError(
            _("Nobody here has the address %(addresses)s.") % {"addresses": ", ".join(missing)}
        )
    return users


class SessionEditForm(InputLimits, forms.Form):
    """What a session's moderator may change: the words, the panel and the window.

    Moving the window is a reschedule (everyone invited hears of it again).
    """

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give the session a title.")},
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=limits.DESCRIPTION,
        validators=[validate_mentions],
        help_text=_("Markdown."),
    )
    experts = forms.CharField(
        label=_("Experts"),
        max_length=2000,
        help_text=_("Email addresses, separated by commas: one expert or a panel."),
        error_messages={"required": _("Name at least one expert.")},
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={
            "invalid": _("Give a date and time like 2026-05-14 12:30."),
            "required": _("Give the start date and time."),
        },
    )
    duration = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=10,
        max_value=8 * 60,
        error_messages={"required": _("Give the length in minutes.")},
    )

    def __init__(self, *args, session: Session, window_fixed: bool = False, **kwargs):
        self.session = session
        starts = timezone.localtime(session.starts_at)
        kwargs.setdefault(
            "initial",
            {
                "title": session.title,
                "description": session.description,
                "experts": ", ".join(e.email for e in session.experts.all()),
                "starts_at": starts.replace(second=0, microsecond=0),
                "duration": session.duration_minutes,
            },
        )
        super().__init__(*args, **kwargs)
        # Moving the start into the past is refused (the service says so); keeping a start
        # already past (a session open now) is fine.
        stored = starts.date()
        limit_dates(
            self.fields["starts_at"],
            earliest=lambda: min(stored, today() - timedelta(days=1)),
            latest=lambda: max(stored, latest_start()),
            too_early=FUTURE_START,
            too_late=SCHEDULE_TOO_LATE,
        )
        if window_fixed:
            for name in ("starts_at", "duration"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("The session has closed: its window stays.")

    def clean_experts(self):
        return _clean_expert_emails(self.cleaned_data["experts"])

    def window(self):
        """The new (start, end); the stored window when the form shows it unchanged (the
        form has minute precision, the stored times may not)."""
        starts_at, duration = self.cleaned_data["starts_at"], self.cleaned_data["duration"]
        session = self.session
        same_start = starts_at == session.starts_at.replace(second=0, microsecond=0)
        if same_start and duration == session.duration_minutes:
            return session.starts_at, session.ends_at
        start = session.starts_at if same_start else starts_at
        return start, start + timedelta(minutes=duration)


class CancelForm(InputLimits, forms.Form):
    note = forms.CharField(
        label=_("A word to the people invited (optional)"),
        required=False,
        max_length=limits.CANCEL_NOTE,
        widget=forms.Textarea(
            attrs={"rows": 2, "placeholder": _("e.g. The expert is ill; we will find a new date.")}
        ),
    )


class SessionForm(InputLimits, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Session.Kind.choices, initial=Session.Kind.ASK
    )
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Community.objects.none(), empty_label=None
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.all())
    series = forms.ModelChoiceField(
        label=_("Series"),
        queryset=Series.objects.none(),
        required=False,
        help_text=_("For lunch-and-learn sessions that belong to a series."),
    )
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=limits.DESCRIPTION,
        validators=[validate_mentions],
        help_text=_("Markdown."),
    )
    experts = forms.CharField(
        label=_("Experts"),
        max_length=2000,
        help_text=_("Email addresses, separated by commas: one expert or a panel."),
    )
    moderator = forms.EmailField(
        label=_("Moderator"),
        required=False,
        help_text=_("Email address; leave empty to moderate yourself."),
    )
    starts_at = forms.DateTimeField(
        label=_("Starts"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": _("Give a date and time like 2026-05-14 12:30.")},
    )
    duration = forms.IntegerField(
        label=_("Length in minutes"), initial=60, min_value=10, max_value=8 * 60
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
            self.fields["series"].queryset = Series.objects.filter(community__in=communities)

    def clean_experts(self):
        return _clean_expert_emails(self.cleaned_data["experts"])

    def clean_moderator(self):
        email = self.cleaned_data.get("moderator", "").strip().lower()
        if not email:
            return None
        users, missing = _users_by_email([email])
        if missing:
            raise forms.ValidationError(
                _("Nobody here has the address %(addresses)s.") % {"addresses": email}
            )
        return users[0]

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        if starts_at < timezone.now() - timedelta(minutes=5):
            raise forms.ValidationError(FUTURE_START)
        return starts_at

    def clean(self):
        data = super().clean()
        series, community = data.get("series"), data.get("community")
        if series and community and series.community_id != community.pk:
            self.add_error("series", _("This series belongs to another community."))
        return data
