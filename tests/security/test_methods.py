"""CSRF everywhere: no view is exempt, a POST without the token is refused, and GET on every
URL that changes something changes nothing (405, a redirect or a 404)."""

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from socialearn.notifications.models import Notification

FEATURE_APPS = [
    "communities",
    "expertqa",
    "challenges",
    "courses",
    "mentoring",
    "notifications",
    "insights",
]


def _walk(patterns):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns)
        elif isinstance(p, URLPattern):
            yield p


# The only exemption, and why: mail clients POST the one-click unsubscribe of RFC 8058 with
# no cookie and no token; the signed token in its address names the one person and kind it
# may change (tests/notifications/test_email_smtp.py).
CSRF_EXEMPT = {"unsubscribe/<str:token>/"}


def test_no_view_is_csrf_exempt():
    """Rule (every URL): no view opts out of CSRF protection, but the one-click unsubscribe
    and the SCIM API: identity providers call it with a bearer token and no cookie, and a
    browser's session opens nothing there (tests/identity/test_scim.py), so a forged request
    carries no rights."""
    from socialearn.people.identity.scim_urls import urlpatterns as scim_patterns

    scim = {p.callback for p in scim_patterns}
    exempt = {
        str(p.pattern)
        for p in _walk(get_resolver().url_patterns)
        if getattr(p.callback, "csrf_exempt", False) and p.callback not in scim
    }
    assert exempt == CSRF_EXEMPT


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
    live = w.private_live
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
        ("expertqa:cancel", [s.pk]),
        ("expertqa:vote", [q.pk]),
        ("expertqa:answer", [q.pk]),
        ("expertqa:defer", [q.pk]),
        ("expertqa:moderate", [q.pk, "hide"]),
        ("expertqa:live_post", [live.pk]),
        ("expertqa:live_ask", [live.pk]),
        ("expertqa:live_unpin", [live.pk]),
        ("expertqa:live_slow", [live.pk]),
        ("expertqa:live_close", [live.pk]),
        ("expertqa:live_prompt_add", [live.pk]),
        ("expertqa:poll_create", [live.pk]),
        ("expertqa:live_react", [w.private_message.pk]),
        ("expertqa:live_hide", [w.private_message.pk]),
        ("expertqa:live_pin", [w.private_message.pk]),
        ("expertqa:live_vote", [q.pk]),
        ("expertqa:live_answer", [q.pk]),
        ("expertqa:poll_vote", [w.private_poll.pk]),
        ("expertqa:poll_action", [w.private_poll.pk, "reveal"]),
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
        ("challenges:flow_feed_remove", [f.pk, w.private_feed.pk]),
        ("challenges:flow_entry_dismiss", [f.pk, w.private_entry.pk]),
        ("expertqa:proposal_accept", [w.proposal.pk]),
        ("expertqa:proposal_decline", [w.proposal.pk]),
        ("calendar_subscription", []),
        ("mentoring:run", [w.programme.pk]),
        ("mentoring:publish", [w.programme.pk]),
        ("mentoring:swap", [w.programme.pk]),
        ("mentoring:request", [w.programme.pk, w.manager.pk]),
        ("mentoring:lock", [m.pk]),
        ("mentoring:accept", [m.pk]),
        ("mentoring:decline", [m.pk]),
        ("mentoring:complete", [m.pk]),
        ("mentoring:meeting_add", [m.pk]),
        ("mentoring:agreement", [m.pk]),
        ("mentoring:goal_add", [m.pk]),
        ("mentoring:goal_status", [w.goal.pk]),
        ("mentoring:meeting_schedule", [m.pk]),
        ("mentoring:note_add", [m.pk]),
        ("mentoring:extend", [m.pk]),
        ("mentoring:become_mentor", [m.pk]),
        ("mentoring:availability", [m.mentor_id]),
        ("mentoring:withdraw", [m.protege_id]),
        ("mentoring:adhoc_help", [w.adhoc.pk]),
        ("mentoring:adhoc_volunteer", []),
        ("notifications:mark_all_read", []),
        ("notifications:mark_read", [note.pk if note else 1]),
        ("notifications:topic_follow", [w.topic.slug]),
        ("notifications:topic_unfollow", [w.topic.slug]),
        ("communities:channel_test", [w.private.slug, w.private_channel.pk]),
        ("communities:channel_disconnect", [w.private.slug, w.private_channel.pk]),
        ("people:import_apply", [_people_file().pk]),
        ("notifications:person_follow", [w.manager.pk]),
        ("people:welcome_finish", []),
        ("courses:enrol", [w.private_course.pk]),
        ("courses:introduce", [w.private_course.pk]),
        ("courses:prompt_open", [w.private_course.pk, w.course_prompt.pk]),
        ("courses:complete", [w.private_course.pk]),
        ("courses:guide_prompt", [w.private_course.pk]),
        ("courses:challenge_guide_prompt", [ch.pk]),
        ("courses:spotlight_remove", [w.private_spotlight.pk]),
    ]


