from django import forms
from django.utils.translation import gettext_lazy as _

from socialearn import limits
from socialearn.forms import InputLimits, limit_dates, today, years_from

from ..models import Agreement, CheckIn, Goal

DATE = {"type": "date"}


class AgreementForm(InputLimits, forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ["frequency", "mode", "meeting_minutes", "weeks"]


class GoalForm(InputLimits, forms.Form):
    title = forms.CharField(
        label=_("Goal"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "goal-suggestions"}),
        help_text=_("Start from the programme's goals or your own."),
    )
    source = forms.ChoiceField(
        label=_("Where it comes from"), choices=Goal.Source.choices, initial=Goal.Source.PROTEGE
    )
    target_on = forms.DateField(
        label=_("Target date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )

    def __init__(self, *args, unrecorded: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        limit_dates(
            self.fields["target_on"],
            earliest=today(),
            latest=years_from(today(), 5),
            too_early=_("Choose a target date after today."),
            too_late=_("Choose a target date within five years."),
        )
        if unrecorded:
            del self.fields["title"]  # the pair keeps the words offline


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)


class MeetingScheduleForm(InputLimits, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your time zone."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"), min_value=10, max_value=480, initial=60
    )
    agenda = forms.CharField(
        label=_("Agenda (optional)"),
        required=False,
        max_length=limits.MESSAGE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, unrecorded: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        limit_dates(
            self.fields["starts_at"],
            earliest=today(),
            latest=years_from(today(), 1),
            too_early=_("Choose a time in the future."),
            too_late=_("Choose a time within the next year."),
        )
        if unrecorded:
            del self.fields["agenda"]


class NoteForm(InputLimits, forms.Form):
    body = forms.CharField(
        label=_("Note"), max_length=limits.MEETING_NOTES, widget=forms.Textarea(attrs={"rows": 3})
    )
    shared = forms.TypedChoiceField(
        label=_("Who sees it"),
        choices=[("0", _("Only me")), ("1", _("Both of us"))],
        coerce=lambda value: value == "1",
        initial="0",
    )


class CheckInForm(InputLimits, forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with your mentoring?"),
        choices=[
            (str(n), label)
            for n, label in (
                (5, _("5 – very")),
                (4, "4"),
                (3, "3"),
                (2, "2"),
                (1, _("1 – not at all")),
            )
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score from 1 to 5.")},
    )
    goal_progress = forms.ChoiceField(
        label=_("How far along are your goals?"),
        choices=CheckIn.Progress.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how far along your goals are.")},
    )
    would_recommend = forms.TypedChoiceField(
        label=_("Would you recommend this programme to a colleague?"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes or no.")},
    )
    comment = forms.CharField(
        label=_("Anything else? (optional)"),
        required=False,
        max_length=limits.MESSAGE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, unrecorded: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if unrecorded:
            del self.fields["comment"]
