"""The home dashboard's mentoring section: an offer to answer first, a pointer otherwise."""

import pytest
from django.urls import reverse

from mentoring import services
from tests.factories import UserFactory

from .conftest import MENTOR, PROTEGE

pytestmark = pytest.mark.django_db


def test_an_offer_waiting_for_an_answer_comes_first(client, programme, coordinator, enrol, topics):
    enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    services.matching_run_start(programme=programme, user=coordinator)
    services.programme_publish(programme=programme, user=coordinator)
    client.force_login(protege.user)

    page = client.get(reverse("home")).content.decode()

    assert page.index("waiting for your answer") < page.index("Your communities")


def test_someone_without_a_match_gets_a_pointer_to_the_programmes(client):
    client.force_login(UserFactory())

    page = client.get(reverse("home")).content.decode()

    assert "No mentoring match yet" in page
    assert reverse("mentoring:home") in page
