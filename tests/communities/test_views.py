import pytest
from django.urls import reverse

from communities.models import Community, Membership, Reaction, Thread
from communities.services import (
    community_create,
    membership_self_join,
    reply_create,
    thread_create,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_list_filters_by_kind_topic_and_name(client, community, manager, member, topic):
    community_create(
        created_by=manager, name="Team Rocket", purpose="Team space", kind=Community.Kind.TEAM
    )
    client.force_login(member)
    page = client.get(reverse("communities:list"), {"kind": "team"}).content.decode()
    assert "Team Rocket" in page
    assert "Data people" not in page
    page = client.get(reverse("communities:list"), {"topic": topic.slug}).content.decode()
    assert "Data people" in page
    assert "Team Rocket" not in page
    page = client.get(reverse("communities:list"), {"q": "rocket"}).content.decode()
    assert "Team Rocket" in page
    assert "Data people" not in page


def test_proposing_needs_a_purpose(client, member):
    client.force_login(member)
    response = client.post(
        reverse("communities:create"),
        {
            "name": "Knitting",
            "kind": "practice",
            "purpose": " ",
            "visibility": "public",
            "anonymity": "off",
        },
    )
    assert response.status_code == 200
    assert not Community.objects.filter(name="Knitting").exists()
    assert "Say what the community is for" in response.content.decode()


def test_a_proposal_waits_for_an_lnd_admin_when_approval_is_required(client, member, settings):
    settings.COMMUNITY_APPROVAL_REQUIRED = True
    client.force_login(member)
    client.post(
        reverse("communities:create"),
        {
            "name": "Knitting",
            "kind": "practice",
            "purpose": "Yarn",
            "visibility": "public",
            "anonymity": "off",
        },
    )
    knitting = Community.objects.get(name="Knitting")
    assert knitting.status == Community.Status.PROPOSED
    # Not listed for others until approved.
    other = UserFactory()
    client.force_login(other)
    assert "Knitting" not in client.get(reverse("communities:list")).content.decode()
    assert client.get(knitting.get_absolute_url()).status_code == 404
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    client.post(reverse("communities:approvals"), {"community": knitting.pk})
    knitting.refresh_from_db()
    assert knitting.status == Community.Status.ACTIVE


def test_join_and_leave_a_public_community(client, community):
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("communities:join", args=[community.slug]))
    assert community.memberships.filter(user=person, status="active").exists()
    client.post(reverse("communities:leave", args=[community.slug]))
    assert not community.memberships.filter(user=person).exists()


def test_private_communities_take_requests_a_manager_approves(client, private_community, manager):
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("communities:join", args=[private_community.slug]))
    membership = Membership.objects.get(community=private_community, user=person)
    assert membership.status == Membership.Status.REQUESTED
    assert client.get(private_community.get_absolute_url()).status_code == 404
    client.force_login(manager)
    page = client.get(reverse("communities:members", args=[private_community.slug]))
    assert person.email in page.content.decode() or "Asked to join" in page.content.decode()
    client.post(
        reverse("communities:membership_decide", args=[private_community.slug, membership.pk]),
        {"decision": "approve"},
    )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_managers_invite_people_who_then_accept(client, private_community, manager):
    person = UserFactory(email="new.person@example.com")
    client.force_login(manager)
    client.post(
        reverse("communities:members", args=[private_community.slug]),
        {"emails": "new.person@example.com"},
    )
    membership = Membership.objects.get(community=private_community, user=person)
    assert membership.status == Membership.Status.INVITED
    membership_self_join(community=private_community, user=person)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE


def test_only_managers_edit_settings_and_renaming_updates_insights(
    client, community, manager, member
):
    from socialearn.insights.models import Scope

    url = reverse("communities:edit", args=[community.slug])
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    data = {
        "name": "Data folk",
        "kind": "practice",
        "purpose": "Share",
        "rules": "",
        "visibility": "private",
        "anonymity": "on",
    }
    assert client.post(url, data).status_code == 302
    scope = Scope.objects.get(kind="community", object_id=community.pk)
    assert scope.name == "Data folk"
    assert scope.is_private is True


def test_posting_a_resource_needs_a_link(client, community, member):
    client.force_login(member)
    url = reverse("communities:thread_create", args=[community.slug])
    response = client.post(url, {"kind": "resource", "title": "Guide", "body": "", "url": ""})
    assert "A resource needs its link" in response.content.decode()
    response = client.post(
        url, {"kind": "resource", "title": "Guide", "body": "", "url": "https://example.com"}
    )
    assert response.status_code == 302
    assert Thread.objects.get(title="Guide").url == "https://example.com"