def _people_file():
    from socialearn.people.models import PeopleImport

    return PeopleImport.objects.create(filename="hr.csv", content="email\nnew@example.com\n")


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


# Every URL of the product, by how it may change data. A new URL fails
# test_every_url_is_reviewed until it is placed here (and its rule tested).
POST_ONLY = {
    "people:welcome_finish",
    "calendar_subscription",
    "expertqa:proposal_accept",
    "expertqa:proposal_decline",
    "challenges:flow_feed_remove",
    "challenges:flow_entry_dismiss",
    "notifications:person_follow",
    "communities:join",
    "communities:leave",
    "communities:membership_decide",
    "communities:membership_role",
    "communities:reply",
    "communities:accept",
    "communities:react",
    "communities:invitation_accept",
    "communities:invitation_decline",
    "communities:newcomer_welcome",
    "expertqa:ask",
    "expertqa:cancel",
    "expertqa:vote",
    "expertqa:answer",
    "expertqa:defer",
    "expertqa:moderate",
    "expertqa:live_post",
    "expertqa:live_ask",
    "expertqa:live_unpin",
    "expertqa:live_slow",
    "expertqa:live_close",
    "expertqa:live_prompt_add",
    "expertqa:poll_create",
    "expertqa:live_react",
    "expertqa:live_hide",
    "expertqa:live_pin",
    "expertqa:live_vote",
    "expertqa:live_answer",
    "expertqa:poll_vote",
    "expertqa:poll_action",
    "challenges:publish",
    "challenges:join",
    "challenges:leave",
    "challenges:answer",
    "challenges:done",
    "challenges:flow_pause",
    "challenges:flow_resume",
    "challenges:flow_item_move",
    "challenges:flow_item_post",
    "challenges:flow_item_delete",
    "mentoring:run",
    "mentoring:publish",
    "mentoring:swap",
    "mentoring:request",
    "mentoring:lock",
    "mentoring:accept",
    "mentoring:decline",
    "mentoring:complete",
    "mentoring:meeting_add",
    "mentoring:agreement",
    "mentoring:goal_add",
    "mentoring:goal_status",
    "mentoring:meeting_schedule",
    "mentoring:note_add",
    "mentoring:extend",
    "mentoring:become_mentor",
    "mentoring:availability",
    "mentoring:withdraw",
    "mentoring:adhoc_help",
    "mentoring:adhoc_volunteer",
    "notifications:mark_all_read",
    "notifications:mark_read",
    "notifications:topic_follow",
    "notifications:topic_unfollow",
    "communities:channel_test",
    "communities:channel_disconnect",
    "people:import_apply",
    "courses:enrol",
    "courses:introduce",
    "courses:prompt_open",
    "courses:complete",
    "courses:guide_prompt",
    "courses:challenge_guide_prompt",
    "courses:spotlight_remove",
}
# GET shows a form; only a POST (with its CSRF token) writes.
FORMS = {
    "communities:create": [],
    "communities:approvals": [],
    "communities:cohort_upload": [],
    "communities:edit": ["public.slug"],
    "communities:members": ["public.slug"],
    "communities:moderation": ["public.slug"],
    "communities:channels": ["private.slug"],
    "notifications:unsubscribe": ["unsubscribe.token"],
    "communities:thread_create": ["public.slug"],
    "communities:thread_edit": ["public.slug", "public_thread.pk"],
    "communities:reply_edit": ["public.slug", "public_thread.pk", "anon_reply.pk"],
    "communities:flag": ["public.slug", "public_thread.pk"],
    "people:profile_edit": [],
    "people:import": [],
    "nudges:preferences": [],
    "mentoring:programme_create": [],
    "mentoring:programme_edit": ["programme.pk"],
    "mentoring:enrol": ["programme.pk", "mentor"],
    "mentoring:call": ["programme.pk"],
    "mentoring:coordinate": ["programme.pk"],
    "mentoring:adhoc_new": [],
    "mentoring:checkin": ["checkin.pk"],
    "communities:ask_person": ["manager.pk"],
    "people:welcome": [],
    "expertqa:create": [],
    "expertqa:live_create": [],
    "expertqa:edit": ["private_session.pk"],
    "challenges:copy": ["private_challenge.pk"],
    "challenges:edit": ["private_challenge.pk"],
    "challenges:step_new": ["private_challenge.pk"],
    "challenges:step_edit": ["private_challenge.pk", "private_step.pk"],
    "challenges:flow_new": [],
    "challenges:flow": ["private_flow.pk"],
    "challenges:flow_item_new": ["private_flow.pk"],
    "challenges:flow_sources": ["private_flow.pk"],
    "challenges:flow_entry": ["private_flow.pk", "private_entry.pk"],
    "expertqa:propose": ["network.slug"],
    "expertqa:series_new": ["network.slug"],
    "expertqa:recording": ["private_session.pk"],
    "courses:create": [],
    "courses:edit": ["private_course.pk"],
    "courses:roster": ["private_course.pk"],
    "courses:reading_new": ["private_course.pk"],
    "courses:prompt_new": ["private_course.pk"],
    "courses:after": ["private_course.pk"],
}
# Reads (their visibility is tested in test_private_communities, test_anonymity, test_xss).
# notifications:open follows the person's own notification's link; GET changes nothing (the
# inbox's button POSTs to mark it read on the way).
# set_language (Django's) changes only the language cookie, on a POST; a GET redirects.
READS = {
    "home",
    "set_language",
    "calendar",
    "calendar_feed",
    "expertqa:network",
    "expertqa:proposal",
    "challenges:flow_review",
    "people:photo",
    "people:evidence",
    "people:welcome_experts",
    "people:mention_suggest",
    "people:topic_suggest",
    "communities:welcome",
    "people:topic_feed_rss",
    "people:topic_feed_atom",
    "mentoring:request_person",
    "search",
    "search_suggest",
    "healthz",
    "communities:list",
    "communities:search",
    "communities:similar",
    "communities:invitations",
    "communities:cohorts",
    "communities:newcomers",
    "communities:feed_rss",
    "communities:feed_atom",
    "communities:detail",
    "communities:thread",
    "communities:revisions",
    "expertqa:list",
    "expertqa:detail",
    "expertqa:board",
    "expertqa:changes",
    "expertqa:calendar",
    "expertqa:series",
    "expertqa:expert",
    "expertqa:jsi18n",
    "expertqa:live_detail",
    "expertqa:live_present",
    "expertqa:live_changes",
    "expertqa:poll_list",
    "challenges:list",
    "challenges:detail",
    "challenges:participant",
    "challenges:step",
    "challenges:scoreboard",
    "challenges:ics",
    "challenges:flows",
    "challenges:flow_item",
    "mentoring:home",
    "mentoring:mine",
    "mentoring:programme",
    "mentoring:match",
    "mentoring:export",
    "mentoring:outcomes",
    "mentoring:meeting_ics",
    "mentoring:adhoc",
    "insights:overview",
    "insights:nudges",
    "insights:export",
    "insights:scope",
    "insights:scope_export",
    "notifications:inbox",
    "notifications:open",
    "people:directory",
    "people:me",
    "people:profile",
    "people:topics",
    "people:topic",
    "people:import_review",
    "courses:list",
    "courses:detail",
    "courses:ics",
    # Opening a reading records that the participant read it (what "read" means for the
    # facilitator's figures): one idempotent row, nothing else.
    "courses:reading",
    "courses:facilitator",
    "courses:guide",
    "courses:challenge_guide",
}


def _product_url_names():
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if str(p.pattern).startswith(("admin/", "accounts/", "scim/")):
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_is_reviewed():
    """Rule (every URL): each product URL is classified as a read, a form or POST-only."""
    reviewed = POST_ONLY | set(FORMS) | READS
    assert _product_url_names() - reviewed == set()
    assert {name for name, _ in _post_only_urls_names()} == POST_ONLY


def _post_only_urls_names():
    import inspect

    source = inspect.getsource(_post_only_urls)
    return [(name, None) for name in POST_ONLY if f'"{name}"' in source]


def _resolve(world, spec: str):
    if "." not in spec:
        return spec
    obj, attr = spec.split(".")
    return getattr(getattr(world, obj), attr)


@pytest.mark.parametrize("who", ["manager", "lnd"])
def test_get_on_form_pages_changes_nothing(client, world, who):
    """Rule (each URL in FORMS): GET shows the form (or refuses) and writes nothing."""
    client.force_login(getattr(world, who))
    before = _snapshot()
    for name, args in FORMS.items():
        url = reverse(name, args=[_resolve(world, a) for a in args])
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code in (200, 302, 403, 404), (name, response.status_code)
    assert _snapshot() == before
