import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_page_looks_like_the_site(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert 'class="site-header"' in response.text
    assert 'for="id_login"' in response.text
    assert 'for="id_password"' in response.text


def test_sign_in_with_email_and_password(client):
    UserFactory(email="kofi@example.com", username="kofi@example.com")
    response = client.post(
        reverse("account_login"), {"login": "kofi@example.com", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_signing_in_greets_the_person_by_name_never_by_email(client):
    UserFactory(
        email="kofi@example.com",
        username="kofi@example.com",
        profile__display_name="Kofi Mensah",
        profile__onboarded_at=timezone.now(),
    )
    response = client.post(
        reverse("account_login"),
        {"login": "kofi@example.com", "password": "correct-horse-battery"},
        follow=True,
    )
    said = [str(m) for m in response.context["messages"]]
    assert said == ["Signed in as Kofi Mensah."]
    assert "kofi@example.com" not in response.text


def test_signing_in_without_a_name_says_so_without_the_email(client):
    UserFactory(
        email="nn@example.com",
        username="nn@example.com",
        first_name="",
        last_name="",
        profile__display_name="",
    )
    response = client.post(
        reverse("account_login"),
        {"login": "nn@example.com", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == ["You are signed in."]


def test_wrong_password_gets_a_clear_message(client):
    UserFactory(email="kofi@example.com", username="kofi@example.com")
    response = client.post(reverse("account_login"), {"login": "kofi@example.com", "password": "x"})
    assert response.status_code == 200
    assert "not correct" in response.text


def test_sign_up_creates_an_account_when_open(client, settings):
    settings.ACCOUNT_ALLOW_SIGNUP = True
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    assert get_user_model().objects.filter(email="new@example.com").exists()


def test_sign_up_bad_input_gets_messages(client, settings):
    settings.ACCOUNT_ALLOW_SIGNUP = True
    response = client.post(
        reverse("account_signup"), {"email": "not-an-email", "password1": "a", "password2": "b"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_sign_up_switched_off_hides_the_link_and_blocks_the_page(client, settings):
    settings.ACCOUNT_ALLOW_SIGNUP = False
    login = client.get(reverse("account_login"))
    assert reverse("account_signup") not in login.text
    closed = client.get(reverse("account_signup"))
    assert "You cannot create an account here yourself" in closed.text
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="new@example.com").exists()


def test_failed_logins_are_rate_limited_through_the_redis_cache(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/ip,3/5m/key"}
    UserFactory(email="kofi@example.com", username="kofi@example.com")
    for _ in range(3):
        response = client.post(
            reverse("account_login"), {"login": "kofi@example.com", "password": "wrong"}
        )
        assert response.status_code == 200
    blocked = client.post(
        reverse("account_login"), {"login": "kofi@example.com", "password": "correct-horse-battery"}
    )
    assert blocked.status_code in (200, 429)
    assert "Too many failed login attempts" in blocked.text
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_an_email(client, mailoutbox):
    UserFactory(email="kofi@example.com", username="kofi@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "kofi@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "kofi@example.com" in mailoutbox[0].to


def _sign_in(client, email, password, address="10.0.0.7"):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR="172.18.0.2",  # the reverse proxy
        HTTP_X_FORWARDED_FOR=address,
    )


def test_bad_passwords_lock_one_account_not_everyone_behind_the_proxy(settings):
    """Five wrong passwords for A lock A for a while; B, signing in from the same office
    address through the same proxy, still gets in; A's sixth attempt is refused plainly."""
    from django.test import Client

    from socialearn.settings import base

    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS  # the production limits, on Redis
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(email="ana@example.com", username="ana@example.com")
    UserFactory(email="ben@example.com", username="ben@example.com")
    office = Client()
    for _ in range(5):
        response = _sign_in(office, "ana@example.com", "wrong")
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.text

    colleague = Client()
    response = _sign_in(colleague, "ben@example.com", "correct-horse-battery")
    assert response.status_code == 302
    assert "_auth_user_id" in colleague.session

    sixth = _sign_in(office, "ana@example.com", "correct-horse-battery")
    assert sixth.status_code == 200
    assert "Too many failed login attempts. Try again later." in sixth.text
    assert "_auth_user_id" not in office.session


def test_the_address_limit_counts_the_client_behind_the_proxy(settings):
    """With TRUSTED_PROXY_COUNT=1 the address is the one the proxy saw: a flood from one
    client is stopped while another client behind the same proxy signs in."""
    from django.test import Client

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,100/m/key"}
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(email="ana@example.com", username="ana@example.com")
    UserFactory(email="ben@example.com", username="ben@example.com")
    flood = Client()
    for _ in range(3):
        _sign_in(flood, "ana@example.com", "wrong", address="198.51.100.9")
    refused = _sign_in(flood, "ana@example.com", "correct-horse-battery", address="198.51.100.9")
    assert "Too many failed login attempts" in refused.text
    other = Client()
    response = _sign_in(other, "ben@example.com", "correct-horse-battery", address="10.0.0.8")
    assert response.status_code == 302


def test_the_admin_signs_in_through_the_throttled_site_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
