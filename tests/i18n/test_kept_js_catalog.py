"""The session pages' JavaScript catalogue, kept per process and language, is what Django's
own JavaScriptCatalog writes, in the reader's language; a browser holding it is answered by a
304."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.i18n import JavaScriptCatalog

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _stock(language: str) -> bytes:
    with translation.override(language):
        return JavaScriptCatalog.as_view()(RequestFactory().get("/")).content


@pytest.mark.parametrize("language", ["en-gb", "de"])
def test_the_kept_catalogue_is_djangos_in_the_readers_language(client, language):
    client.force_login(UserFactory())
    url = reverse("expertqa:jsi18n")
    first = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    again = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content == _stock(language)
    assert first["Content-Type"] == 'text/javascript; charset="utf-8"'
    assert "Accept-Language" in first["Vary"]
    assert "Cookie" in first["Vary"]


def test_a_browser_holding_the_catalogue_is_answered_not_modified(client):
    client.force_login(UserFactory())
    url = reverse("expertqa:jsi18n")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-gb")
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    assert english["ETag"] != german["ETag"]
    assert "no-cache" in english["Cache-Control"]
    assert "private" in english["Cache-Control"]
    held = client.get(url, HTTP_ACCEPT_LANGUAGE="en-gb", HTTP_IF_NONE_MATCH=english["ETag"])
    assert held.status_code == 304
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="de", HTTP_IF_NONE_MATCH=english["ETag"]).content