def test_thread_list_sorts_by_activity_unanswered_and_top(client, community, member, manager):
    busy = thread_create(
        community=community, author=member, kind="question", title="Busy", body="b"
    )
    thread_create(community=community, author=member, kind="question", title="Quiet", body="q")
    thread_create(community=community, author=member, kind="discussion", title="Talk", body="t")
    reply_create(thread=busy, author=manager, body="a")
    reply_create(thread=busy, author=manager, body="b")
    client.force_login(member)
    url = community.get_absolute_url()
    latest = client.get(url).content.decode()
    assert latest.index("Busy") < latest.index("Talk")
    unanswered = client.get(url, {"sort": "unanswered"}).content.decode()
    assert "Quiet" in unanswered
    assert "Talk" not in unanswered
    assert unanswered.index("Quiet") < unanswered.index("Busy")
    top = client.get(url, {"sort": "top"}).content.decode()
    assert top.index("Busy") < top.index("Quiet")


def test_reactions_toggle_through_htmx(client, community, member):
    thread = thread_create(community=community, author=member, kind="tip", title="T", body="B")
    client.force_login(member)
    url = reverse("communities:react", args=[community.slug, thread.pk])
    response = client.post(url, {"kind": "idea"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert Reaction.objects.filter(user=member, thread=thread, kind="idea").exists()
    client.post(url, {"kind": "idea"}, headers={"HX-Request": "true"})
    assert not Reaction.objects.filter(user=member, thread=thread).exists()


def test_replies_are_paginated(client, community, member, manager):
    thread = thread_create(
        community=community, author=member, kind="discussion", title="T", body="B"
    )
    for n in range(30):
        reply_create(thread=thread, author=manager, body=f"reply number {n}")
    client.force_login(member)
    first = client.get(thread.get_absolute_url()).content.decode()
    assert "reply number 0" in first
    assert "reply number 29" not in first
    second = client.get(thread.get_absolute_url(), {"page": 2}).content.decode()
    assert "reply number 29" in second


def test_tip_revisions_show_a_safe_diff(client, community, member):
    from communities.services import thread_edit

    tip = thread_create(community=community, author=member, kind="tip", title="T", body="line")
    thread_edit(thread=tip, editor=member, title="T", body="line\n<script>x</script>")
    client.force_login(member)
    page = client.get(reverse("communities:revisions", args=[community.slug, tip.pk]))
    html = page.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "<script>x" not in html
    assert "diff-add" in html


def test_the_asker_accepts_an_answer_on_the_page(client, community, member, manager):
    thread = thread_create(community=community, author=member, kind="question", title="Q", body="?")
    reply = reply_create(thread=thread, author=manager, body="!")
    client.force_login(member)
    assert "Accept this answer" in client.get(thread.get_absolute_url()).content.decode()
    client.post(
        reverse("communities:accept", args=[community.slug, thread.pk]), {"reply": reply.pk}
    )
    thread.refresh_from_db()
    assert thread.accepted_reply == reply
    assert "Accepted answer" in client.get(thread.get_absolute_url()).content.decode()


def test_bad_ids_are_404_not_500(client, community, member):
    client.force_login(member)
    assert client.get("/communities/nope/").status_code == 404
    assert client.get(f"/communities/{community.slug}/t/99999/").status_code == 404
    thread = thread_create(community=community, author=member, kind="question", title="Q", body="?")
    url = reverse("communities:accept", args=[community.slug, thread.pk])
    assert client.post(url, {"reply": "abc"}).status_code == 404
    react = reverse("communities:react", args=[community.slug, thread.pk])
    assert client.post(react, {"kind": "nope"}).status_code == 404
    assert client.post(react, {"kind": "idea", "reply": "x"}).status_code == 404


def test_the_home_dashboard_shows_my_communities_and_questions(client, community, member):
    thread_create(
        community=community, author=member, kind="question", title="Open question", body="?"
    )
    client.force_login(member)
    page = client.get(reverse("home")).content.decode()
    assert "Open question" in page
    assert "Latest from my communities" in page


def test_approving_a_bad_id_is_404(client):
    client.force_login(UserFactory(is_superuser=True))
    assert client.post(reverse("communities:approvals"), {"community": "x"}).status_code == 404


def test_the_sort_control_swaps_only_the_thread_list(client, community, member):
    thread_create(community=community, author=member, kind="question", title="Q1", body="?")
    client.force_login(member)
    response = client.get(
        community.get_absolute_url(), {"sort": "unanswered"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.strip().startswith('<div id="threads">')
    assert "Q1" in html
