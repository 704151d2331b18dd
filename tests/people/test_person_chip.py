"""The person chip is written out in Python (pages list dozens of people); its markup is the
one of people/_person_chip.html and people/_avatar.html, character for character, for every
kind of person a page shows, in every language."""

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from socialearn.people.templatetags.people_tags import avatar_for, person_chip_html
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _from_templates(person, *, anonymous=False, size="s", link=True, note="") -> str:
    context = avatar_for(person, anonymous=anonymous)
    context.update(size=size, link=link and bool(context["url"]), note=note)
    return render_to_string("people/_person_chip.html", context)


def _people():
    named = UserFactory(first_name="Ada", last_name="Lovelace")
    named.profile.display_name = ""
    named.profile.save()
    marked_up = UserFactory()
    marked_up.profile.display_name = 'A <i>bold</i> & "quoted" name'
    marked_up.profile.save()
    pictured = UserFactory()
    pictured.profile.photo_updated_at = timezone.now()
    pictured.profile.save()
    unnamed = UserFactory(first_name="", last_name="")
    unnamed.profile.display_name = ""
    unnamed.profile.save()
    return {
        "named": named,
        "marked up": marked_up,
        "pictured": pictured,
        "unnamed": unnamed,
        "a profile": pictured.profile,
        "former member": None,
    }


@pytest.mark.parametrize("language", ["en-gb", "de"])
def test_the_chip_is_the_templates_markup_for_every_kind_of_person(language):
    people = _people()
    with translation.override(language):
        for label, person in people.items():
            for options in (
                {},
                {"anonymous": True},
                {"size": "m"},
                {"link": False},
                {"note": "<b>expert</b>"},
                {"size": "l", "link": False, "note": "mentor"},
            ):
                expected = _from_templates(person, **options)
                assert person_chip_html(person, **options) == expected, (label, options)


def test_an_anonymous_chip_names_nobody_and_links_nowhere():
    author = UserFactory(first_name="Grace", last_name="Hopper")
    html = person_chip_html(author, anonymous=True)
    assert "Grace" not in html
    assert "href" not in html
    assert str(author.pk) not in html
