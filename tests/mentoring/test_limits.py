"""Dates a programme cannot use and texts too long for it: a form message, never a 500."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentoring import services
from mentoring.models import Meeting, Programme

from .conftest import MENTOR, PROTEGE

pytestmark = pytest.mark.django_db


def _programme_data(topics, **changes) -> dict:
    today = timezone.localdate()
    data = {
        "name": "Leads",
        "goals": "Grow",
        "commitment": "An hour a month",
        "commitment_weeks": 10,
        "topics": [topics[0].pk],
        "enrolment_opens_on": today.isoformat(),
        "enrolment_closes_on": (today + timedelta(days=30)).isoformat(),
        "default_mentor_capacity": 2,
        "matching_mode": "batch",
        "minimum_score": 20,
        "protege_manages_people": "any",
        "mentor_manages_people": "any",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("enrolment_opens_on", "0001-01-01", "Choose a date from"),
        ("enrolment_closes_on", "9999-12-31", "Choose a date within the next three years"),
        ("enrolment_closes_on", "2999-01-01", "Choose a date within the next three years"),
    ],
)
def test_an_enrolment_window_out_of_range_gets_a_message(
    client, coordinator, topics, field, value, message
):
    client.force_login(coordinator)
    response = client.post(
        reverse("mentoring:programme_create"), _programme_data(topics, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Programme.objects.filter(name="Leads").exists()


def test_programme_goals_over_their_maximum_get_the_message(client, coordinator, topics):
    client.force_login(coordinator)
    response = client.post(
        reverse("mentoring:programme_create"), _programme_data(topics, goals="g" * 5_001)
    )
    assert "Keep it under 5,000 characters (you wrote 5,001)." in response.content.decode()


def _active_match(make_programme, enrol, topics):
    programme = make_programme(matching_mode="self_service")
    mentor = enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    match = services.match_request(protege=protege, mentor=mentor, user=protege.user)
    return services.match_accept(match=match, user=mentor.user)


@pytest.mark.parametrize(
    ("met_on", "message"),
    [
        ("0001-01-01", "Record meetings of the last five years."),
        ("9999-12-31", "Record meetings that have happened."),
    ],
)
def test_a_meeting_date_out_of_range_gets_a_message(
    client, make_programme, enrol, topics, met_on, message
):
    match = _active_match(make_programme, enrol, topics)
    client.force_login(match.mentor.user)
    response = client.post(
        reverse("mentoring:meeting_add", args=[match.pk]), {"met_on": met_on}, follow=True
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_request_note_over_its_maximum_is_refused_by_the_service(make_programme, enrol, topics):
    programme = make_programme(matching_mode="self_service")
    mentor = enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    with pytest.raises(ValidationError, match=r"Keep it under 1,000 characters \(you wrote"):
        services.match_request(
            protege=protege, mentor=mentor, user=protege.user, message="m" * 1_001
        )
