import re

import pytest
from django.urls import reverse

from socialearn.nudges.models import NudgePreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_profile_page_lists_every_nudge_with_a_switch(client):
    client.force_login(UserFactory())
    page = client.get(reverse("people:profile_edit")).content.decode()
    assert "My mentoring pair has not met for weeks" in page
    assert "A challenge step I have not done yet" in page
    assert f'action="{reverse("nudges:preferences")}"' in page


def test_switching_a_nudge_off_keeps_the_others_on(client):
    person = UserFactory()
    client.force_login(person)
    on = {
        "challenges.missed_step": "on",
        "communities.unanswered_question": "on",
        "communities.cohort_silent": "on",
        "expertqa.deferral_due": "on",
        "people.incomplete_profile": "on",
        "next": reverse("people:profile_edit"),
    }  # mentoring.stalled left unticked
    response = client.post(reverse("nudges:preferences"), on)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:profile_edit")
    off = NudgePreference.objects.filter(person=person, enabled=False)
    assert list(off.values_list("rule", flat=True)) == ["mentoring.stalled"]
    page = client.get(reverse("nudges:preferences")).content.decode()
    assert re.search(r'name="mentoring.stalled"[^>]*id="id_mentoring.stalled">', page)
    assert re.search(r'name="challenges.missed_step"[^>]*checked>', page)


def test_a_next_outside_the_site_is_ignored(client):
    client.force_login(UserFactory())
    response = client.post(reverse("nudges:preferences"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("nudges:preferences")


def test_the_profile_page_costs_the_same_queries_whatever_the_switches(
    client, django_assert_max_num_queries
):
    person = UserFactory()
    client.force_login(person)
    with django_assert_max_num_queries(20) as before:
        client.get(reverse("people:profile_edit"))
    for rule in ("mentoring.stalled", "challenges.missed_step", "people.incomplete_profile"):
        NudgePreference.objects.create(person=person, rule=rule, enabled=False)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(reverse("people:profile_edit"))
