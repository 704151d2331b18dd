"""The pickers' server side and markup: @mention autocomplete by name or handle, and topic
fields marked for the searchable tag picker (plain fields without JavaScript)."""

import pytest
from django.urls import reverse

from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_mention_suggestions_match_names_and_handles_and_skip_departed_people(client):
    ana = UserFactory(email="ana.lopez@example.com", profile__display_name="Ana López")
    UserFactory(email="bo.anders@example.com", profile__display_name="Bo Anders")
    gone = UserFactory(email="ana.gone@example.com", profile__display_name="Ana Gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    me = UserFactory(email="anabel@example.com", profile__display_name="Anabel Me")
    client.force_login(me)
    found = client.get(reverse("people:mention_suggest"), {"q": "ana"}).json()["people"]
    assert {"handle": "ana.lopez", "name": "Ana López"} in found
    handles = {p["handle"] for p in found}
    assert "ana.gone" not in handles  # departed
    assert "anabel" not in handles  # oneself
    assert "bo.anders" not in handles  # "ana" is not where any name or handle starts
    by_surname = client.get(reverse("people:mention_suggest"), {"q": "and"}).json()["people"]
    assert [p["handle"] for p in by_surname] == ["bo.anders"]
    assert ana.email not in str(found)  # a handle, never the address


def test_mention_suggestions_with_nothing_typed_are_empty(client):
    client.force_login(UserFactory())
    assert client.get(reverse("people:mention_suggest")).json() == {"people": []}


def test_topic_fields_and_post_bodies_carry_the_picker_markers(client):
    TopicFactory(name="Kubernetes")
    client.force_login(UserFactory())
    page = client.get(reverse("people:profile_edit")).content.decode()
    assert 'data-picker="tags"' in page
    assert "js/pickers.js" in page
