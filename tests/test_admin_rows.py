"""Changelist rows written a page at a time (socialearn/admin_rows.py) are Django's own: every
changelist of the project, sorted, searched, paged, filtered and as a popup, as a superuser
and as an L&D admin, shows the same rows with the stock `items_for_result` and action
checkbox."""

from io import StringIO

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_list import results
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from communities.models import ModerationWord
from socialearn import admin_rows

pytestmark = pytest.mark.django_db

# Sorted both ways, a second page, a search, a popup choosing by id, a filter kept in the
# rows' addresses.
QUERIES = ["", "?o=-1", "?o=2.-3&q=e", "?p=2", "?_popup=1&_to_field=id", "?q=a&o=1"]


@pytest.fixture
def people(admin_people):
    """The admins, with a demo organisation's rows of every kind to list."""
    call_command("seed_demo", scale=60, stdout=StringIO())
    return admin_people


def _changelists() -> list[str]:
    urls = []
    for model in admin.site._registry:
        try:
            urls.append(
                reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            )
        except NoReverseMatch:
            continue
    return urls


def _rows(text: str) -> str:
    """The list's table and the actions around it: what the written rows change."""
    start = text.find('<div class="actions">')
    if start < 0:
        start = text.find('<div class="results">')
    return text[start : text.find("</table>", start)]


def _stock(monkeypatch):
    monkeypatch.setattr(admin_rows, "result_rows", lambda cl: list(results(cl)))
    monkeypatch.delattr(admin_rows.ActionCheckboxMixin, "action_checkbox")


def test_every_changelist_shows_the_stock_rows(people, monkeypatch):
    pages = [url + query for url in _changelists() for query in QUERIES]
    # Signed in once for both passes: a sign-in changes the account's row (its last login).
    clients = {role: Client() for role in people}
    for role, user in people.items():
        clients[role].force_login(user)
    written = {
        (role, url): _shown(client.get(url)) for role, client in clients.items() for url in pages
    }
    _stock(monkeypatch)
    stock = {
        (role, url): _shown(client.get(url)) for role, client in clients.items() for url in pages
    }
    assert [key for key in stock if stock[key] != written[key]] == []
    with_rows = [key for key, (status, rows) in stock.items() if status == 200 and "<tr>" in rows]
    assert len(with_rows) > len(pages)  # most lists have rows, at both roles


def _shown(response) -> tuple[int, str]:
    return response.status_code, _rows(response.text)


@pytest.mark.parametrize("word", ["plain", "O'Neil & <co>", 'say "hi"', "ünïcode"])
def test_the_action_checkbox_is_the_stock_widget(word):
    obj = ModerationWord.objects.create(word=word)
    model_admin = admin.site._registry[ModerationWord]
    stock = forms.CheckboxInput(
        {
            "class": "action-select",
            "aria-label": format_html(gettext("Select this object for an action - {}"), str(obj)),
        },
        lambda value: False,
    ).render(ACTION_CHECKBOX_NAME, str(obj.pk))
    assert model_admin.action_checkbox(obj) == stock
