"""The first-run setup: a new account is sent there after signing up and after signing in
until it finishes or skips; home says "Welcome" once after it, "Welcome back" from the next
sign-in on."""

import pytest
from django.urls import reverse

from socialearn.people.models import Profile
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase-42"


def _sign_up(client, email="new.person@example.com"):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )


def test_signing_up_leads_to_the_setup_and_signing_in_again_too_until_it_is_done(client):
    response = _sign_up(client)
    assert response["Location"] == reverse("people:welcome")
    client.logout()
    again = client.post(
        reverse("account_login"), {"login": "new.person@example.com", "password": PASSWORD}
    )
    assert again["Location"] == reverse("people:welcome")


def test_the_setup_saves_the_profile_then_home_says_welcome_once(client):
    kube = TopicFactory(name="Kubernetes")
    _sign_up(client)
    response = client.post(
        reverse("people:welcome"),
        {"display_name": "Nia Newbie", "job_title": "Engineer", "interests": [kube.pk]},
    )
    assert response["Location"] == reverse("communities:welcome")
    profile = Profile.objects.get(user__email="new.person@example.com")
    assert list(profile.interests.all()) == [kube]
    assert client.post(reverse("people:welcome_finish"))["Location"] == reverse("home")
    home = client.get(reverse("home")).content.decode()
    assert "Welcome, Nia Newbie" in home
    client.logout()
    signed_in = client.post(
        reverse("account_login"), {"login": "new.person@example.com", "password": PASSWORD}
    )
    assert signed_in["Location"] == reverse("home")
    assert "Welcome back, Nia Newbie" in client.get(reverse("home")).content.decode()


def test_the_setup_needs_a_name_and_says_so(client):
    _sign_up(client)
    response = client.post(reverse("people:welcome"), {"display_name": ""})
    assert response.status_code == 200
    assert "Tell colleagues what to call you." in response.content.decode()


def test_people_to_follow_come_from_what_i_want_to_learn(client):
    kube = TopicFactory(name="Kubernetes")
    expert = UserFactory(profile__display_name="Kai Kube", profile__expertise=[kube])
    UserFactory(profile__display_name="Una Related")
    me = UserFactory(profile__interests=[kube])
    client.force_login(me)
    page = client.get(reverse("people:welcome_experts")).content.decode()
    assert "Kai Kube" in page
    assert "Una Related" not in page
    assert reverse("notifications:person_follow", args=[expert.pk]) in page


def test_people_to_follow_read_the_newcomers_profile_once_in_nine_queries(
    client, django_assert_num_queries
):
    """The profile the request read for its header (people.middleware) is the one the page
    starts from: neither it nor the account is read again. Nine queries with one expert to
    follow or with many."""
    kube = TopicFactory(name="Kubernetes")
    me = UserFactory(profile__interests=[kube])
    UserFactory(profile__display_name="Kai Kube", profile__expertise=[kube])
    client.force_login(me)
    client.get(reverse("people:welcome_experts"))  # the topic's evidence, counted and kept
    with django_assert_num_queries(9) as one:
        client.get(reverse("people:welcome_experts"))
    for i in range(12):
        UserFactory(profile__display_name=f"Expert {i:02}", profile__expertise=[kube])
    client.get(reverse("people:welcome_experts"))
    with django_assert_num_queries(9) as many:
        page = client.get(reverse("people:welcome_experts")).content.decode()
    assert "Expert 07" in page
    for captured in (one, many):
        reads = [q["sql"] for q in captured.captured_queries]
        assert not [sql for sql in reads if sql.startswith('SELECT "auth_user"."id"')]
        assert (
            sum('FROM "people_profile" WHERE "people_profile"."user_id"' in s for s in reads) == 0
        )
