import time

import pytest

from communities.models import Thread
from communities.services import answer_accept, reply_create, thread_create
from socialearn.insights.models import Activity
from socialearn.notifications.models import Notification
from socialearn.notifications.services import topic_follow
from tests.communities.conftest import make_community
from tests.factories import DepartmentFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _expert_on(topic, community, asker, expert):
    """The expert's answer was accepted on a question about the topic."""
    question = thread_create(
        community=community,
        author=asker,
        kind="question",
        title="Old",
        body="?",
        topics=[topic],
    )
    answer = reply_create(thread=question, author=expert, body="Here is how")
    answer_accept(thread=question, reply=answer, accepted_by=asker)


def test_help_reaches_followers_and_inferred_experts_once_never_the_asker(
    community, manager, member, topic, celery_eager, django_capture_on_commit_callbacks
):
    sales, ops, legal = (DepartmentFactory(name=n) for n in ("Sales", "Ops", "Legal"))
    follower = UserFactory(profile__department=sales)
    both = UserFactory(profile__department=ops)  # follows and is an expert: counted once
    expert = UserFactory(profile__department=legal)
    other_topic_expert = UserFactory()
    unrelated = UserFactory()
    for person in (follower, both, member):
        topic_follow(user=person, topic=topic)
    _expert_on(topic, community, manager, expert)
    _expert_on(topic, community, manager, both)
    _expert_on(TopicFactory(name="Gardening"), community, manager, other_topic_expert)

    with django_capture_on_commit_callbacks(execute=True):
        thread = thread_create(
            community=community,
            author=member,
            kind="help",
            title="Stuck on pivots",
            body="Please help",
            topics=[topic],
        )
    thread.refresh_from_db()
    reached = set(
        Notification.objects.filter(kind="help_request").values_list("recipient_id", flat=True)
    )
    assert reached == {follower.pk, both.pk, expert.pk}
    assert Notification.objects.filter(kind="help_request", recipient=both).count() == 1
    assert member.pk not in reached
    assert unrelated.pk not in reached
    assert other_topic_expert.pk not in reached
    assert thread.help_reached == 3
    assert thread.help_departments == 3
    activity = Activity.objects.get(verb="help_requested", thread_id=thread.pk)
    assert activity.extra == {"reached": 3, "departments": 3}


def test_the_asker_sees_how_far_the_request_went(
    client, community, member, topic, celery_eager, django_capture_on_commit_callbacks
):
    for _ in range(2):
        topic_follow(user=UserFactory(profile__department=DepartmentFactory()), topic=topic)
    with django_capture_on_commit_callbacks(execute=True):
        thread = thread_create(
            community=community,
            author=member,
            kind="help",
            title="Help",
            body="me",
            topics=[topic],
        )
    client.force_login(member)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Sent to 2 people in 2 departments" in page


def test_a_private_communitys_help_request_reaches_only_its_members(
    private_community, member, manager, topic, celery_eager, django_capture_on_commit_callbacks
):
    outsider = UserFactory()
    topic_follow(user=outsider, topic=topic)
    topic_follow(user=manager, topic=topic)
    with django_capture_on_commit_callbacks(execute=True):
        thread_create(
            community=private_community,
            author=member,
            kind="help",
            title="Help",
            body="me",
            topics=[topic],
        )
    reached = set(
        Notification.objects.filter(kind="help_request").values_list("recipient_id", flat=True)
    )
    assert reached == {manager.pk}


def test_a_held_help_request_is_broadcast_only_once_approved(
    community, member, manager, topic, celery_eager, django_capture_on_commit_callbacks
):
    from communities.models import ModerationWord
    from communities.services import moderation_act

    ModerationWord.objects.create(word="darn")
    topic_follow(user=UserFactory(), topic=topic)
    with django_capture_on_commit_callbacks(execute=True):
        thread = thread_create(
            community=community,
            author=member,
            kind="help",
            title="darn pivots",
            body="x",
            topics=[topic],
        )
    assert thread.status == Thread.Status.HELD
    assert not Notification.objects.filter(kind="help_request").exists()
    with django_capture_on_commit_callbacks(execute=True):
        moderation_act(actor=manager, action="approve", thread=thread, reason="fine")
    assert Notification.objects.filter(kind="help_request").count() == 1


@pytest.mark.worker
def test_a_real_worker_delivers_the_help_broadcast(celery_worker_process, topic):
    manager, asker, follower = UserFactory(), UserFactory(), UserFactory()
    community = make_community(manager, members=[asker], topics=[topic], name="Worker test")
    topic_follow(user=follower, topic=topic)
    thread = thread_create(
        community=community, author=asker, kind="help", title="Help", body="me", topics=[topic]
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if Notification.objects.filter(recipient=follower, kind="help_request").exists():
            break
        time.sleep(0.2)
    assert Notification.objects.filter(recipient=follower, kind="help_request").count() == 1
    assert Thread.objects.get(pk=thread.pk).help_reached == 1
