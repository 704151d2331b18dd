import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signed_in_person_sees_the_home_page(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert b"socialearn" in response.content


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
