import pytest
from django.urls import reverse

from socialearn.notifications.models import TopicFollow
from socialearn.notifications.services import topic_follow, topic_unfollow
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_following_twice_keeps_one_follow():
    person, topic = UserFactory(), TopicFactory()
    topic_follow(user=person, topic=topic)
    topic_follow(user=person, topic=topic)
    assert TopicFollow.objects.filter(user=person, topic=topic).count() == 1
    topic_unfollow(user=person, topic=topic)
    assert not TopicFollow.objects.exists()


def test_follow_with_htmx_swaps_the_button(client, me):
    topic = TopicFactory(name="Coaching")
    response = client.post(
        reverse("notifications:topic_follow", args=[topic.slug]),
        {"compact": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Unfollow Coaching" in response.text
    assert reverse("notifications:topic_unfollow", args=[topic.slug]) in response.text
    assert "follow-form-compact" in response.text
    assert TopicFollow.objects.filter(user=me, topic=topic).exists()


def test_unfollow_with_htmx(client, me):
    topic = TopicFactory(name="Coaching")
    topic_follow(user=me, topic=topic)
    response = client.post(
        reverse("notifications:topic_unfollow", args=[topic.slug]), HTTP_HX_REQUEST="true"
    )
    assert "Follow Coaching" in response.text
    assert not TopicFollow.objects.filter(user=me).exists()


def test_follow_without_javascript_returns_to_the_page(client, me):
    topic = TopicFactory()
    response = client.post(
        reverse("notifications:topic_follow", args=[topic.slug]), {"next": "/people/topics/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/people/topics/"


def test_follow_never_redirects_off_site(client, me):
    topic = TopicFactory()
    response = client.post(
        reverse("notifications:topic_follow", args=[topic.slug]),
        {"next": "https://evil.example/"},
    )
    assert response["Location"] == topic.get_absolute_url()


def test_follow_unknown_topic_is_404_and_get_is_refused(client, me):
    assert client.post(reverse("notifications:topic_follow", args=["nope"])).status_code == 404
    topic = TopicFactory()
    url = reverse("notifications:topic_follow", args=[topic.slug])
    assert client.get(url).status_code == 405


def test_topic_followers_hear_of_fan_outs():
    from socialearn.notifications.services import fan_out_run

    topic = TopicFactory()
    follower = UserFactory()
    topic_follow(user=follower, topic=topic)
    sent = fan_out_run(
        audience="topic_followers",
        audience_kwargs={"topic_ids": [topic.pk]},
        kind="help",
        title="Help wanted",
    )
    assert sent == 1
    assert follower.notifications.get().title == "Help wanted"
