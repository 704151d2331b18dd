"""Emails through a real SMTP server on loopback (aiosmtpd): an HTML and a plain-text part,
the one-click unsubscribe headers (RFC 8058), and an unsubscribe link that works without
signing in, only for that person and that kind of email."""

import socket
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from communities.digests import digests_send
from communities.models import Thread
from communities.services import community_create, membership_join, thread_create
from socialearn.notifications.emails import send_pending_notification_emails
from socialearn.notifications.mail import unsubscribe_token
from socialearn.notifications.models import EmailOptOut
from socialearn.notifications.services import notify
from socialearn.people.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class Sink:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.SITE_URL = "https://learn.example.org"
    yield sink
    controller.stop()


def parts(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_content()
        for part in message.walk()
        if not part.is_multipart()
    }


def unsubscribe_path(message) -> str:
    header = str(message["List-Unsubscribe"]).strip()
    assert header.startswith("<https://learn.example.org/inbox/unsubscribe/")
    assert header.endswith("/>")
    return urlsplit(header.strip("<>")).path


def test_a_notification_email_has_both_parts_and_a_one_click_unsubscribe(smtp):
    sam = UserFactory(profile__display_name="Sam Reader", profile__email_preference="immediate")
    notify(
        recipients=[sam],
        kind="mention",
        title="Paula mentioned you in “Pivot tables”",
        body="@Sam, you will like this <one>.",
        url="/communities/data/t/1/",
        send_email=True,
    )
    assert send_pending_notification_emails() == 1
    (message,) = smtp.messages
    assert message["To"] == sam.email
    assert message["Subject"] == "Paula mentioned you in “Pivot tables”"
    assert message.get_content_type() == "multipart/alternative"
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    link = "https://learn.example.org/communities/data/t/1/"
    assert link in body["text/plain"]
    assert "you will like this <one>." in body["text/plain"]  # plain text is not escaped
    assert f'href="{link}"' in body["text/html"]
    assert "you will like this &lt;one&gt;." in body["text/html"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    assert path in body["text/plain"]
    assert path in body["text/html"]
    assert "mentions of you" in body["text/plain"]


def test_the_unsubscribe_link_works_without_signing_in_for_that_person_and_kind_only(smtp):
    sam = UserFactory(profile__email_preference="immediate")
    other = UserFactory(profile__email_preference="immediate")
    notify(recipients=[sam], kind="mention", title="Mentioned", send_email=True)
    send_pending_notification_emails()
    path = unsubscribe_path(smtp.messages[0])

    browser = Client(enforce_csrf_checks=True)  # not signed in
    page = browser.get(path)
    assert page.status_code == 200
    assert "Unsubscribe from emails about mentions of you?" in page.content.decode()
    assert not EmailOptOut.objects.exists()  # opening the link changes nothing

    # What a mail client sends for the one-click header: no cookie, no CSRF token.
    done = browser.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert list(EmailOptOut.objects.values_list("user_id", "kind")) == [(sam.pk, "mention")]

    smtp.messages.clear()
    notify(recipients=[sam, other], kind="mention", title="Mentioned again", send_email=True)
    notify(recipients=[sam], kind="reply", title="A reply", send_email=True)
    assert send_pending_notification_emails() == 2
    received = sorted((m["To"], m["Subject"]) for m in smtp.messages)
    assert received == sorted([(other.email, "Mentioned again"), (sam.email, "A reply")])

    # Undo from the confirmation page.
    browser.post(path, {"action": "resubscribe"})
    assert not EmailOptOut.objects.exists()


def test_a_tampered_unsubscribe_token_is_refused(client):
    sam = UserFactory()
    token = unsubscribe_token(user_id=sam.pk, kind="mention")
    head, _, signature = token.rpartition(":")
    tampered = f"{head}:{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    # Another person's id under the same signature.
    forged = token.replace(token.split(":")[0], "W1swLCJtZW50aW9uIl0", 1)
    for bad in (tampered, forged, "nonsense"):
        url = reverse("notifications:unsubscribe", args=[bad])
        assert client.get(url).status_code == 400
        response = client.post(url, "List-Unsubscribe=One-Click", content_type="text/plain")
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    assert not EmailOptOut.objects.exists()


def test_the_digest_has_both_parts_and_its_unsubscribe_turns_the_digest_off(smtp):
    poster = UserFactory(profile__display_name="Paula Poster")
    reader = UserFactory(profile__digest_frequency="daily")
    community = community_create(created_by=poster, name="Data folk", purpose="x")
    membership_join(community=community, user=reader)
    thread_create(
        community=community, author=poster, kind=Thread.Kind.DISCUSSION, title="News", body="b"
    )
    assert digests_send(frequency="daily", now=timezone.now()) == 1
    (message,) = smtp.messages
    body = parts(message)
    assert "News" in body["text/plain"]
    assert "Paula Poster" in body["text/html"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    response = Client().post(unsubscribe_path(message))
    assert response.status_code == 200
    reader.profile.refresh_from_db()
    assert reader.profile.digest_frequency == Profile.DigestFrequency.NONE
