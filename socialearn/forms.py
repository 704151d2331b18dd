"""What every form of the product shares: text maxima and date bounds, with clear messages.

A form that mixes in `InputLimits` gets, for each of its fields:
- text with a maximum: the browser's `maxlength` and "Keep it under 20,000 characters (you
  wrote 25,310).";
- dates and date-times: a window the product can use (by default 1900 to 2100, so nothing
  like 0001-01-01 or 9999-12-31 ever reaches date arithmetic); a feature narrows it with
  `limit_dates()` and its own words ("Choose a start within the next two years.").
"""

from datetime import date, datetime, timedelta

import markupsafe
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from .limits import EARLIEST_DATE, LATEST_DATE, MaxCharsValidator


def show_date(day: date) -> str:
    """A day as the reader's language writes it ("2 Dec 2026", "2. Dez. 2026")."""
    return date_format(day, "DATE_FORMAT")


def years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 28 February for 29 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def today() -> date:
    return timezone.localdate()


class DateWithin:
    """A date (or a date-time, by its own calendar day) between two days, both included.

    `earliest` and `latest` are days or callables giving a day (evaluated when the form is
    created and checked, so "today" is today). Compares calendar days only: no arithmetic
    that could leave the years datetime can hold.
    """

    def __init__(self, *, earliest=None, latest=None, too_early: str = "", too_late: str = ""):
        self.earliest, self.latest = earliest, latest
        self.too_early, self.too_late = too_early, too_late

    @staticmethod
    def _day(bound):
        return bound() if callable(bound) else bound

    def bounds(self) -> tuple[date, date]:
        earliest = self._day(self.earliest) or EARLIEST_DATE
        latest = self._day(self.latest) or LATEST_DATE
        return max(earliest, EARLIEST_DATE), min(latest, LATEST_DATE)

    def __call__(self, value):
        if value is None:
            return
        day = value.date() if isinstance(value, datetime) else value
        earliest, latest = self.bounds()
        if not earliest <= day <= latest:
            message = (self.too_early if day < earliest else self.too_late) or gettext(
                "Choose a date between %(earliest)s and %(latest)s."
            )
            raise ValidationError(
                message,
                code="out_of_range",
                params={"earliest": show_date(earliest), "latest": show_date(latest)},
            )


def limit_dates(
    field: forms.Field, *, earliest=None, latest=None, too_early: str = "", too_late: str = ""
) -> None:
    """Narrow a date field's window (replacing the default one) and tell the browser.

    The messages may name `%(earliest)s` and `%(latest)s`; without them the form says
    "Choose a date between 2 Dec 2026 and 2 Dec 2028."
    """
    field.validators = [v for v in field.validators if not isinstance(v, DateWithin)]
    window = DateWithin(earliest=earliest, latest=latest, too_early=too_early, too_late=too_late)
    field.validators.append(window)
    _browser_bounds(field, window)


def _browser_bounds(field: forms.Field, window: DateWithin) -> None:
    earliest, latest = window.bounds()
    if isinstance(field, forms.DateTimeField):
        field.widget.attrs.update(min=f"{earliest:%Y-%m-%d}T00:00", max=f"{latest:%Y-%m-%d}T23:59")
    elif isinstance(field, forms.DateField):
        field.widget.attrs.update(min=f"{earliest:%Y-%m-%d}", max=f"{latest:%Y-%m-%d}")


