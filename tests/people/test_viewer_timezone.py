import pytest
from django.conf import settings
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_request_shows_its_viewers_zone_and_leaves_none_behind(client):
    client.force_login(UserFactory(profile__time_zone="America/New_York"))

    response = client.get("/people/me/", follow=True)

    assert response.status_code == 200
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE
