"""Signing in through the organisation's identity provider, in a real browser."""

import pytest
from django.contrib.auth import get_user_model

from socialearn.people.models import Profile

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_person_signs_in_with_the_company_account(oidc_sign_in, new_page):
    """Also proves the CSP lets the sign-in form lead to the provider (form-action)."""
    oidc_sign_in.people(
        {
            "kofi": {
                "email": "kofi.mensah@example.com",
                "given_name": "Kofi",
                "family_name": "Mensah",
                "name": "Kofi Mensah",
                "job_title": "Sales Engineer",
                "department": "Sales",
                "office_location": "Austin",
            }
        }
    )
    oidc_sign_in.add_person("kofi", "a-long-pass-phrase")
    page = new_page()

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Company sign-in").click()
    page.get_by_role("button", name="Continue").click()  # allauth confirms before leaving
    page.get_by_label("Username").fill("kofi")
    page.get_by_label("Password").fill("a-long-pass-phrase")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(lambda url: "/openid/" not in url and "/accounts/" not in url)
    person = get_user_model().objects.get(email="kofi.mensah@example.com")
    assert Profile.objects.get(user=person).job_title == "Sales Engineer"
    page.goto("/people/me/")
    assert page.get_by_role("heading", name="Kofi Mensah").is_visible()
