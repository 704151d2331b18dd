"""CSRF everywhere: no view is exempt, a POST without the token is refused, and GET on every
URL that changes something changes nothing (405, a redirect or a 404)."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from socialearn.notifications.models import Notification

FEATURE_APPS = ["communities", "expertqa", "challenges", "mentoring", "notifications", "insights"]


def _walk(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p


def test_no_view_is_csrf_exempt():
    """Rule (every URL): no view opts out of CSRF protection."""
    exempt = [
        str(p.pattern)
        for p in _walk(get_resolver().url_patterns)
        if getattr(p.callback, "csrf_exempt", False)
    ]
    assert exempt == []


def _snapshot():
    """Every row of every feature model: GET must leave all of it as it was."""
    state = {}
    for label in FEATURE_APPS:
        for model in apps.get_app_config(label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields]
            state[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
    return state


def _post_only_urls(w):
    c, t = w.public, w.public_thread
    s = w.private_session
    q = s.questions.get()
    ch, st = w.private_challenge, w.private_step
    f, item = w.private_flow, w.private_item
    note = Notification.objects.filter(recipient=w.member).first()
    m = w.match
    membership = c.memberships.get(user=w.member)
    return [
        ("communities:join", [c.slug]),
        ("communities:leave", [c.slug]),
        ("communities:membership_decide", [c.slug, membership.pk]),
        ("communities:membership_role", [c.slug, membership.pk]),
        ("communities:reply", [c.slug, t.pk]),
        ("communities:accept", [c.slug, t.pk]),
        ("communities:react", [c.slug, t.pk]),
        ("communities:invitation_accept", [c.slug]),
        ("communities:invitation_decline", [c.slug]),
        ("communities:newcomer_welcome", [c.slug, w.member.pk]),
        ("expertqa:ask", [s.pk]),
        ("expertqa:vote", [q.pk]),
        ("expertqa:answer", [q.pk]),
        ("expertqa:defer", [q.pk]),
        ("expertqa:moderate", [q.pk, "hide"]),
        ("challenges:publish", [w.draft_challenge.pk]),
        ("challenges:join", [ch.pk]),
        ("challenges:leave", [ch.pk]),
        ("challenges:answer", [ch.pk, st.pk]),
        ("challenges:done", [ch.pk, st.pk]),
        ("challenges:flow_pause", [f.pk]),
        ("challenges:flow_resume", [f.pk]),
        ("challenges:flow_item_move", [f.pk, item.pk]),
        ("challenges:flow_item_post", [f.pk, item.pk]),
        ("challenges:flow_item_delete", [f.pk, item.pk]),
        ("mentoring:run", [w.programme.pk]),
        ("mentoring:publish", [w.programme.pk]),
        ("mentoring:swap", [w.programme.pk]),
        ("mentoring:request", [w.programme.pk, w.manager.pk]),
        ("mentoring:lock", [m.pk]),
        ("mentoring:accept", [m.pk]),
        ("mentoring:decline", [m.pk]),
        ("mentoring:complete", [m.pk]),
        ("mentoring:meeting_add", [m.pk]),
        ("mentoring:availability", [m.mentor_id]),
        ("mentoring:withdraw", [m.protege_id]),
        ("mentoring:adhoc_help", [w.adhoc.pk]),
        ("mentoring:adhoc_volunteer", []),
        ("notifications:mark_all_read", []),
        ("notifications:mark_read", [note.pk if note else 1]),
        ("notifications:topic_follow", [w.topic.slug]),
        ("notifications:topic_unfollow", [w.topic.slug]),
    ]


@pytest.mark.parametrize("who", ["member", "manager", "lnd"])
def test_get_on_post_only_urls_changes_nothing(client, world, who):
    """Rule (each URL listed in _post_only_urls): GET answers 405 (or a redirect/404) and no
    row of any feature changes, for people who could make the change with a POST."""
    user = getattr(world, who)
    client.force_login(user)
    before = _snapshot()
    for name, args in _post_only_urls(world):
        url = reverse(name, args=args)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(
                url, {"kind": "thumbs_up", "decision": "approve"}, headers=headers
            )
            assert response.status_code in (302, 404, 405), (name, response.status_code)
    assert _snapshot() == before


def test_posts_without_the_csrf_token_are_refused(world):
    """Rule (CSRF): a form POST without the token is refused with 403 and changes nothing."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    before = _snapshot()
    for name, args in _post_only_urls(world):
        response = client.post(reverse(name, args=args), {"body": "x", "kind": "thumbs_up"})
        assert response.status_code == 403, name
    for name, args in [
        ("communities:thread_create", [world.public.slug]),
        ("communities:flag", [world.public.slug, world.public_thread.pk]),
        ("communities:create", []),
        ("people:profile_edit", []),
        ("mentoring:adhoc_new", []),
        ("mentoring:enrol", [world.programme.pk, "mentor"]),
    ]:
        response = client.post(reverse(name, args=args), {"title": "x", "body": "x"})
        assert response.status_code == 403, name
    assert _snapshot() == before


def test_the_page_carries_the_csrf_token_for_htmx(client, world):
    """Rule (htmx): the body sends the CSRF token with every htmx request."""
    client.force_login(world.member)
    text = client.get(reverse("home")).content.decode()
    assert "hx-headers" in text
    assert "X-CSRFToken" in text


def test_next_parameters_never_leave_the_site(client, world):
    """Rule (mentoring:availability, notifications:mark_read, communities:moderation): a
    "next" pointing at another site is ignored."""
    evil = "https://evil.example/phish"
    client.force_login(world.manager)
    response = client.post(
        reverse("mentoring:availability", args=[world.match.mentor_id]),
        {"unavailable": "", "next": evil},
    )
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil")
    response = client.post(reverse("notifications:mark_all_read"), {"next": evil})
    assert not response["Location"].startswith("https://evil")
    response = client.post(
        reverse("communities:moderation", args=[world.private.slug]),
        {"next": evil, "action": "pin", "thread": world.private_thread.pk, "reason": ""},
    )
    assert not response["Location"].startswith("https://evil")
