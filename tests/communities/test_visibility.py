"""Private community content is invisible to non-members on every URL: 404, never a leak."""

import pytest
from django.urls import reverse

from communities.models import Reaction
from communities.selectors import (
    can_view_community,
    communities_visible_to,
    is_manager,
    threads_visible_to,
)
from communities.services import reply_create, thread_create
from socialearn.people.search import search


def _posts(user, q):
    """Threads and replies the one search finds for this reader."""
    return search(user, q, kind="threads", limit=50)[1][0].hits


pytestmark = pytest.mark.django_db


@pytest.fixture
def secret_thread(private_community, member):
    thread = thread_create(
        community=private_community,
        author=member,
        kind="question",
        title="Confidential roadmap",
        body="The zebrafish project plan",
    )
    reply = reply_create(thread=thread, author=member, body="zebrafish budget too")
    return thread, reply


def test_selectors_hide_private_communities_from_non_members(
    private_community, secret_thread, member, manager, outsider
):
    assert private_community not in communities_visible_to(outsider)
    assert private_community in communities_visible_to(member)
    assert not threads_visible_to(outsider).filter(pk=secret_thread[0].pk).exists()
    assert threads_visible_to(member).filter(pk=secret_thread[0].pk).exists()
    assert not can_view_community(outsider, private_community)
    assert can_view_community(member, private_community)
    assert is_manager(manager, private_community)
    assert not is_manager(member, private_community)
    assert len(_posts(outsider, "zebrafish")) == 0
    assert len(_posts(member, "zebrafish")) == 2


def test_every_url_is_404_for_non_members(client, private_community, secret_thread, outsider):
    thread, reply = secret_thread
    slug = private_community.slug
    get_urls = [
        reverse("communities:detail", args=[slug]),
        reverse("communities:detail", args=[slug]) + "?sort=top",
        reverse("communities:members", args=[slug]),
        reverse("communities:edit", args=[slug]),
        reverse("communities:moderation", args=[slug]),
        reverse("communities:thread_create", args=[slug]),
        reverse("communities:thread", args=[slug, thread.pk]),
        reverse("communities:thread", args=[slug, thread.pk]) + "?page=2",
        reverse("communities:thread_edit", args=[slug, thread.pk]),
        reverse("communities:reply_edit", args=[slug, thread.pk, reply.pk]),
        reverse("communities:revisions", args=[slug, thread.pk]),
        reverse("communities:flag", args=[slug, thread.pk]),
    ]
    post_urls = [
        (reverse("communities:reply", args=[slug, thread.pk]), {"body": "hi"}),
        (reverse("communities:react", args=[slug, thread.pk]), {"kind": "idea"}),
        (reverse("communities:react", args=[slug, thread.pk]), {"kind": "idea", "reply": reply.pk}),
        (reverse("communities:accept", args=[slug, thread.pk]), {"reply": reply.pk}),
        (reverse("communities:flag", args=[slug, thread.pk]), {"reason": "x"}),
        (reverse("communities:moderation", args=[slug]), {"thread": thread.pk, "action": "hide"}),
    ]
    client.force_login(outsider)
    for url in get_urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 404, url
            assert "zebrafish" not in response.content.decode()
    for url, data in post_urls:
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 404, url
    assert not Reaction.objects.exists()
    for url in (
        reverse("communities:list"),
        reverse("communities:search") + "?q=zebrafish",
        reverse("communities:search") + "?q=confidential",
    ):
        for headers in ({}, {"HX-Request": "true"}):
            html = client.get(url, headers=headers).content.decode()
            assert "project plan" not in html
            assert "budget" not in html
            assert "Confidential roadmap" not in html
            assert "Share what we learn" not in html  # the purpose
            if "search" in url:
                assert "Secret guild" not in html
                assert "Nothing found" in html


def test_non_members_see_only_the_name_of_a_private_community_to_ask_to_join(
    client, private_community, secret_thread, outsider, manager
):
    client.force_login(outsider)
    html = client.get(reverse("communities:list")).content.decode()
    assert "Secret guild" in html
    assert "Ask to join" in html
    assert private_community.get_absolute_url() + '"' not in html  # no link to the content
    client.post(reverse("communities:join", args=[private_community.slug]))
    html = client.get(reverse("communities:list")).content.decode()
    assert "Request sent" in html
    assert client.get(private_community.get_absolute_url()).status_code == 404


def test_members_see_the_private_community(client, private_community, secret_thread, member):
    client.force_login(member)
    assert client.get(private_community.get_absolute_url()).status_code == 200
    html = client.get(secret_thread[0].get_absolute_url()).content.decode()
    assert "zebrafish" in html


