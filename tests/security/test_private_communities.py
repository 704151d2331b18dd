"""A private community, and everything that lives in it, is invisible to people outside it:
every URL either answers 404/403 or shows none of it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from .conftest import SECRET, leaks


def _object_urls(w):
    c, t, r = w.private, w.private_thread, w.private_reply
    s, ch, st = w.private_session, w.private_challenge, w.private_step
    f, item = w.private_flow, w.private_item
    q = s.questions.get()
    return {
        "communities:detail": reverse("communities:detail", args=[c.slug]),
        "communities:detail htmx": reverse("communities:detail", args=[c.slug]) + "?sort=top",
        "communities:members": reverse("communities:members", args=[c.slug]),
        "communities:newcomers": reverse("communities:newcomers", args=[c.slug]),
        "communities:feed_rss": reverse("communities:feed_rss", args=[c.slug]),
        "communities:feed_atom": reverse("communities:feed_atom", args=[c.slug]),
        "communities:edit": reverse("communities:edit", args=[c.slug]),
        "communities:moderation": reverse("communities:moderation", args=[c.slug]),
        "communities:thread_create": reverse("communities:thread_create", args=[c.slug]),
        "communities:thread": reverse("communities:thread", args=[c.slug, t.pk]),
        "communities:thread_edit": reverse("communities:thread_edit", args=[c.slug, t.pk]),
        "communities:reply_edit": reverse("communities:reply_edit", args=[c.slug, t.pk, r.pk]),
        "communities:revisions": reverse("communities:revisions", args=[c.slug, t.pk]),
        "communities:flag": reverse("communities:flag", args=[c.slug, t.pk]),
        "communities:flag reply": reverse("communities:flag", args=[c.slug, t.pk])
        + f"?reply={r.pk}",
        "expertqa:detail": reverse("expertqa:detail", args=[s.pk]),
        "expertqa:board": reverse("expertqa:board", args=[s.pk]),
        "expertqa:edit": reverse("expertqa:edit", args=[s.pk]),
        "expertqa:calendar": reverse("expertqa:calendar", args=[s.pk]),
        "insights:scope community": reverse("insights:scope", args=["communities", c.pk]),
        "insights:scope_export community": reverse(
            "insights:scope_export", args=["communities", c.pk, "trend"]
        ),
        "insights:scope session": reverse("insights:scope", args=["sessions", s.pk]),
        "insights:scope challenge": reverse("insights:scope", args=["challenges", ch.pk]),
        "challenges:detail": reverse("challenges:detail", args=[ch.pk]),
        "challenges:participant": reverse("challenges:participant", args=[ch.pk]),
        "challenges:step": reverse("challenges:step", args=[ch.pk, st.pk]),
        "challenges:scoreboard": reverse("challenges:scoreboard", args=[ch.pk]),
        "challenges:edit": reverse("challenges:edit", args=[ch.pk]),
        "challenges:step_edit": reverse("challenges:step_edit", args=[ch.pk, st.pk]),
        "challenges:flow": reverse("challenges:flow", args=[f.pk]),
        "challenges:flow_item": reverse("challenges:flow_item", args=[f.pk, item.pk]),
        "_question": q,
    }


OBJECT_PAGES = [
    "communities:detail",
    "communities:detail htmx",
    "communities:members",
    "communities:newcomers",
    "communities:feed_rss",
    "communities:feed_atom",
    "communities:edit",
    "communities:moderation",
    "communities:thread_create",
    "communities:thread",
    "communities:thread_edit",
    "communities:reply_edit",
    "communities:revisions",
    "communities:flag",
    "communities:flag reply",
    "expertqa:detail",
    "expertqa:board",
    "expertqa:edit",
    "expertqa:calendar",
    "insights:scope community",
    "insights:scope_export community",
    "insights:scope session",
    "insights:scope challenge",
    "challenges:detail",
    "challenges:participant",
    "challenges:step",
    "challenges:scoreboard",
    "challenges:edit",
    "challenges:step_edit",
    "challenges:flow",
    "challenges:flow_item",
]


@pytest.mark.parametrize("name", OBJECT_PAGES)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_private_community_pages_are_not_found_for_outsiders(client, world, name, htmx):
    """Rule: whatever lives in a private community answers 404/403 to a non-member,
    also as an htmx partial, and never shows its names."""
    client.force_login(world.outsider)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(_object_urls(world)[name], headers=headers)
    assert response.status_code in (403, 404), name
    assert not leaks(response), name


@pytest.mark.parametrize(
    "name", ["communities:detail", "communities:thread", "expertqa:detail", "challenges:detail"]
)
def test_members_do_see_their_private_community(client, world, name):
    """Control: the same URLs work for a member, so the 404s above are about access."""
    client.force_login(world.member)
    response = client.get(_object_urls(world)[name])
    assert response.status_code == 200
    assert SECRET in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in_or_get_nothing(client, world):
    """Rule: not signed in, nothing of a private community shows on any of its URLs."""
    for name in OBJECT_PAGES:
        response = client.get(_object_urls(world)[name])
        assert response.status_code in (302, 401, 403, 404), name
        assert not leaks(response), name


LIST_PAGES = [
    ("home", {}),
    ("communities:list", {}),
    ("communities:list", {"q": SECRET}),
    ("communities:search", {"q": SECRET}),
    ("communities:search", {"q": "budget confidential"}),
    ("search", {"q": SECRET}),
    ("search", {"q": "Quoka"}),  # a typo finds nothing more
    ("search", {"q": "budget confidential"}),
    ("search", {"q": "agenda"}),
    ("search", {"q": "question"}),
    ("search", {"q": SECRET, "kind": "sessions"}),
    ("search", {"q": SECRET, "kind": "challenges"}),
    ("search", {"q": SECRET, "kind": "communities"}),
    ("search_suggest", {"q": SECRET}),
    ("search_suggest", {"q": "confidential"}),
    ("communities:invitations", {}),
    ("expertqa:list", {}),
    ("expertqa:list", {"q": SECRET}),
    ("challenges:list", {}),
    ("challenges:flows", {}),
    ("notifications:inbox", {}),
    ("people:directory", {}),
    ("people:topics", {}),
    ("mentoring:home", {}),
    ("mentoring:mine", {}),
]


@pytest.mark.parametrize(("name", "params"), LIST_PAGES)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_lists_and_search_never_show_private_titles_to_outsiders(client, world, name, params, htmx):
    """Rule: lists, search, the home dashboard and the inbox show no private community's
    threads, sessions, challenges or flows to a non-member (its name may appear only in the
    "ask to join" list, see below)."""
    client.force_login(world.outsider)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(reverse(name), params, headers=headers)
    assert response.status_code == 200
    text = response.content.decode()
    for private_title in (
        world.private_thread.title,
        world.private_session.title,
        world.private_challenge.title,
        world.private_flow.name,
        world.private_item.title,
        world.private.purpose,
        "budget is confidential",
    ):
        assert private_title not in text, (name, private_title)


def test_private_community_list_offers_only_its_name_to_ask(client, world):
    """Rule (communities:list): a private community's name may be shown to ask to join,
    never its purpose or threads."""
    client.force_login(world.outsider)
    text = client.get(reverse("communities:list")).content.decode()
    assert world.private.purpose not in text
    assert world.private_thread.title not in text


def test_topic_page_and_profiles_do_not_list_private_threads(client, world):
    """Rule (people:topic, people:profile, expertqa:expert): a topic's page, the member's
    profile and the expert's record show nothing of the private community to outsiders."""
    client.force_login(world.outsider)
    for url in (
        reverse("people:topic", args=[world.topic.slug]),
        reverse("people:profile", args=[world.member.pk]),
        reverse("people:profile", args=[world.manager.pk]),
        reverse("expertqa:expert", args=[world.manager.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert world.private_thread.title not in text, url
        assert world.private_session.title not in text, url


def test_expert_session_poll_is_refused_without_a_token_for_the_session(client, world):
    """Rule (expertqa:changes): the board's poll needs a signed token issued to this person
    for this session: an outsider gets no news of a private board."""
    client.force_login(world.outsider)
    url = reverse("expertqa:changes", args=[world.private_session.pk])
    response = client.get(url, {"t": "forged"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert not leaks(response)


def test_series_page_of_a_private_community_is_not_found(client, world):
    """Rule (expertqa:series): a series hosted in a private community is 404 for outsiders."""
    from expertqa.models import Series

    series = Series.objects.create(
        title=f"{SECRET} lunch and learn",
        slug="quokka-lunch",
        community=world.private,
        topic=world.topic,
    )
    client.force_login(world.outsider)
    response = client.get(reverse("expertqa:series", args=[series.slug]))
    assert response.status_code == 404
    client.force_login(world.member)
    assert client.get(reverse("expertqa:series", args=[series.slug])).status_code == 200


def test_insights_are_for_lnd_admins_and_managers_of_their_own_community(client, world):
    """Rule (insights:overview, insights:export, insights:scope): the organisation's figures
    and exports are for L&D admins; a manager sees only the communities they manage."""
    client.force_login(world.member)
    assert client.get(reverse("insights:overview")).status_code == 403
    assert client.get(reverse("insights:export", args=["trend"])).status_code == 403
    assert (
        client.get(reverse("insights:scope", args=["communities", world.private.pk])).status_code
        == 404
    )
    client.force_login(world.manager)
    assert (
        client.get(reverse("insights:scope", args=["communities", world.private.pk])).status_code
        == 200
    )
    assert client.get(reverse("insights:overview")).status_code == 403


def test_outsider_cannot_post_react_or_flag_in_a_private_community(client, world):
    """Rule (communities:reply, communities:react, communities:flag, communities:join): no
    write reaches a private community's thread from outside; joining only asks."""
    client.force_login(world.outsider)
    c, t = world.private, world.private_thread
    before = (t.replies.count(), t.reactions.count() if hasattr(t, "reactions") else 0)
    assert (
        client.post(reverse("communities:reply", args=[c.slug, t.pk]), {"body": "hi"}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("communities:react", args=[c.slug, t.pk]), {"kind": "thumbs_up"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("communities:flag", args=[c.slug, t.pk]), {"reason": "spam"}
        ).status_code
        == 404
    )
    q = world.private_session.questions.get()
    assert client.post(reverse("expertqa:vote", args=[q.pk])).status_code == 404
    assert (
        client.post(
            reverse("expertqa:ask", args=[world.private_session.pk]), {"body": "x?"}
        ).status_code
        == 404
    )
    assert client.post(
        reverse("challenges:join", args=[world.private_challenge.pk])
    ).status_code in (
        403,
        404,
    )
    t.refresh_from_db()
    assert (t.replies.count(), t.reactions.count() if hasattr(t, "reactions") else 0) == before
    response = client.post(reverse("communities:join", args=[c.slug]), follow=True)
    assert world.private_thread.title not in response.content.decode()
    from communities.models import Membership

    assert Membership.objects.get(community=c, user=world.outsider).status == "requested"


def test_leaving_a_private_community_takes_its_challenge_off_the_home_page(client, world):
    """Rule (home, challenges dashboard section): someone who left a private community no
    longer sees its challenge there, though they had joined it."""
    from challenges.models import Participant
    from communities.services import membership_leave

    Participant.objects.create(
        challenge=world.private_challenge, user=world.member, joined_at=timezone.now()
    )
    client.force_login(world.member)
    assert world.private_challenge.title in client.get(reverse("home")).content.decode()
    membership_leave(community=world.private, user=world.member)
    assert world.private_challenge.title not in client.get(reverse("home")).content.decode()


def test_a_manager_sees_the_figures_of_their_own_community_only(client, world):
    """Rule (insights:scope, insights:scope_export): managing one community shows nothing of
    another, private or not, in pages, htmx partials or CSV."""
    from communities.services import community_create

    other_manager = world.outsider
    own = community_create(created_by=other_manager, name="Olly's corner", purpose="Mine")
    client.force_login(other_manager)
    assert client.get(reverse("insights:scope", args=["communities", own.pk])).status_code == 200
    for community in (world.private, world.public):
        for url in (
            reverse("insights:scope", args=["communities", community.pk]),
            reverse("insights:scope_export", args=["communities", community.pk, "trend"]),
            reverse("insights:scope", args=["sessions", world.private_session.pk]),
            reverse("insights:scope", args=["programmes", world.programme.pk]),
        ):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                assert response.status_code == 404, url
                assert not leaks(response)
