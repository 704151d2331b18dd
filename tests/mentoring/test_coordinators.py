"""Coordinators are named on the programme form, by email."""

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Programme
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _programme_data(topics, **changes):
    today = timezone.localdate()
    data = {
        "name": "Leads",
        "goals": "Grow",
        "commitment": "An hour a month",
        "commitment_weeks": 10,
        "topics": [topics[0].pk],
        "enrolment_opens_on": today.isoformat(),
        "enrolment_closes_on": today.isoformat(),
        "default_mentor_capacity": 2,
        "matching_mode": "batch",
        "minimum_score": 20,
        "protege_manages_people": "any",
        "mentor_manages_people": "any",
    }
    data.update(changes)
    return data


def test_coordinators_are_named_by_email_when_creating_a_programme(client, coordinator, topics):
    ana, ben = UserFactory(), UserFactory()
    client.force_login(coordinator)
    response = client.post(
        reverse("mentoring:programme_create"),
        _programme_data(topics, coordinators=f"{ana.email.upper()},\n {ben.email}, {ana.email}"),
    )
    assert response.status_code == 302
    programme = Programme.objects.get(name="Leads")
    assert set(programme.coordinators.all()) == {coordinator, ana, ben}
    client.force_login(ana)
    assert client.get(reverse("mentoring:coordinate", args=[programme.pk])).status_code == 200


def test_unknown_or_malformed_coordinator_addresses_are_refused_on_the_form(
    client, coordinator, topics
):
    gone = UserFactory(is_active=False)
    client.force_login(coordinator)
    url = reverse("mentoring:programme_create")
    html = client.post(
        url, _programme_data(topics, coordinators="nobody@example.com")
    ).content.decode()
    assert "Nobody here has the address nobody@example.com." in html
    html = client.post(url, _programme_data(topics, coordinators=gone.email)).content.decode()
    assert f"Nobody here has the address {gone.email}." in html
    html = client.post(url, _programme_data(topics, coordinators="not an address")).content.decode()
    assert "This is not an email address: not an address." in html
    assert not Programme.objects.filter(name="Leads").exists()


def test_the_edit_form_shows_coordinators_and_changes_them(client, programme, coordinator):
    old, new = UserFactory(), UserFactory()
    programme.coordinators.add(old)
    client.force_login(coordinator)
    url = reverse("mentoring:programme_edit", args=[programme.pk])
    html = client.get(url).content.decode()
    assert old.email in html
    data = _programme_data([programme.topics.first()], name=programme.name, coordinators=new.email)
    assert client.post(url, data).status_code == 302
    # The person editing stays a coordinator; the one left out is no longer one.
    assert set(programme.coordinators.all()) == {coordinator, new}
    client.force_login(old)
    assert client.get(reverse("mentoring:coordinate", args=[programme.pk])).status_code == 403
    client.force_login(new)
    assert client.get(reverse("mentoring:coordinate", args=[programme.pk])).status_code == 200


def test_leaving_the_coordinators_empty_keeps_only_the_editor(client, programme, coordinator):
    programme.coordinators.add(UserFactory())
    client.force_login(coordinator)
    url = reverse("mentoring:programme_edit", args=[programme.pk])
    data = _programme_data([programme.topics.first()], name=programme.name, coordinators="")
    assert client.post(url, data).status_code == 302
    assert list(programme.coordinators.all()) == [coordinator]
