"""A person reads the site in their language: their profile's choice, else their browser's."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from socialearn.people.languages import in_language_of, language_of, languages_of
from socialearn.people.models import Profile
from tests.factories import UserFactory
from tests.people.test_views import _form_data

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def test_a_person_who_chose_german_reads_german_pages_and_the_thread_keeps_none(client):
    client.force_login(UserFactory(profile__language="de"))

    response = client.get(reverse("people:directory"), headers={"accept-language": "en"})

    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Abmelden" in html
    assert response["Content-Language"] == "de"
    # Remembered, so pages that never read the profile (a 404, a live poll) speak it too.
    assert response.cookies[COOKIE].value == "de"
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_without_a_choice_the_browser_decides(client):
    client.force_login(UserFactory(profile__language=""))

    german = client.get(reverse("people:directory"), headers={"accept-language": "de-DE,de;q=0.9"})
    english = client.get(reverse("people:directory"), headers={"accept-language": "fr, en;q=0.5"})

    assert '<html lang="de">' in german.content.decode()
    assert '<html lang="en-gb">' in english.content.decode()
    assert COOKIE not in german.cookies


def test_a_page_that_reads_no_profile_follows_the_remembered_choice(client):
    client.force_login(UserFactory(profile__language="de"))
    client.get(reverse("people:directory"))

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert '<html lang="de">' in response.content.decode()


def test_the_profile_page_saves_the_language_and_speaks_it_at_once(client):
    me = UserFactory()
    client.force_login(me)

    response = client.post(reverse("people:profile_edit"), _form_data(language="de"), follow=True)

    assert Profile.objects.get(user=me).language == "de"
    assert "Ihr Profil ist gespeichert." in response.content.decode()
    assert client.cookies[COOKIE].value == "de"


def test_back_to_the_browsers_language_forgets_the_remembered_choice(client):
    me = UserFactory(profile__language="de")
    client.force_login(me)
    client.get(reverse("people:directory"))

    response = client.post(reverse("people:profile_edit"), _form_data(language=""))

    assert Profile.objects.get(user=me).language == ""
    assert response.cookies[COOKIE].value == ""  # deleted
    page = client.get(reverse("people:directory"))
    assert '<html lang="en-gb">' in page.content.decode()


def test_an_unknown_language_is_refused(client):
    client.force_login(UserFactory())

    response = client.post(reverse("people:profile_edit"), _form_data(language="xx"))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_first_run_setup_asks_for_the_language(client):
    me = UserFactory(profile__onboarded_at=None)
    client.force_login(me)

    page = client.get(reverse("people:welcome"))
    client.post(
        reverse("people:welcome"),
        {"display_name": "Dana", "location": "", "time_zone": "", "language": "de"},
    )

    assert 'name="language"' in page.content.decode()
    assert Profile.objects.get(user=me).language == "de"


def test_signed_out_pages_offer_a_language_switch(client):
    page = client.get(reverse("account_login"))
    assert 'action="/i18n/setlang/"' in page.content.decode()

    response = client.post(reverse("set_language"), {"language": "de", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    german = client.get(reverse("account_login"))
    assert '<html lang="de">' in german.content.decode()


def test_the_switch_refuses_a_post_without_its_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("set_language"), {"language": "de"})

    assert response.status_code == 403


def test_mail_and_notifications_are_written_in_the_recipients_language():
    german, english, nobody = (
        UserFactory(profile__language="de"),
        UserFactory(profile__language=""),
        UserFactory.build(),
    )

    with in_language_of(german) as code:
        assert code == "de"
        assert gettext("Sign out") == "Abmelden"
        mail.send_mail(gettext("Sign in"), "", None, ["x@example.com"])
    with in_language_of(english):
        assert gettext("Sign out") == "Sign out"

    assert mail.outbox[0].subject == "Anmelden"
    assert translation.get_language() == settings.LANGUAGE_CODE
    assert language_of(german.profile) == "de"
    assert language_of(None) == language_of(nobody) == settings.LANGUAGE_CODE
    assert languages_of([german.pk, english.pk]) == {
        german.pk: "de",
        english.pk: settings.LANGUAGE_CODE,
    }


def test_the_unsubscribe_page_speaks_the_language_of_its_email(client):
    from socialearn.notifications.mail import unsubscribe_token

    german = UserFactory(profile__language="de")
    token = unsubscribe_token(user_id=german.pk, kind="mention")

    page = client.get(reverse("notifications:unsubscribe", args=[token]))

    assert "E-Mails über Erwähnungen von Ihnen abbestellen?" in page.content.decode()
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_dates_and_numbers_follow_the_language():
    from datetime import date

    from socialearn.forms import show_date
    from socialearn.insights.tables import display

    day = date(2026, 12, 2)
    assert show_date(day) == "2 Dec 2026"
    assert display(12345, "int") == "12,345"
    with translation.override("de"):
        assert show_date(day) == "2. Dez. 2026"
        assert display(12345, "int") == "12.345"
