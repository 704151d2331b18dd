"""Single sign-on through a real OpenID Connect provider started on loopback.

The provider (django-oidc-provider in its own gunicorn process and database) knows people and
their directory attributes; the site knows only what the claims tell it.
"""

import html
import re

import pytest
import requests
from django.contrib.auth import get_user_model

from socialearn.people.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
User = get_user_model()

AMARA = {
    "email": "amara.okafor@example.com",
    "given_name": "Amara",
    "family_name": "Okafor",
    "name": "Amara Okafor",
    "job_title": "Data Engineer",
    "department": "Data Platform",
    "office_location": "London",
    "manager_email": "lena.lead@example.com",
    "employee_hire_date": "2021-03-01",
    "role_start_date": "2024-06-01",
    "team_lead": False,
    "employee_id": "E-1001",
}


def _form_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def sign_in(site: str, username: str, password: str) -> requests.Response:
    """The whole flow as a browser makes it: the site's button, the provider's sign-in form,
    the redirect back with a code, the site's token exchange."""
    browser = requests.Session()
    start = browser.get(f"{site}/accounts/oidc/intranet/login/")
    redirect = browser.post(
        f"{site}/accounts/oidc/intranet/login/",
        data={"csrfmiddlewaretoken": _form_token(start.text)},
        headers={"Referer": start.url},
    )
    assert "Company sign-in" in redirect.text  # the provider's own sign-in page
    landed = browser.post(
        redirect.url,
        data={
            "csrfmiddlewaretoken": _form_token(redirect.text),
            "username": username,
            "password": password,
            "next": html.unescape(re.search(r'name="next" value="([^"]*)"', redirect.text)[1]),
        },
        headers={"Referer": redirect.url},
    )
    landed.session = browser
    return landed


@pytest.fixture
def amara(oidc_sign_in):
    oidc_sign_in.people({"amara": AMARA})
    oidc_sign_in.add_person("amara", "a-long-pass-phrase")
    UserFactory(email="lena.lead@example.com", username="lena.lead@example.com")
    return oidc_sign_in


def test_first_sign_in_creates_the_person_with_every_mapped_field(amara, live_server):
    landed = sign_in(live_server.url, "amara", "a-long-pass-phrase")

    assert landed.status_code == 200
    assert landed.url.startswith(live_server.url)
    person = User.objects.get(email="amara.okafor@example.com")
    profile = Profile.objects.select_related("department", "location", "manager").get(user=person)
    assert (person.first_name, person.last_name) == ("Amara", "Okafor")
    assert profile.display_name == "Amara Okafor"
    assert profile.job_title == "Data Engineer"
    assert profile.department.name == "Data Platform"
    assert profile.location.name == "London"
    assert profile.manager.email == "lena.lead@example.com"
    assert str(profile.started_company_on) == "2021-03-01"
    assert str(profile.started_role_on) == "2024-06-01"
    assert profile.is_people_manager is False
    assert profile.external_id == "E-1001"
    # Signed in: the home page, not the sign-in page.
    assert landed.session.get(f"{live_server.url}/people/me/").url.endswith(f"/people/{person.pk}/")


def test_a_second_sign_in_updates_changed_claims(amara, live_server):
    sign_in(live_server.url, "amara", "a-long-pass-phrase")
    amara.people({"amara": {**AMARA, "job_title": "Engineering Manager", "team_lead": True}})

    sign_in(live_server.url, "amara", "a-long-pass-phrase")

    profile = Profile.objects.get(user__email="amara.okafor@example.com")
    assert profile.job_title == "Engineering Manager"
    assert profile.is_people_manager is True
    assert User.objects.filter(email="amara.okafor@example.com").count() == 1


def test_a_deactivated_person_cannot_sign_in(amara, live_server):
    sign_in(live_server.url, "amara", "a-long-pass-phrase")
    User.objects.filter(email="amara.okafor@example.com").update(is_active=False)

    landed = sign_in(live_server.url, "amara", "a-long-pass-phrase")

    assert "/accounts/inactive/" in landed.url
    home = landed.session.get(f"{live_server.url}/")
    assert "/accounts/login/" in home.url


def test_the_claim_mapping_is_a_setting(amara, live_server, settings):
    settings.PEOPLE_CLAIM_MAP = {"job_title": "", "department": "job_title"}

    sign_in(live_server.url, "amara", "a-long-pass-phrase")

    profile = Profile.objects.select_related("department").get(
        user__email="amara.okafor@example.com"
    )
    assert profile.job_title == ""
    assert profile.department.name == "Data Engineer"
