import zoneinfo
from datetime import timedelta

from django import forms
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialearn.forms import show_date

from .figures import Period
from .models import Activity

MAX_CUSTOM_DAYS = 3 * 366
# Chosen days may start up to a year before the organisation's first recorded activity (a
# whole calendar year can be chosen) and end today at the latest.
MARGIN_BEFORE_DATA = timedelta(days=365)


def first_day_with_figures(tz: str):
    """The organisation's first day of recorded activity, in the zone `tz`, or None."""
    first = Activity.objects.aggregate(first=Min("occurred_at"))["first"]
    return timezone.localtime(first, zoneinfo.ZoneInfo(tz)).date() if first else None


class PeriodForm(forms.Form):
    """Which period the figures cover: the last 7/30/90 days or chosen days, both included."""

    PERIODS = [
        ("7", _("Last 7 days")),
        ("30", _("Last 30 days")),
        ("90", _("Last 90 days")),
        ("custom", _("Chosen days")),
    ]
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, initial="30", required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (included)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, tz: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz or timezone.get_current_timezone_name()

    def clean(self):
        data = super().clean()
        data["period"] = data.get("period") or "30"
        if data["period"] == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Choose both the first and the last day."))
            if start > end:
                raise forms.ValidationError(_("The first day must come before the last day."))
            today = timezone.localdate(timezone=zoneinfo.ZoneInfo(self.tz))
            if end > today:
                raise forms.ValidationError(_("Choose days up to today: there are no figures yet."))
            first = first_day_with_figures(self.tz)
            earliest = min(first or today, today) - MARGIN_BEFORE_DATA
            if start < earliest:
                if first:
                    message = _("Figures start on %(first)s: choose days from %(earliest)s on.")
                else:
                    message = _("Choose days from %(earliest)s on.")
                raise forms.ValidationError(
                    message
                    % {
                        "first": show_date(first) if first else "",
                        "earliest": show_date(earliest),
                    }
                )
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise forms.ValidationError(_("Choose at most three years."))
        return data

    def problem(self) -> str:
        """What is wrong with the chosen period, in words ("" when nothing is)."""
        if self.is_valid():
            return ""
        return " ".join(e for errors in self.errors.values() for e in errors)

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
    tz = timezone.get_current_timezone_name()
    form = PeriodForm(request.GET if "period" in request.GET else {"period": "30"}, tz=tz)
    return form, form.period_value(tz)
