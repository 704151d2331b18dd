"""Pages run a fixed number of queries whatever the length of their lists."""

import pytest
from django.contrib.postgres.search import SearchVector
from django.urls import reverse
from django.utils import timezone

from communities.models import Reaction, Reply, Thread
from communities.services import flag_create, reaction_toggle, reply_create, thread_create
from tests.communities.conftest import make_community
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _bulk_replies(thread, authors, n):
    now = timezone.now()
    Reply.objects.bulk_create(
        Reply(
            thread=thread,
            author=authors[i % len(authors)],
            body=f"Reply {i} about pivot tables",
            body_html=f"<p>Reply {i} about pivot tables</p>",
            is_anonymous=False,
            created_at=now,
        )
        for i in range(n)
    )
    Reply.objects.filter(thread=thread).update(search_vector=SearchVector("body"))
    Thread.objects.filter(pk=thread.pk).update(reply_count=n)


@pytest.fixture
def people():
    return UserFactory.create_batch(4)


def _community_with(manager, people, n_threads, n_replies):
    community = make_community(
        manager, members=people, topics=[TopicFactory(), TopicFactory()], name=f"C{n_threads}"
    )
    thread = None
    for i in range(n_threads):
        thread = thread_create(
            community=community,
            author=people[i % len(people)],
            kind=["question", "tip", "discussion", "help", "resource"][i % 5],
            title=f"Pivot tables {i}",
            body="How do pivot tables work?",
            url="https://example.com",
        )
    _bulk_replies(thread, people, n_replies)
    for person in people:
        reaction_toggle(user=person, kind="idea", thread=thread)
    for reply in Reply.objects.filter(thread=thread)[:20]:
        Reaction.objects.create(user=people[0], reply=reply, kind="thanks")
        flag_create(user=people[1], reason="check", reply=reply)
    _spotlights(community, thread, manager, people, n=1 if n_replies < 25 else 12)
    return community, thread


def _spotlights(community, thread, guide, people, *, n):
    """A challenge guide's spotlights on n answers, spread over the thread's pages."""
    from challenges.courses.services import guide_spotlight
    from challenges.services import participant_join
    from tests.challenges.conftest import make_challenge

    challenge = make_challenge(
        community=community, designer=guide, start=timezone.localdate(), steps=1
    )
    for person in people:
        participant_join(challenge=challenge, user=person)
    replies = list(Reply.objects.filter(thread=thread).order_by("pk"))
    for reply in replies[:: max(1, len(replies) // n)][:n]:
        guide_spotlight(sent_by=guide, reply=reply, text="Worth a read.", challenge=challenge)


@pytest.mark.parametrize("size", [(2, 3), (45, 500)])
def test_pages_run_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, manager, people, size
):
    community, thread = _community_with(manager, people, *size)
    client.force_login(people[0])
    pages = [
        (reverse("communities:list"), 9),
        (community.get_absolute_url(), 10),
        (community.get_absolute_url() + "?sort=top&page=2", 10),
        (thread.get_absolute_url(), 13),
        (thread.get_absolute_url() + "?page=3", 13),
        (reverse("communities:search") + "?q=pivot", 6),
        (reverse("communities:search") + "?q=pivot&page=2", 6),
        (reverse("communities:members", args=[community.slug]), 7),
    ]
    for url, bound in pages:
        with django_assert_max_num_queries(bound):
            assert client.get(url).status_code == 200
    client.force_login(manager)
    with django_assert_max_num_queries(11):
        assert (
            client.get(reverse("communities:moderation", args=[community.slug])).status_code == 200
        )
    with django_assert_max_num_queries(13):
        assert client.get(thread.get_absolute_url()).status_code == 200


def test_a_thread_with_500_replies_shows_them_a_page_at_a_time(client, manager, people):
    community, thread = _community_with(manager, people, 1, 500)
    reply_create(thread=thread, author=people[0], body="the very last reply")
    client.force_login(people[0])
    html = client.get(thread.get_absolute_url() + "?page=21").content.decode()
    assert "the very last reply" in html
    assert "Page 21 of 21" in html


def _members_page_queries(client, manager, n, django_assert_max_num_queries):
    people = [UserFactory(profile__display_name=f"Person {i:03d}") for i in range(n)]
    community = make_community(manager, members=people, name=f"Members {n}")
    client.force_login(manager)
    url = reverse("communities:members", args=[community.slug])
    with django_assert_max_num_queries(12):
        first = client.get(url)
    with django_assert_max_num_queries(12):
        last = client.get(url + "?page=last")
    return first, last


@pytest.mark.parametrize("n", [2, 120])
def test_the_members_page_runs_a_fixed_number_of_queries(
    client, manager, n, django_assert_max_num_queries
):
    first, last = _members_page_queries(client, manager, n, django_assert_max_num_queries)
    assert first.status_code == last.status_code == 200


def test_members_are_listed_by_name_and_those_without_a_profile_come_last(client, manager):
    from django.contrib.auth import get_user_model

    named = [
        UserFactory(profile__display_name=name)
        for name in ("Zulu Member", "Alpha Member", "Mike Member")
    ]
    bare = get_user_model().objects.create_user(
        username="bare@example.com", email="bare@example.com"
    )
    community = make_community(manager, members=[*named, bare], name="By name")
    client.force_login(manager)
    page = client.get(reverse("communities:members", args=[community.slug])).content.decode()
    bare_link = f'href="{reverse("people:profile", args=[bare.pk])}"'
    positions = [
        page.index(text) for text in ("Alpha Member", "Mike Member", "Zulu Member", bare_link)
    ]
    assert positions == sorted(positions)
    # Someone without a name yet is a "New member", never their email address.
    assert "bare@example.com" not in page
    assert "New member" in page


def test_members_pages_follow_each_other_by_cursor_in_name_order(client, manager):
    """Next and previous cursors walk the list a page at a time off the name index (keyset):
    every member once, in name order, those without a profile last; and back again."""
    from django.contrib.auth import get_user_model

    from communities.selectors import members_page

    people = [UserFactory(profile__display_name=f"Person {i:03d}") for i in range(11)]
    bare = [
        get_user_model().objects.create_user(username=f"b{i}@x.org", email=f"b{i}@x.org")
        for i in range(3)
    ]
    community = make_community(manager, members=[*people, *bare], name="Walked")
    named = sorted([*people, manager], key=lambda u: (u.profile.display_name, u.profile.pk))
    expected = [u.pk for u in named] + [u.pk for u in bare]

    forward, after = [], None
    while True:
        page = members_page(community, after=after, size=4)
        assert len(page) <= 4
        forward += [m.user_id for m in page]
        if page.next is None:
            break
        after = page.next
    assert forward == expected

    backward, page = [], members_page(community, last=True, size=4)
    while True:
        backward = [m.user_id for m in page] + backward
        if page.previous is None:
            break
        page = members_page(community, before=page.previous, size=4)
    assert backward == expected

    client.force_login(manager)
    url = reverse("communities:members", args=[community.slug])
    middle = members_page(community, after=f"n{named[3].profile.pk}", size=50)
    html = client.get(url + f"?after=n{named[3].profile.pk}").content.decode()
    assert [m.user_id for m in middle] == expected[4:]
    assert 'rel="prev"' in html
    assert 'rel="next"' not in html
