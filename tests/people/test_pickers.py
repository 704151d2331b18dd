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


def test_topic_suggestions_find_by_prefix_by_word_and_with_a_typo(client):
    for name in ("Kubernetes", "Helm charts", "Cloud security", "Negotiation", "Python"):
        TopicFactory(name=name)
    client.force_login(UserFactory())
    url = reverse("people:topic_suggest")

    def names(q):
        return [t["name"] for t in client.get(url, {"q": q}).json()["topics"]]

    assert names("kube") == ["Kubernetes"]
    assert names("sec") == ["Cloud security"]  # a later word of the name
    assert "Negotiation" in names("negotation")  # one letter missing
    assert names("") == []
    assert names("%") == []  # a LIKE wildcard is a character, not "anything"
    assert names("\x00") == []


def test_topic_suggestions_are_bounded_and_one_query_whatever_the_taxonomy(
    client, django_assert_max_num_queries
):
    client.force_login(UserFactory())
    url = reverse("people:topic_suggest")
    TopicFactory(name="Data 0")
    with django_assert_max_num_queries(3) as few:
        client.get(url, {"q": "data"})
    for n in range(1, 40):
        TopicFactory(name=f"Data {n}")
    with django_assert_max_num_queries(len(few)):
        found = client.get(url, {"q": "data"}).json()["topics"]
    assert len(found) == 10


def test_the_topic_picker_knows_where_to_search(client):
    TopicFactory(name="Kubernetes")
    client.force_login(UserFactory())
    page = client.get(reverse("people:profile_edit")).content.decode()
    assert f'data-picker-url="{reverse("people:topic_suggest")}"' in page
