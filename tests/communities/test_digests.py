"""The email digest: one email per person, only what they may see, nothing twice."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from communities.digests import digests_send
from communities.models import Community, Thread
from communities.services import community_create, membership_join, thread_create
from communities.tasks import send_digests
from socialearn.notifications.services import topic_follow
from socialearn.people.models import Profile
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def poster():
    return UserFactory(profile__display_name="Paula Poster")


def reader(frequency="daily", **kwargs):
    return UserFactory(profile__digest_frequency=frequency, **kwargs)


def make_community(creator, name, *, private=False, topics=()):
    return community_create(
        created_by=creator,
        name=name,
        purpose="For tests.",
        visibility=Community.Visibility.PRIVATE if private else Community.Visibility.PUBLIC,
        anonymity=Community.Anonymity.ON,
        topics=topics,
    )


def post(community, author, title, *, topics=(), is_anonymous=False):
    return thread_create(
        community=community,
        author=author,
        kind=Thread.Kind.DISCUSSION,
        title=title,
        body="Body",
        topics=topics,
        is_anonymous=is_anonymous,
    )


def test_a_member_gets_one_email_listing_the_new_threads(mailoutbox, poster):
    community = make_community(poster, "Data folk")
    member = reader()
    membership_join(community=community, user=member)
    post(community, poster, "First news")
    post(community, poster, "Second news")

    assert send_digests(frequency="daily") == 1

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [member.email]
    assert "2 new threads" in email.subject
    assert "First news" in email.body
    assert "Second news" in email.body
    html = email.alternatives[0][0]
    assert "First news" in html
    assert "Paula Poster" in html
    member.profile.refresh_from_db()
    assert member.profile.last_digest_sent_at is not None


def test_nothing_new_means_no_email(mailoutbox, poster):
    community = make_community(poster, "Quiet")
    member = reader()
    membership_join(community=community, user=member)
    assert send_digests(frequency="daily") == 0
    assert mailoutbox == []


def test_a_rerun_the_same_day_sends_nothing_twice(mailoutbox, poster):
    community = make_community(poster, "Data folk")
    membership_join(community=community, user=reader())
    post(community, poster, "News")
    assert send_digests(frequency="daily") == 1
    assert send_digests(frequency="daily") == 0
    assert len(mailoutbox) == 1


def test_only_people_with_that_frequency_get_it(mailoutbox, poster):
    community = make_community(poster, "Data folk")
    for person in (reader("daily"), reader("weekly"), reader("none")):
        membership_join(community=community, user=person)
    post(community, poster, "News")
    assert send_digests(frequency="weekly") == 1
    assert send_digests(frequency="daily") == 1
    assert len(mailoutbox) == 2


def test_followed_topics_bring_threads_from_public_communities_only(mailoutbox, poster):
    sql = TopicFactory(name="SQL")
    open_one = make_community(poster, "Open")
    closed = make_community(poster, "Closed", private=True)
    follower = reader()
    topic_follow(user=follower, topic=sql)
    post(open_one, poster, "Public SQL tip", topics=[sql])
    post(closed, poster, "Private SQL secret", topics=[sql])

    send_digests(frequency="daily")

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert "Public SQL tip" in email.body
    assert "because you follow SQL" in email.body
    assert "Private SQL secret" not in email.body
    assert "Private SQL secret" not in email.alternatives[0][0]


def test_a_private_community_reaches_its_members_but_invitees_see_nothing(mailoutbox, poster):
    closed = make_community(poster, "Closed", private=True)
    member, invitee = reader(), reader()
    membership_join(community=closed, user=member)
    closed.memberships.create(user=invitee, status="invited")
    post(closed, poster, "Members only")
    send_digests(frequency="daily")
    assert [m.to for m in mailoutbox] == [[member.email]]


def test_anonymous_authors_stay_anonymous(mailoutbox, poster):
    community = make_community(poster, "Data folk")
    membership_join(community=community, user=reader())
    post(community, poster, "Who asks?", is_anonymous=True)
    send_digests(frequency="daily")
    email = mailoutbox[0]
    assert "Anonymous" in email.body
    assert "Paula Poster" not in email.body
    assert "Paula Poster" not in email.alternatives[0][0]


def test_unpublished_and_own_threads_are_left_out(mailoutbox, poster):
    community = make_community(poster, "Data folk")
    member = reader()
    membership_join(community=community, user=member)
    held = post(community, poster, "Held for review")
    Thread.objects.filter(pk=held.pk).update(status=Thread.Status.HELD)
    post(community, member, "My own thread")
    assert send_digests(frequency="daily") == 0


def test_only_threads_since_the_last_digest(mailoutbox, poster):
    community = make_community(poster, "Data folk")
    member = reader()
    membership_join(community=community, user=member)
    old = post(community, poster, "Old news")
    Thread.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=5))
    Profile.objects.filter(user=member).update(
        last_digest_sent_at=timezone.now() - timedelta(hours=3)
    )
    post(community, poster, "Fresh news")
    send_digests(frequency="daily")
    assert "Fresh news" in mailoutbox[0].body
    assert "Old news" not in mailoutbox[0].body


def test_without_a_last_digest_one_period_is_covered(mailoutbox, poster):
    community = make_community(poster, "Data folk")
    membership_join(community=community, user=reader())
    old = post(community, poster, "Two days old")
    Thread.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert send_digests(frequency="daily") == 0
    assert send_digests(frequency="weekly") == 0  # the reader is daily


def test_the_digest_costs_a_fixed_number_of_queries_per_batch(
    mailoutbox, poster, django_assert_max_num_queries
):
    sql = TopicFactory(name="SQL")
    communities = [make_community(poster, f"C{i}") for i in range(3)]

    def populate(readers, threads):
        for i in range(readers):
            person = reader()
            membership_join(community=communities[i % 3], user=person)
            topic_follow(user=person, topic=sql)
        for i in range(threads):
            post(communities[i % 3], poster, f"Thread {i}", topics=[sql])

    populate(2, 2)
    with django_assert_max_num_queries(8):
        assert digests_send(frequency="daily") == 2
    populate(40, 60)
    with django_assert_max_num_queries(8):
        assert digests_send(frequency="daily") == 42


def test_people_are_read_in_batches(mailoutbox, poster, monkeypatch):
    monkeypatch.setattr("communities.digests.BATCH_SIZE", 2)
    community = make_community(poster, "Data folk")
    for _ in range(5):
        membership_join(community=community, user=reader())
    post(community, poster, "News")
    assert send_digests(frequency="daily") == 5
    assert len({m.to[0] for m in mailoutbox}) == 5


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_digest(celery_worker_process, poster):
    community = make_community(poster, "Data folk")
    member = reader()
    membership_join(community=community, user=member)
    post(community, poster, "News")

    send_digests.delay(frequency="daily")

    deadline = time.monotonic() + 30
    profile = Profile.objects.get(user=member)
    while profile.last_digest_sent_at is None and time.monotonic() < deadline:
        time.sleep(0.2)
        profile.refresh_from_db()
    assert profile.last_digest_sent_at is not None


def test_times_are_shown_in_the_recipients_time_zone(mailoutbox, poster):
    import zoneinfo

    community = make_community(poster, "Data folk")
    member = reader(profile__time_zone="Asia/Tokyo")
    membership_join(community=community, user=member)
    thread = post(community, poster, "News")
    tokyo = timezone.localtime(thread.created_at, zoneinfo.ZoneInfo("Asia/Tokyo"))
    send_digests(frequency="daily")
    assert tokyo.strftime("%H:%M") in mailoutbox[0].body
