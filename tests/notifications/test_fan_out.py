import time

import pytest

from socialearn.notifications.models import Notification
from socialearn.notifications.services import notify_audience_now
from socialearn.notifications.tasks import fan_out
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_fan_out_to_topic_followers_notifies_each_follower_once_even_when_retried():
    from socialearn.notifications.services import topic_follow

    topic = TopicFactory()
    followers = UserFactory.create_batch(3)
    for person in followers:
        topic_follow(user=person, topic=topic)
    outsider = UserFactory()
    payload = dict(
        audience="topic_followers",
        audience_kwargs={"topic_ids": [topic.pk]},
        kind="test",
        title="Hello",
        dedupe_key="hello:1",
        exclude_user_ids=[followers[0].pk],
    )
    assert fan_out(**payload) == 2
    assert fan_out(**payload) == 0  # a redelivered task writes nothing twice
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {followers[1].pk, followers[2].pk}
    assert outsider.pk not in recipients


def test_notify_audience_now_skips_inactive_people():
    from django.contrib.auth import get_user_model

    active, inactive = UserFactory(), UserFactory(is_active=False)
    audience = get_user_model().objects.filter(pk__in=[active.pk, inactive.pk]).values("id")
    assert notify_audience_now(audience=audience, kind="test", title="Hi") == 1


@pytest.mark.worker
def test_a_real_worker_fans_out_a_notification(celery_worker_process):
    person = UserFactory()
    fan_out.delay(
        audience="users", audience_kwargs={"user_ids": [person.pk]}, kind="test", title="Hi"
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if Notification.objects.filter(recipient=person).exists():
            break
        time.sleep(0.2)
    assert Notification.objects.filter(recipient=person, title="Hi").count() == 1
