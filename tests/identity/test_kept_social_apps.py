"""The sign-in page's provider buttons come from apps kept per process: no query while nothing
changed, and an app added, renamed, moved off the site or deleted in the admin shows at once."""

import pytest
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from django.contrib.sites.models import Site
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _names() -> list[str]:
    request = RequestFactory().get("/accounts/login/")
    return sorted(app.name for app in get_adapter().list_apps(request))


def _intranet() -> SocialApp:
    app = SocialApp.objects.create(
        provider="openid_connect", provider_id="intranet", name="Intranet", client_id="x"
    )
    app.sites.add(Site.objects.get_current())
    return app


def test_the_apps_are_read_once_while_nothing_changes(django_assert_num_queries):
    _intranet()
    assert _names() == ["Intranet"]
    with django_assert_num_queries(0):
        assert _names() == ["Intranet"]


def test_every_change_to_the_apps_shows_at_once():
    assert _names() == []
    app = _intranet()
    assert _names() == ["Intranet"]
    app.name = "Company sign-in"
    app.save()
    assert _names() == ["Company sign-in"]
    app.sites.clear()
    assert _names() == []
    app.sites.add(Site.objects.get_current())
    assert _names() == ["Company sign-in"]
    app.delete()
    assert _names() == []


def test_one_providers_app_is_read_from_the_database(django_assert_num_queries):
    _intranet()
    _names()
    request = RequestFactory().get("/accounts/login/")
    with django_assert_num_queries(1):
        (found,) = get_adapter().list_apps(request, provider="openid_connect")
    assert found.name == "Intranet"


def test_the_sign_in_page_shows_the_apps_button(client):
    _intranet()
    assert "Intranet" in client.get(reverse("account_login")).content.decode()
    SocialApp.objects.all().delete()
    assert "Intranet" not in client.get(reverse("account_login")).content.decode()
