"""The calendar page's month grid and agenda days written out in Python: a month of a few dozen
entries was some six hundred template variables and tags, most of the page's time. Each is
the markup of its reference in calendar/month.html (the `grid_rows` and `agenda_day`
partials), which tests/test_calendar_month.py holds equal to it byte for byte; change them
together."""

from django import template
from django.utils.dateformat import format as date_format
from django.utils.dateformat import time_format
from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from .ui import icon

register = template.Library()


def _when(moment, fmt: str) -> str:
    """`{{ moment|date:fmt }}`: in the reader's zone and language."""
    return esc(date_format(template_localtime(moment), fmt))


def _time(moment) -> str:
    """`{{ moment|time:"H:i" }}`."""
    return esc(time_format(template_localtime(moment), "H:i"))


def _grid_entry(e) -> str:
    title = f"{esc(e.kind)} · {esc(e.place)}"
    if e.all_day:
        return (
            f'<a class="cal-entry cal-allday" href="{esc(e.url)}" title="{title}">'
            f"{esc(e.title)}</a>"
        )
    return (
        f'<a class="cal-entry" href="{esc(e.url)}" title="{title}">'
        f'<time datetime="{_when(e.starts_at, "c")}">{_time(e.starts_at)}</time> '
        f"{esc(e.title)}</a>"
    )


@register.simple_tag
def month_grid(weeks) -> SafeString:
    """The grid's rows: a week a row, each day with the entries that start on it."""
    rows = []
    for week in weeks:
        cells = []
        for d in week:
            css = ("" if d.in_month else "cal-out") + (" cal-today" if d.is_today else "")
            entries = "".join(_grid_entry(e) for e in d.entries)
            cells.append(
                f'\n    <td class="{css}"><span class="cal-daynum">{d.day.day}</span>\n'
                f"      {entries}\n    </td>"
            )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def agenda_days(days) -> SafeString:
    """Each day of the agenda with its entries."""
    # Translations of the template's literals are markup the template trusts: not escaped.
    today, tomorrow = gettext("Today"), gettext("Tomorrow")
    until, all_day = gettext("until"), gettext("all day")
    add = gettext("Add to calendar")
    calendar_icon = icon("calendar")
    written = []
    for d in days:
        lead = f"{today} · " if d.is_today else f"{tomorrow} · " if d.is_tomorrow else ""
        items = []
        for e in d.entries:
            if not e.all_day:
                when = (
                    f'<time datetime="{_when(e.starts_at, "c")}">{_time(e.starts_at)}</time>'
                    f"–{_time(e.ends_at)}"
                )
            elif e.last_day != e.first_day:
                when = (
                    f'{until} <time datetime="{_when(e.last_day, "Y-m-d")}">'
                    f"{_when(e.last_day, 'D j M')}</time>"
                )
            else:
                when = all_day
            aside = ""
            if e.ics_url:
                label = esc(e.ics_label) if e.ics_label else add
                aside = (
                    f'<span class="list-row-aside"><a class="cal-add" href="{esc(e.ics_url)}"'
                    f" download>{calendar_icon} {label}</a></span>"
                )
            items.append(
                '\n  <li class="list-row cal-row"><span class="list-row-main">'
                f'<a href="{esc(e.url)}">{esc(e.title)}</a><br><small class="muted">{when}'
                f" · {esc(e.kind)} · {esc(e.place)}</small></span>\n  {aside}</li>\n"
            )
        written.append(
            f'\n<h3 class="cal-day"><time datetime="{_when(d.day, "Y-m-d")}">{lead}'
            f'{_when(d.day, "l j F")}</time></h3>\n<ul class="list-rows">{"".join(items)}</ul>\n'
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
