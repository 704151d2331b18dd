"""Profile dates and texts out of range: a form message, never a 500."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = UserFactory(profile__display_name="Pat")
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("started_company_on", "0001-01-01", "Choose a date from"),
        ("started_company_on", "9999-12-31", "The date cannot be in the future."),
        ("started_role_on", "0001-01-01", "Choose a date from"),
        ("started_role_on", "9999-12-31", "The date cannot be in the future."),
    ],
)
def test_profile_dates_out_of_range_get_a_message(client, me, field, value, message):
    response = client.post(
        reverse("people:profile_edit"),
        {
            "display_name": "Pat",
            "email_preference": "instant",
            "digest_frequency": "weekly",
            field: value,
        },
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])


def test_the_profile_form_shows_the_bio_maximum(client, me):
    page = client.get(reverse("people:profile_edit")).content.decode()
    assert 'maxlength="4000"' in page