class InputLimits:
    """Mix into a form (before forms.Form / forms.ModelForm): friendly text maxima and
    date windows on every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            apply_limits(field)


def apply_limits(field: forms.Field) -> None:
    if isinstance(field, forms.CharField) and field.max_length is not None:
        field.validators = [
            v for v in field.validators if not isinstance(v, MaxLengthValidator)
        ] + [MaxCharsValidator(field.max_length)]
    if isinstance(field, forms.DateField | forms.DateTimeField) and not any(
        isinstance(v, DateWithin) for v in field.validators
    ):
        window = DateWithin()
        field.validators.append(window)
        _browser_bounds(field, window)


def within_years(years: int):
    """A callable for `limit_dates`: the day `years` from today."""
    return lambda: years_from(today(), years)


def days_ago(days: int):
    return lambda: today() - timedelta(days=days)


class LongSelect(forms.Select):
    """A select of many options (the time zones, every community, every topic), written out
    in one pass.

    The stock widget builds an option dict and renders a template per option: the ~600 time
    zones took most of the profile form's rendering time, the 200 communities most of a
    challenge copy form's, the topics a third of the community and ad-hoc request forms'.
    The markup is the stock Jinja2 templates' (django/forms/jinja2), escaped as they escape
    it; a test holds the two equal. Flat choices only (a model choice field's included);
    grouped choices are left to the stock widget.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # Iterated, not measured: a model choice field's len() is a COUNT query.
        choices = list(iter(self.choices))
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        chosen = set(widget["value"])
        tag_attrs = widget["attrs"]
        if self.allow_multiple_selected:
            tag_attrs = {**tag_attrs, "multiple": True}
        options = []
        found = False
        for option_value, label in choices:
            option_value = "" if option_value is None else option_value
            # A single select marks its first match only, as the stock one does.
            selected = (not found or self.allow_multiple_selected) and str(option_value) in chosen
            found |= selected
            options.append(
                f'\n  <option value="{jinja_escape(option_value)}"'
                f"{' selected' if selected else ''}>{jinja_escape(label)}</option>"
            )
        return mark_safe(  # noqa: S308 - escaped above
            f'<select name="{jinja_escape(name)}"{_jinja_attrs(tag_attrs)}>'
            f"{''.join(options)}\n</select>"
        )


class LongSelectMultiple(LongSelect, forms.SelectMultiple):
    """A multiple select (the topics a community or a post is about), written out in one
    pass as LongSelect writes a single one."""


class LongCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes for hundreds of choices (every topic, twice on the profile form), written
    out in one pass.

    The stock widget builds an attribute dict and renders three templates per option: the
    topic pickers were most of the profile form's rendering at a large organisation. The
    markup is the stock Jinja2 templates' (django/forms/jinja2), escaped as they escape it; a
    test holds the two equal. Flat choices only (a model choice field's included); grouped
    choices are left to the stock widget.
    """

    def render(self, name, value, attrs=None, renderer=None):
        # Iterated, not measured: a model choice field's len() is a COUNT query.
        choices = list(iter(self.choices))
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        chosen = set(widget["value"])
        base = self.build_attrs(self.attrs, attrs)
        id_ = base.get("id")
        outer = (f' id="{jinja_escape(id_)}"' if id_ else "") + (
            f' class="{jinja_escape(base["class"])}"' if base.get("class") else ""
        )
        head = f'<input type="checkbox" name="{jinja_escape(name)}"'
        options = []
        for index, (option_value, label) in enumerate(choices):
            option_value = "" if option_value is None else option_value
            option_attrs = dict(base)
            if str(option_value) in chosen:
                option_attrs["checked"] = True
            if id_:
                option_attrs["id"] = f"{id_}_{index}"
            label_for = f' for="{jinja_escape(option_attrs["id"])}"' if id_ else ""
            options.append(
                f"<div>\n    <label{label_for}>{head}"
                f' value="{jinja_escape(option_value)}"{_jinja_attrs(option_attrs)}>'
                f" {jinja_escape(label)}</label></div>"
            )
        return mark_safe(f"<div{outer}>{''.join(options)}\n</div>")  # noqa: S308 - escaped above


def jinja_escape(value) -> str:
    """As the Jinja2 templates escape (markupsafe: &#39; and &#34;, not Django's &#x27;)."""
    return str(markupsafe.escape(value))


def _jinja_attrs(attrs: dict) -> str:
    """django/forms/jinja2/django/forms/widgets/attrs.html in Python."""
    return "".join(
        f" {jinja_escape(key)}"
        if value is True
        else f' {jinja_escape(key)}="{jinja_escape(value)}"'
        for key, value in attrs.items()
        if value is not False
    )
