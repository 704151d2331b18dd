from django import forms
from django.utils import timezone

from .figures import Period

MAX_CUSTOM_DAYS = 3 * 366


class PeriodForm(forms.Form):
    """Which period the figures cover: the last 7/30/90 days or chosen days, both included."""

    PERIODS = [
        ("7", "Last 7 days"),
        ("30", "Last 30 days"),
        ("90", "Last 90 days"),
        ("custom", "Chosen days"),
    ]
    period = forms.ChoiceField(label="Period", choices=PERIODS, initial="30", required=False)
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To (included)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        data["period"] = data.get("period") or "30"
        if data["period"] == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError("Choose both the first and the last day.")
            if start > end:
                raise forms.ValidationError("The first day must come before the last day.")
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise forms.ValidationError("Choose at most three years.")
        return data

    def period_value(self, tz: str) -> Period:
        """The chosen period, or the last 30 days when the form is not valid."""
        if not self.is_valid():
            return Period.last_days(30, tz=tz)
        data = self.cleaned_data
        if data["period"] == "custom":
            return Period.for_days(first=data["start"], last=data["end"], tz=tz)
        return Period.last_days(int(data["period"]), tz=tz)


def period_from_request(request) -> tuple[PeriodForm, Period]:
    """The period form (bound to the query string) and the period it stands for."""
    form = PeriodForm(request.GET if "period" in request.GET else {"period": "30"})
    return form, form.period_value(timezone.get_current_timezone_name())
