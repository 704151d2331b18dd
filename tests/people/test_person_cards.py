"""The person cards of the directory and the topic hubs are written in Python
(people_tags.person_cards): they must be exactly what people/_person_card.html writes for
every kind of person, in every language."""

import datetime

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from socialearn.people import selectors
from socialearn.people.models import Profile
from socialearn.people.templatetags.people_tags import PathOf, person_cards
from tests.factories import DepartmentFactory, LocationFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    topics = [TopicFactory(name=f"Skill <{i}> & co") for i in range(6)]
    dept, loc = DepartmentFactory(name="R&D <lab>"), LocationFactory(name="Zürich 'HQ'")
    people = [
        UserFactory(
            profile__display_name='Ann "<b>" O\'Neil & co',
            profile__job_title="Head of <things>",
            profile__department=dept,
            profile__location=loc,
            profile__expertise=topics,
        ),
        UserFactory(profile__display_name="Bo", profile__department=dept),
        UserFactory(
            profile__display_name="Cy Lo", profile__location=loc, profile__expertise=topics[:4]
        ),
        UserFactory(
            profile__display_name="", first_name="", last_name="", username="x@example.com"
        ),
        UserFactory(profile__display_name="", first_name="Dee", last_name="Full"),
        UserFactory(profile__display_name="Él Ñu", profile__expertise=topics[:1]),
        UserFactory(profile__display_name="... 42", profile__expertise=topics[:5]),
    ]
    with_photo = people[2].profile
    with_photo.photo_updated_at = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    with_photo.save(update_fields=["photo_updated_at"])
    return people


def _listed() -> list[Profile]:
    return list(selectors.people_search())


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_cards_are_what_the_card_template_writes(people, language):
    with translation.override(language):
        profiles = _listed()
        assert len(profiles) == len(people)
        expected = "".join(render_to_string("people/_person_card.html", {"p": p}) for p in profiles)
        assert str(person_cards(_listed())) == expected


def test_no_people_no_cards():
    assert person_cards([]) == ""


def test_the_cards_links_are_those_reverse_gives():
    """Each route is reversed once for the list: the result must be reverse()'s own for any
    value, an unusual slug included."""
    for name in ("people:profile", "people:photo"):
        path = PathOf(name)
        for pk in (0, 7, 10, 12345):
            assert path(pk) == reverse(name, args=[pk])
    topic = PathOf("people:topic")
    for slug in ("data-analysis", "0", "topic-0", "a_b", "x0"):
        assert topic(slug) == reverse("people:topic", args=[slug])
