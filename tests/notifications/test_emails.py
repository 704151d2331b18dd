import pytest

from socialearn.notifications.emails import send_pending_notification_emails
from socialearn.notifications.models import Notification
from socialearn.notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_people_who_opted_in_get_one_email_per_notification(mailoutbox, settings):
    settings.SITE_URL = "https://learn.example.org"
    keen = UserFactory(profile__email_preference="immediate")
    notify(
        recipients=[keen],
        kind="answer",
        title="Your question was answered",
        url="/q/1/",
        send_email=True,
    )
    assert send_pending_notification_emails() == 1
    assert send_pending_notification_emails() == 0  # never twice
    (message,) = mailoutbox
    assert message.to == [keen.email]
    assert message.subject == "Your question was answered"
    assert "https://learn.example.org/q/1/" in message.body


def test_people_who_opted_out_get_no_email_but_keep_the_inbox_line(mailoutbox):
    quiet = UserFactory(profile__email_preference="none")
    notify(recipients=[quiet], kind="answer", title="Answered", send_email=True)
    assert send_pending_notification_emails() == 0
    assert mailoutbox == []
    note = Notification.objects.get(recipient=quiet)
    assert note.emailed_at is not None  # settled, not retried forever
    assert note.read_at is None


def test_notifications_not_meant_for_email_are_never_sent(mailoutbox):
    keen = UserFactory(profile__email_preference="immediate")
    notify(recipients=[keen], kind="info", title="FYI")
    assert send_pending_notification_emails() == 0
    assert mailoutbox == []


def test_notify_with_email_queues_the_sending_task_after_commit(
    mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    keen = UserFactory(profile__email_preference="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[keen], kind="mention", title="You were mentioned", send_email=True)
    assert [m.subject for m in mailoutbox] == ["You were mentioned"]