def test_hidden_posts_are_excluded_from_search(private_community, secret_thread, member, manager):
    from communities.services import moderation_act

    thread, reply = secret_thread
    moderation_act(actor=manager, action="hide", reply=reply, reason="x")
    assert len(_posts(member, "zebrafish")) == 1


def test_search_snippets_escape_text_and_only_highlight(community, member):
    thread_create(
        community=community,
        author=member,
        kind="discussion",
        title="Escaping",
        body="<img src=x onerror=alert(1)> pineapple danger",
    )
    hit = _posts(member, "pineapple")[0]
    assert "<mark>pineapple</mark>" in hit.excerpt
    assert "<img" not in hit.excerpt


def test_managers_see_their_communitys_figures(private_community, manager, member):
    from socialearn.insights.access import can_view

    assert can_view(manager, "community", private_community.pk)
    assert not can_view(member, "community", private_community.pk)


def test_lists_filtered_by_the_compiled_rules_hold_what_the_rules_allow(
    community, private_community, secret_thread, member, manager, outsider
):
    """threads_visible_to() and replies_visible_to() filter by the rules compiled once per
    process (compiled_readable): for every kind of reader they hold exactly the rows the
    rules' own queryset allows, a proposal only for its proposer and nothing private for
    someone who left."""
    from django.contrib.auth.models import AnonymousUser

    from communities.models import Community, Reply, Thread
    from communities.selectors import replies_visible_to
    from communities.services import membership_join, membership_leave
    from tests.communities.conftest import make_community
    from tests.factories import UserFactory

    proposer, leaver = UserFactory(), UserFactory()
    proposal = make_community(proposer, name="Pottery")
    thread_create(community=community, author=member, kind="question", title="Open", body="x")
    thread_create(community=proposal, author=proposer, kind="tip", title="Glaze", body="y")
    Community.objects.filter(pk=proposal.pk).update(
        status=Community.Status.PROPOSED, created_by=proposer
    )
    membership_join(community=private_community, user=leaver)
    membership_leave(community=private_community, user=leaver)
    published = Thread.Status.PUBLISHED
    for reader in (member, manager, outsider, proposer, leaver, AnonymousUser()):
        rules = communities_visible_to(reader).values("pk")
        threads = Thread.objects.filter(community__in=rules, status=published)
        replies = Reply.objects.filter(thread__in=threads.values("pk"), status=published)
        assert set(threads_visible_to(reader)) == set(threads), reader
        assert set(replies_visible_to(reader)) == set(replies), reader
    assert secret_thread[0] not in threads_visible_to(leaver)
    assert Thread.objects.get(title="Glaze") in threads_visible_to(proposer)
    assert Thread.objects.get(title="Glaze") not in threads_visible_to(member)


def test_the_private_communities_to_ask_are_read_with_the_orms_query_compiled_once(
    private_community, manager, member, outsider
):
    """The directory's private list runs the ORM's SQL compiled once per process with each
    reader's id in its places: the same SQL and the same rows for a member (none), someone
    who asked, someone invited, someone declined and someone who did neither."""
    from communities.models import Membership
    from communities.selectors import communities as lists
    from tests.factories import UserFactory

    statuses = [
        Membership.Status.REQUESTED,
        Membership.Status.INVITED,
        Membership.Status.DECLINED,
    ]
    people = [member, outsider]
    for status in statuses:
        person = UserFactory()
        Membership.objects.create(community=private_community, user=person, status=status)
        people.append(person)
    compiled = lists._private_to_ask_for_someone()
    for person in people:
        sql, params = lists._private_to_ask(person).query.sql_with_params()
        assert (compiled.sql, compiled.params_for(person.pk)) == (sql, params)
        expected = [
            {"name": n, "slug": s, "kind": k, "my_status": m}
            for n, s, k, m in lists._private_to_ask(person)
        ]
        shown = lists.private_communities_to_ask(person)
        assert [{k: v for k, v in row.items() if k != "kind_label"} for row in shown] == expected
    assert [row["my_status"] for row in lists.private_communities_to_ask(people[2])] == [
        "requested"
    ]
    assert lists.private_communities_to_ask(member) == []


def test_the_directorys_topics_are_those_of_any_community_by_name(private_community, topic):
    from communities.selectors import community_topics
    from socialearn.people.models import Topic

    expected = list(
        Topic.objects.filter(communities__isnull=False)
        .distinct()
        .order_by("name")
        .values("slug", "name")
    )
    assert community_topics() == expected == [{"slug": topic.slug, "name": topic.name}]
