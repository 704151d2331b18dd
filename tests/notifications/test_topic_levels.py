"""Following a topic has levels: every new question, tip and session at once, or the digest
only, or off. Instant notices go through the fan-out, once per person per post."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Thread
from communities.services import thread_create
from expertqa.services import session_schedule
from socialearn.notifications.models import Notification, TopicFollow
from socialearn.notifications.services import topic_follow
from tests.communities.conftest import make_community
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(celery_eager, django_capture_on_commit_callbacks):
    class S:
        pass

    s = S()
    s.capture = django_capture_on_commit_callbacks
    s.kube = TopicFactory(name="Kubernetes")
    s.helm = TopicFactory(name="Helm")
    s.manager = UserFactory()
    s.asker = UserFactory()
    s.every = UserFactory()
    s.digest = UserFactory()
    s.both = UserFactory()
    topic_follow(user=s.every, topic=s.kube)
    topic_follow(user=s.digest, topic=s.kube, level=TopicFollow.Level.DIGEST)
    topic_follow(user=s.both, topic=s.kube)
    topic_follow(user=s.both, topic=s.helm)
    topic_follow(user=s.asker, topic=s.kube)
    s.community = make_community(s.manager, name="Platform", members=[s.asker])
    return s


def _ask(s, community=None, kind=Thread.Kind.QUESTION, **kwargs):
    with s.capture(execute=True):
        return thread_create(
            community=community or s.community,
            author=s.asker,
            kind=kind,
            title="How do we roll back a Helm release?",
            body=kwargs.pop("body", "Asking."),
            topics=[s.kube, s.helm],
            **kwargs,
        )


def _notices(user, thread=None):
    qs = Notification.objects.filter(recipient=user)
    if thread is not None:
        qs = qs.filter(url=thread.get_absolute_url())
    return list(qs)


def test_every_question_notifies_each_follower_exactly_once(setup):
    """Rule: a new question on a followed topic reaches each "every" follower once, also one
    following two of its topics; never the asker; a retried fan-out adds nothing."""
    s = setup
    thread = _ask(s)
    assert len(_notices(s.every, thread)) == 1
    assert len(_notices(s.both, thread)) == 1
    assert _notices(s.asker, thread) == []
    assert _notices(s.every, thread)[0].title == (
        "New question on Helm, Kubernetes: How do we roll back a Helm release?"
    )
    from socialearn.notifications.services import fan_out_run

    again = fan_out_run(
        audience="thread_topic_followers",
        audience_kwargs={"thread_id": thread.pk},
        kind="topic_thread",
        title="x",
        dedupe_key=f"thread:{thread.pk}",
        exclude_user_ids=[s.asker.pk],
    )
    assert again == 0


def test_digest_only_does_not_notify_at_once(setup):
    s = setup
    thread = _ask(s)
    assert _notices(s.digest, thread) == []


def test_tips_notify_and_discussions_do_not(setup):
    s = setup
    tip = _ask(s, kind=Thread.Kind.TIP)
    assert len(_notices(s.every, tip)) == 1
    assert "New tip on" in _notices(s.every, tip)[0].title
    talk = _ask(s, kind=Thread.Kind.DISCUSSION)
    assert _notices(s.every, talk) == []


def test_a_private_communitys_question_reaches_only_member_followers(setup):
    s = setup
    private = make_community(
        s.manager, name="Secret", members=[s.asker, s.both], visibility=Community.Visibility.PRIVATE
    )
    thread = _ask(s, community=private)
    assert _notices(s.every, thread) == []
    assert len(_notices(s.both, thread)) == 1


def test_a_mentioned_follower_hears_once_by_the_mention(setup):
    s = setup
    from communities.services import membership_join

    membership_join(community=s.community, user=s.every)
    handle = s.every.email.split("@")[0]
    thread = _ask(s, body=f"What do you think, @{handle}?")
    notices = _notices(s.every, thread)
    assert len(notices) == 1
    assert notices[0].kind == "mention"


def test_an_anonymous_question_does_not_name_its_author(setup):
    s = setup
    s.community.anonymity = Community.Anonymity.ON
    s.community.save(update_fields=["anonymity"])
    thread = _ask(s, is_anonymous=True)
    note = _notices(s.every, thread)[0]
    assert s.asker.profile.display_name not in note.title + note.body


def test_sessions_reach_every_followers_not_digest_ones(setup):
    s = setup
    now = timezone.now()
    with s.capture(execute=True):
        session = session_schedule(
            created_by=s.manager,
            title="Ask the Kubernetes expert",
            topic=s.kube,
            community=s.community,
            experts=[s.manager],
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=1),
        )
    from expertqa.services import session_send_invitations

    session_send_invitations(session_id=session.pk)
    url = session.get_absolute_url()
    assert Notification.objects.filter(recipient=s.every, url__startswith=url).count() == 1
    assert not Notification.objects.filter(recipient=s.digest, url__startswith=url).exists()


def test_the_topic_page_offers_the_levels_and_changes_them(client, setup):
    s = setup
    client.force_login(s.every)
    page = client.get(reverse("people:topic", args=[s.kube.slug])).content.decode()
    assert 'name="level"' in page
    assert "Only in my email digest" in page
    url = reverse("notifications:topic_follow", args=[s.kube.slug])
    response = client.post(url, {"level": "digest"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert TopicFollow.objects.get(user=s.every, topic=s.kube).level == "digest"
    assert "selected>Only in my email digest" in response.content.decode()
    client.post(url, {"level": "off"})
    assert not TopicFollow.objects.filter(user=s.every, topic=s.kube).exists()
    client.post(url, {"level": "nonsense"})
    assert TopicFollow.objects.get(user=s.every, topic=s.kube).level == "every"
