"""What a profile lets a colleague do: ask the person a question in a community both can
read (the person is notified), request them as a mentor, follow their posts."""

import pytest
from django.urls import reverse

from communities.models import Community, Thread
from communities.services import membership_join, reply_create, thread_create
from socialearn.notifications.models import Notification, PersonFollow
from tests.communities.conftest import make_community
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    class P:
        pass

    p = P()
    p.asker = UserFactory(profile__display_name="Ada Asker")
    p.expert = UserFactory(profile__display_name="Eli Expert")
    p.manager = UserFactory()
    p.shared = make_community(p.manager, name="Shared", members=[p.asker, p.expert])
    p.only_asker = make_community(
        p.manager,
        name="Asker's secret",
        members=[p.asker],
        visibility=Community.Visibility.PRIVATE,
    )
    return p


def test_asking_from_a_profile_posts_a_question_that_notifies_the_person(
    people, client, celery_eager, django_capture_on_commit_callbacks
):
    p = people
    client.force_login(p.asker)
    url = reverse("communities:ask_person", args=[p.expert.pk])
    page = client.get(url).content.decode()
    assert "Shared" in page
    # A private community the person cannot read is not offered: the mention would reach nobody.
    assert "Asker&#x27;s secret" not in page
    assert "Asker's secret" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"community": p.shared.pk, "title": "How do you size nodes?", "body": "Thanks"}
        )
    thread = Thread.objects.get(title="How do you size nodes?")
    assert response.status_code == 302
    assert thread.kind == Thread.Kind.QUESTION
    assert thread.author == p.asker
    assert Notification.objects.filter(
        recipient=p.expert, url__startswith=thread.get_absolute_url()
    ).exists()


def test_asking_in_a_community_not_offered_is_refused_with_a_message(people, client):
    p = people
    client.force_login(p.asker)
    response = client.post(
        reverse("communities:ask_person", args=[p.expert.pk]),
        {"community": p.only_asker.pk, "title": "Psst", "body": ""},
    )
    assert response.status_code == 200
    assert "Choose one of the communities offered." in response.content.decode()
    assert not Thread.objects.filter(title="Psst").exists()


def test_following_a_person_tells_of_their_new_threads_but_not_anonymous_ones(
    people, client, celery_eager, django_capture_on_commit_callbacks
):
    p = people
    p.shared.anonymity = Community.Anonymity.ON
    p.shared.save(update_fields=["anonymity"])
    client.force_login(p.asker)
    client.post(reverse("notifications:person_follow", args=[p.expert.pk]))
    assert PersonFollow.objects.filter(user=p.asker, person=p.expert).exists()
    with django_capture_on_commit_callbacks(execute=True):
        named = thread_create(
            community=p.shared,
            author=p.expert,
            kind=Thread.Kind.DISCUSSION,
            title="Named thoughts",
            body="Hi",
        )
        hidden = thread_create(
            community=p.shared,
            author=p.expert,
            kind=Thread.Kind.DISCUSSION,
            title="Anonymous thoughts",
            body="Hi",
            is_anonymous=True,
        )
    told = Notification.objects.filter(recipient=p.asker)
    assert told.filter(url=named.get_absolute_url()).count() == 1
    assert not told.filter(url=hidden.get_absolute_url()).exists()
    client.post(reverse("notifications:person_follow", args=[p.expert.pk]), {"follow": "off"})
    assert not PersonFollow.objects.filter(user=p.asker, person=p.expert).exists()


def test_following_a_person_tells_of_each_new_reply_once_never_anonymous_or_unreadable(
    people, celery_eager, django_capture_on_commit_callbacks
):
    p = people
    p.shared.anonymity = Community.Anonymity.ON
    p.shared.save(update_fields=["anonymity"])
    p.only_asker.anonymity = Community.Anonymity.ON
    p.only_asker.save(update_fields=["anonymity"])
    outsider = UserFactory(profile__display_name="Oz Outsider")
    starter = UserFactory(profile__display_name="Sia Starter")
    membership_join(community=p.shared, user=starter)
    secret_room = make_community(
        p.manager,
        name="Expert's room",
        members=[p.expert],
        visibility=Community.Visibility.PRIVATE,
    )
    for follower in (p.asker, outsider, starter):
        PersonFollow.objects.create(user=follower, person=p.expert)
    with django_capture_on_commit_callbacks(execute=True):
        thread = thread_create(
            community=p.shared, author=starter, kind=Thread.Kind.QUESTION, title="Nodes?", body="?"
        )
        secret = thread_create(
            community=secret_room,
            author=p.manager,
            kind=Thread.Kind.DISCUSSION,
            title="S",
            body="-",
        )
    Notification.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        named = reply_create(thread=thread, author=p.expert, body="Size them by memory.")
        handle = outsider.email.split("@")[0]
        mention = reply_create(thread=thread, author=p.expert, body=f"@{handle} see above")
        anonymous = reply_create(thread=thread, author=p.expert, body="Psst", is_anonymous=True)
        unreadable = reply_create(thread=secret, author=p.expert, body="In the room")

    def told(person):
        return Notification.objects.filter(recipient=person)

    # Every follower who may read the thread hears of the named reply once; the thread's
    # starter, who follows the expert too, gets the one "replied" notice, not two.
    for follower in (p.asker, outsider, starter):
        assert told(follower).filter(url=named.get_absolute_url()).count() == 1
    assert told(outsider).get(url=named.get_absolute_url()).kind == "followed_person_replied"
    assert told(starter).get(url=named.get_absolute_url()).kind == "reply"
    assert not told(p.expert).exists()
    # Never an anonymous reply, never one in a private community the follower is not in.
    assert (
        not Notification.objects.filter(url=anonymous.get_absolute_url())
        .exclude(recipient=starter)
        .exists()
    )
    assert (
        not Notification.objects.filter(url=unreadable.get_absolute_url())
        .exclude(recipient=p.manager)
        .exists()
    )
    # Anyone the reply mentions is told by the mention, not twice.
    assert told(outsider).filter(url=mention.get_absolute_url()).count() == 1


def test_nobody_follows_themselves(people, client):
    client.force_login(people.asker)
    response = client.post(
        reverse("notifications:person_follow", args=[people.asker.pk]), follow=True
    )
    assert "You cannot follow yourself." in response.content.decode()
    assert not PersonFollow.objects.exists()


def test_the_profile_offers_the_actions_and_the_mentor_page_says_what_to_do(people, client):
    p = people
    client.force_login(p.asker)
    page = client.get(reverse("people:profile", args=[p.expert.pk])).content.decode()
    assert reverse("communities:ask_person", args=[p.expert.pk]) in page
    assert reverse("mentoring:request_person", args=[p.expert.pk]) in page
    assert "Follow their posts" in page
    mentor_page = client.get(reverse("mentoring:request_person", args=[p.expert.pk]))
    assert "not a mentor in any programme yet" in mentor_page.content.decode()
