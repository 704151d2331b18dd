"""The rows of an admin changelist written a page at a time instead of a cell at a time.

Django's `items_for_result` works out for every cell what is the same for the whole column
(the empty value's text, the CSS class, whether it links to the change form, a choice field's
labels, the yes/no icons' addresses), reverses the change form's address and merges the
list's filters into it for every row, and writes each cell with `format_html`; the template
then prints the cells one by one. Fifty rows of eight columns were about half of a
changelist's time. `result_rows` gives the same markup: each column is planned once a page
(`Column`), the change form's address is reversed once with a stand-in key and the row's key
put in its place, and each row is handed to the template as one piece.

A list with inline-edited fields (`list_editable`) is left to Django. `tests/test_admin_rows.py`
holds the two equal on every changelist of the project.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_list import (  # type: ignore[attr-defined]
    ResultList,
    _boolean_icon,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    results,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, lookup_field
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from .forms import jinja_escape
from .markup import escaped

# A key no row has, reversed into the change form's address and then replaced by each row's.
STAND_IN_KEY = 987_654_321_012


@dataclass
class Column:
    """What one column of `list_display` is on every row of a page."""

    name: Callable[..., Any] | str  # a field or attribute name, or a callable
    css: str  # "field-<name>"
    link_tag: str | None  # "th" or "td" when the cell links to the change form
    empty_value_display: str
    choices: dict | None = None  # a choice field's labels, by value
    icons: dict = field(default_factory=dict)  # a boolean field's icons, by value

    def display(self, f, value):
        """display_for_field(value, f, ...) with the column's labels and icons kept."""
        if self.choices is not None:
            try:
                return self.choices.get(value, self.empty_value_display)
            except TypeError:  # a value that cannot be a key: Django's own way
                pass
        elif isinstance(f, models.BooleanField):
            if value not in self.icons:
                self.icons[value] = _boolean_icon(value)
            return self.icons[value]
        return display_for_field(
            value, f, self.empty_value_display, avoid_link=self.link_tag is not None
        )


def _choices(opts, name) -> dict | None:
    """The labels of `name`'s choices when it is a field with choices that make a dict."""
    if not isinstance(name, str):
        return None
    try:
        flat = opts.get_field(name).flatchoices
    except Exception:  # noqa: BLE001 - not a plain field: lookup_field decides per row
        return None
    if not flat:
        return None
    try:
        return dict(flat)
    except TypeError:
        return None


def plan_columns(cl: ChangeList) -> list[Column]:
    """Each column's class, link and empty text, as items_for_result decides them."""
    empty = cl.model_admin.get_empty_value_display()
    links = cl.list_display_links
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        is_link = links is not None and ((first and not links) or name in links)
        link_tag = None
        if is_link:
            link_tag, first = ("th" if first else "td"), False
        columns.append(
            Column(
                name=name,
                css=f"field-{_coerce_field_name(name, index)}",
                link_tag=link_tag,
                empty_value_display=empty,
                choices=_choices(cl.lookup_opts, name),
            )
        )
    return columns


class ChangeAddress:
    """The change form's address of a row, with the list's filters kept: reversed and
    merged once a page when rows are keyed by integers, for each row otherwise."""

    def __init__(self, cl: ChangeList):
        self.cl = cl
        self.context: dict[str, Any] = {"preserved_filters": cl.preserved_filters, "opts": cl.opts}
        self.parts: tuple[str, str] | None = None
        if type(cl).url_for_result is ChangeList.url_for_result:
            self.parts = self._split(cl)

    def _split(self, cl: ChangeList) -> tuple[str, str] | None:
        try:
            url = reverse(
                f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
                args=(STAND_IN_KEY,),
                current_app=cl.model_admin.admin_site.name,
            )
        except NoReverseMatch:
            return None
        parts = add_preserved_filters(self.context, url).split(str(STAND_IN_KEY))
        return (escaped(parts[0]), escaped(parts[1])) if len(parts) == 2 else None

    def escaped_url(self, result) -> str:
        """The address, escaped for an attribute; NoReverseMatch as url_for_result raises."""
        pk = getattr(result, self.cl.pk_attname)
        if self.parts is not None and type(pk) is int:
            return f"{self.parts[0]}{pk}{self.parts[1]}"
        url = self.cl.url_for_result(result)
        return escaped(add_preserved_filters(self.context, url))


def _cell(column: Column, cl: ChangeList, result) -> tuple[str, object]:
    """The cell's classes and what it shows, as items_for_result works them out."""
    classes = column.css
    empty = column.empty_value_display
    try:
        f, attr, value = lookup_field(column.name, result, cl.model_admin)
    except ObjectDoesNotExist:
        return classes, empty
    empty = getattr(attr, "empty_value_display", empty)
    if isinstance(value, str) and value.strip() == "":
        value = ""
    if f is None or f.auto_created:
        if column.name == "action_checkbox":
            classes = "action-checkbox"
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        shown = display_for_value(value, empty, boolean)
        if isinstance(value, datetime.date | datetime.time):
            classes += " nowrap"
        return classes, shown
    if isinstance(f.remote_field, models.ManyToOneRel):
        related = getattr(result, f.name)
        shown = empty if related is None else related
    elif empty is column.empty_value_display:
        shown = column.display(f, value)
    else:
        shown = display_for_field(value, f, empty, avoid_link=column.link_tag is not None)
    if isinstance(f, models.DateField | models.TimeField | models.ForeignKey):
        classes += " nowrap"
    return classes, shown


def _row(columns: list[Column], cl: ChangeList, address: ChangeAddress, result) -> SafeString:
    cells = []
    for column in columns:
        classes, shown = _cell(column, cl, result)
        if column.link_tag is None:
            cells.append(f'<td class="{classes}">{escaped(shown)}</td>')
            continue
        try:
            url = address.escaped_url(result)
        except NoReverseMatch:
            inner = escaped(shown)
        else:
            opener = ""
            if cl.is_popup:
                key = result.serializable_value(str(cl.to_field) if cl.to_field else cl.pk_attname)
                opener = f' data-popup-opener="{escaped(key)}"'
            inner = f'<a href="{url}"{opener}>{escaped(shown)}</a>'
        tag = column.link_tag
        cells.append(f'<{tag} class="{classes}">{inner}</{tag}>')
    return mark_safe("".join(cells))  # noqa: S308 - every value escaped above


def result_rows(cl: ChangeList) -> list[ResultList]:
    """admin_list.results(cl): each row a ResultList of one piece of markup (the cells
    joined, as the template would print them)."""
    if cl.formset:
        return list(results(cl))
    columns = plan_columns(cl)
    address = ChangeAddress(cl)
    return [ResultList(None, [_row(columns, cl, address, result)]) for result in cl.result_list]


def result_list(cl: ChangeList) -> dict:
    """admin_list.result_list(cl) with the rows written by `result_rows`."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": result_rows(cl),
    }


class ActionCheckboxMixin:
    """The actions' checkbox of each row written in one pass: the stock column renders a
    checkbox widget (three templates) a row. The same markup as the widget's Jinja2
    templates write, which `tests/test_admin_rows.py` holds equal."""

    def action_checkbox(self, obj):
        label = gettext("Select this object for an action - {}").format(escaped(str(obj)))
        return mark_safe(  # noqa: S308 - the key and the name escaped as the templates do
            f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}"'
            f' value="{jinja_escape(str(obj.pk))}" class="action-select"'
            f' aria-label="{label}">'
        )
