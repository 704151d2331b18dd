"""RSS and Atom feeds of public communities."""

import pytest
from django.urls import reverse

from communities.models import Community, Thread
from communities.services import community_create, thread_create, thread_edit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author():
    return UserFactory(profile__display_name="Petra Public")


def community(author, visibility=Community.Visibility.PUBLIC, anonymity="on", name="Data folk"):
    return community_create(
        created_by=author,
        name=name,
        purpose="People who like data.",
        visibility=visibility,
        anonymity=anonymity,
    )


def post(c, author, title, **kwargs):
    return thread_create(
        community=c, author=author, kind=Thread.Kind.DISCUSSION, title=title, body="Hello", **kwargs
    )


@pytest.mark.parametrize("name", ["communities:feed_rss", "communities:feed_atom"])
def test_a_public_community_has_feeds_of_its_published_threads(client, author, name):
    c = community(author)
    post(c, author, "Open thread")
    hidden = post(c, author, "Hidden thread")
    Thread.objects.filter(pk=hidden.pk).update(status=Thread.Status.HIDDEN)

    response = client.get(reverse(name, args=[c.slug]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Open thread" in body
    assert "Hidden thread" not in body
    assert "Petra Public" in body


@pytest.mark.parametrize("name", ["communities:feed_rss", "communities:feed_atom"])
def test_anonymous_authors_are_anonymous_in_feeds(client, author, name):
    c = community(author)
    post(c, author, "Asked anonymously", is_anonymous=True)
    body = client.get(reverse(name, args=[c.slug])).content.decode()
    assert "Anonymous" in body
    assert "Petra Public" not in body
    assert author.email not in body


@pytest.mark.parametrize("name", ["communities:feed_rss", "communities:feed_atom"])
def test_a_private_community_has_no_feed_even_for_members(client, author, name):
    c = community(author, visibility=Community.Visibility.PRIVATE)
    post(c, author, "Secret plans")
    client.force_login(author)
    response = client.get(reverse(name, args=[c.slug]))
    assert response.status_code == 404
    assert "Secret plans" not in response.content.decode()


def test_an_unknown_community_has_no_feed(client):
    assert client.get(reverse("communities:feed_rss", args=["nope"])).status_code == 404


def test_the_feed_runs_a_fixed_number_of_queries(client, author, django_assert_max_num_queries):
    c = community(author)
    post(c, author, "First")
    url = reverse("communities:feed_atom", args=[c.slug])
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200
    for i in range(40):
        post(c, UserFactory(), f"Thread {i}")
    with django_assert_max_num_queries(4):
        body = client.get(url).content.decode()
    assert body.count("<entry>") == 30


def test_an_unchanged_feed_is_served_as_it_was_written_without_reading_its_threads(
    client, author, django_assert_num_queries
):
    c = community(author)
    post(c, author, "First")
    url = reverse("communities:feed_rss", args=[c.slug])
    first = client.get(url)

    # The community and the threads' fingerprint; not the threads' bodies nor their authors.
    with django_assert_num_queries(2):
        again = client.get(url)

    assert again.content == first.content
    assert again.headers["Last-Modified"] == first.headers["Last-Modified"]


@pytest.mark.parametrize("name", ["communities:feed_rss", "communities:feed_atom"])
def test_a_kept_feed_shows_new_edited_and_hidden_threads_at_once(client, author, name):
    c = community(author)
    first = post(c, author, "First thread")
    url = reverse(name, args=[c.slug])
    assert "First thread" in client.get(url).content.decode()

    post(c, author, "Second thread")
    assert "Second thread" in client.get(url).content.decode()

    thread_edit(thread=first, editor=author, title="First, renamed", body="Hello again")
    body = client.get(url).content.decode()
    assert "First, renamed" in body
    assert "Hello again" in body

    Thread.objects.filter(pk=first.pk).update(status=Thread.Status.HIDDEN)
    assert "First, renamed" not in client.get(url).content.decode()


def test_a_kept_feed_follows_the_community_and_the_language(client, author):
    c = community(author)
    post(c, author, "First thread")
    url = reverse("communities:feed_rss", args=[c.slug])
    client.get(url)

    Community.objects.filter(pk=c.pk).update(name="Data folk, renamed")
    assert "Data folk, renamed" in client.get(url).content.decode()

    english = client.get(url).content.decode()
    german = client.get(url, headers={"accept-language": "de"}).content.decode()
    assert "<category>Discussion</category>" in english
    assert "<category>Discussion</category>" not in german


def test_the_feed_links_snippet_names_both_feeds_for_public_communities_only(author):
    from django.template.loader import render_to_string

    public = community(author)
    html = render_to_string("communities/lnd/_feed_links.html", {"community": public})
    assert reverse("communities:feed_rss", args=[public.slug]) in html
    assert reverse("communities:feed_atom", args=[public.slug]) in html
    assert 'rel="alternate"' in html
    private = community(author, visibility=Community.Visibility.PRIVATE, name="Closed")
    assert (
        render_to_string("communities/lnd/_feed_links.html", {"community": private}).strip() == ""
    )
