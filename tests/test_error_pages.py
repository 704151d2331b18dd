"""The 403, 404 and 500 pages are the site's own, with DEBUG off; the 500 page renders with
no database and no request context (Django's server_error gives it none)."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from communities.services import community_create, thread_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


def test_a_missing_thread_answers_the_sites_404_page(client):
    person = UserFactory()
    community = community_create(created_by=person, name="Data guild", purpose="Data.")
    thread = thread_create(
        community=community, author=person, kind="discussion", title="Kept", body="Here."
    )
    client.force_login(person)
    missing = reverse("communities:thread", args=[community.slug, thread.pk + 1000])
    response = client.get(missing)
    assert response.status_code == 404
    text = response.content.decode()
    assert "We cannot find this page" in text
    assert 'href="/"' in text or reverse("home") in text
    assert 'aria-label="Main"' in text  # the site's own header and menu
    assert "Not Found</h1>" not in text  # not Django's bare page


def test_a_forbidden_page_answers_the_sites_403_page(client):
    employee = UserFactory()
    client.force_login(employee)
    response = client.get(reverse("mentoring:programme_create"))
    assert response.status_code == 403
    text = response.content.decode()
    assert "This page is not open to you" in text
    assert "Only coordinators can create programmes." in text
    assert 'aria-label="Main"' in text


@pytest.mark.urls("tests.error_urls")
def test_a_failing_view_answers_the_static_500_page(django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/fails/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text
    assert "{%" not in text
    assert "{{" not in text


def test_the_500_page_needs_no_database_and_no_request_context(django_assert_num_queries):
    request = RequestFactory().get("/anything/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content
