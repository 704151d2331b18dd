"""The permission matrix: every URL of the product, as every kind of person.

The URL list is generated from the URL configuration (tests.crawl.routes), so a new URL fails
test_every_url_is_in_the_matrix until its row is written below. Each URL is asked for with
objects that belong to someone else: a private community (its thread, reply, session,
challenge, step, flow and queued flow item), a programme coordinated by someone else and a
match between two other people. Pages are asked for plainly and, where they have htmx
partials, with the HX-Request header; URLs that only take POST are POSTed to (empty, or with
the least data that reaches the check of rights), each request in a savepoint rolled back
afterwards, so every request sees the same organisation. The admin's changelists and change
forms of every registered model are asked for by the staff roles; people without staff status
and the superuser are asked at the admin's door (its own pages and one model's), since the
admin decides for them before any model's code runs.

The people, in the order of each row:

    anon      not signed in
    employee  signed in, in no community, no group, no role
    member    an active member of the private community
    manager   a manager of the private community
    staff     staff status (may open the admin) and nothing else
    coord     staff, in the "coordinator" group, coordinator of another programme only
    lnd       staff, in the "L&D admin" group, not a member of the private community
    root      a superuser, not a member of the private community

What each answer means:

    o  2xx          the page, the partial, the feed, the file
    l  login        a redirect to a sign-in page (401 for htmx and polling requests)
    r  redirect     any other redirect (after a POST, or to another page)
    b  400          the request is refused as malformed (an empty POST)
    f  403          signed in, but this role gives no right here
    n  404          this person may not know the thing exists
    m  405          wrong method
"""

import logging
import re
import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.utils import timezone

from challenges.models import Challenge, FeedEntry, Flow, FlowFeed, FlowItem, Step
from communities.channels.services import channel_connect
from communities.models import Community, Membership, Thread
from communities.services import (
    community_create,
    membership_join,
    membership_self_join,
    reply_create,
    thread_create,
)
from expertqa.live.services import (
    live_event_schedule,
    live_message_post,
    live_prompt_add,
    poll_create,
)
from expertqa.services import proposal_create, question_ask, series_create, session_schedule
from mentoring.models import (
    COORDINATOR_GROUP,
    AdhocRequest,
    CheckIn,
    Enrolment,
    Goal,
    Match,
    Meeting,
    Programme,
)
from socialearn.notifications.mail import unsubscribe_token
from socialearn.notifications.models import Notification
from socialearn.people.permissions import LD_ADMIN
from tests.crawl import Route, routes
from tests.factories import TopicFactory, UserFactory
from tests.security.test_methods import POST_ONLY as METHODS_POST_ONLY

ROLES = ("anon", "employee", "member", "manager", "staff", "coord", "lnd", "root")

# --- the product -----------------------------------------------------------------------------
# url name: one answer per role, in the order of ROLES.
# fmt: off
PAGES: dict[str, str] = {
    # one letter per role: anon employee member manager staff coord lnd root
    "home":                              "l o o o o o o o",
    "healthz":                           "o o o o o o o o",
    "set_language":                      "r r r r r r r r",
    "people:directory":                  "l o o o o o o o",
    "people:me":                         "l r r r r r r r",
    "people:profile_edit":               "l o o o o o o o",
    "people:topics":                     "l o o o o o o o",
    "people:topic":                      "l o o o o o o o",
    "people:profile":                    "l o o o o o o o",
    "people:import":                     "l f f f f f o o",
    "people:import_review":              "l f f f f f n n",
    "people:import_apply":               "l f f f f f n n",
    "people:photo":                      "l n n n n n n n",
    "people:evidence":                   "l o o o o o o o",
    "people:welcome":                    "l o o o o o o o",
    "people:mention_suggest":            "l o o o o o o o",
    "people:topic_suggest":              "l o o o o o o o",
    "people:welcome_experts":            "l o o o o o o o",
    "people:welcome_finish":             "l r r r r r r r",
    "communities:welcome":               "l o o o o o o o",
    "people:topic_feed_rss":             "o o o o o o o o",
    "people:topic_feed_atom":            "o o o o o o o o",
    "notifications:inbox":               "l o o o o o o o",
    "notifications:mark_all_read":       "l r r r r r r r",
    "notifications:mark_read":           "l n n n n n n n",
    "notifications:open":                "l n n n n n n n",
    "notifications:topic_follow":        "l r r r r r r r",
    "notifications:topic_unfollow":      "l r r r r r r r",
    "notifications:unsubscribe":         "o o o o o o o o",
    "notifications:person_follow":       "l r r r r r r r",
    "insights:overview":                 "l f f f f f o o",
    "insights:export":                   "l f f f f f o o",
    "insights:nudges":                   "l f f f f f o o",
    "nudges:preferences":                "l o o o o o o o",
    "insights:scope":                    "l n n o n n o o",
    "insights:scope_export":             "l n n o n n o o",
    "communities:list":                  "l o o o o o o o",
    "communities:create":                "l o o o o o o o",
    "communities:approvals":             "l n n n n n o o",
    "communities:search":                "l o o o o o o o",
    "communities:ask_person":            "l o o o o o o o",
    "communities:similar":               "l n o o n n n n",
    "search":                            "l o o o o o o o",
    "search_suggest":                    "l o o o o o o o",
    "communities:invitations":           "l o o o o o o o",
    "communities:invitation_accept":     "l n n n n n n n",
    "communities:invitation_decline":    "l n n n n n n n",
    "communities:cohorts":               "l f f f f f o o",
    "communities:cohort_upload":         "l f f f f f o o",
    "communities:newcomers":             "l n o o n n n n",
    "communities:newcomer_welcome":      "l n n n n n n n",
    "communities:feed_rss":              "n n n n n n n n",
    "communities:feed_atom":             "n n n n n n n n",
    "communities:detail":                "l n o o n n n n",
    "communities:edit":                  "l n f o n n n n",
    "communities:join":                  "l r r r r r r r",
    "communities:leave":                 "l r r r r r r r",
    "communities:members":               "l n o o n n n n",
    "communities:membership_decide":     "l n f r n n n n",
    "communities:membership_role":       "l n f r n n n n",
    "communities:moderation":            "l n n o n n n n",
    "communities:channels":              "l n f o n n n n",
    "communities:channel_test":          "l n f r n n n n",
    "communities:channel_disconnect":    "l n f r n n n n",
    "communities:thread_create":         "l n o o n n n n",
    "communities:thread":                "l n o o n n n n",
    "communities:reply":                 "l n r r n n n n",
    "communities:thread_edit":           "l n o o n n n n",
    "communities:reply_edit":            "l n f o n n n n",
    "communities:revisions":             "l n o o n n n n",
    "communities:accept":                "l n n n n n n n",
    "communities:react":                 "l n r r n n n n",
    "communities:flag":                  "l n o o n n n n",
    "mentoring:home":                    "l o o o o o o o",
    "mentoring:mine":                    "l o o o o o o o",
    "mentoring:programme_create":        "l f f f f o o o",
    "mentoring:programme":               "l o o o o o o o",
    "mentoring:programme_edit":          "l f f f f f o o",
    "mentoring:enrol":                   "l o o o o o o o",
    "mentoring:coordinate":              "l f f f f f o o",
    "mentoring:run":                     "l f f f f f r r",
    "mentoring:swap":                    "l f f f f f r r",
    "mentoring:publish":                 "l f f f f f r r",
    "mentoring:export":                  "l f f f f f o o",
    "mentoring:call":                    "l f f f f f o o",
    "mentoring:request":                 "l n n n n n n n",
    "mentoring:match":                   "l n n n n n n n",
    "mentoring:lock":                    "l f f f f f r r",
    "mentoring:accept":                  "l n n n n n n n",
    "mentoring:decline":                 "l n n n n n n n",
    "mentoring:complete":                "l n n n n n n n",
    "mentoring:meeting_add":             "l n n n n n n n",
    "mentoring:agreement":               "l n n n n n n n",
    "mentoring:goal_add":                "l n n n n n n n",
    "mentoring:goal_status":             "l n n n n n n n",
    "mentoring:meeting_schedule":        "l n n n n n n n",
    "mentoring:meeting_ics":             "l n n n n n n n",
    "mentoring:note_add":                "l n n n n n n n",
    "mentoring:extend":                  "l n n n n n n n",
    "mentoring:become_mentor":           "l n n n n n n n",
    "mentoring:checkin":                 "l n n n n n n n",
    "mentoring:outcomes":                "l f f f f f o o",
    "mentoring:availability":            "l n n n n n n n",
    "mentoring:withdraw":                "l n n n n n n n",
    "mentoring:adhoc_new":               "l o o o o o o o",
    "mentoring:request_person":          "l o o o o o o o",
    "mentoring:adhoc":                   "l n n n n o o o",
    "mentoring:adhoc_help":              "l n n n n r r r",
    "mentoring:adhoc_volunteer":         "l r r r r r r r",
    "expertqa:list":                     "l o o o o o o o",
    "expertqa:create":                   "l f f o f f f f",
    "expertqa:detail":                   "l n o o n n n n",
    "expertqa:edit":                     "l n f o n n n n",
    "expertqa:cancel":                   "l n f r n n n n",
    "expertqa:board":                    "l n r r n n n n",
    "expertqa:changes":                  "l b b b b b b b",
    "expertqa:ask":                      "l n r r n n n n",
    "expertqa:calendar":                 "l n o o n n n n",
    "expertqa:vote":                     "l n r r n n n n",
    "expertqa:answer":                   "l n f f n n n n",
    "expertqa:defer":                    "l n f f n n n n",
    "expertqa:moderate":                 "l n f r n n n n",
    "expertqa:series":                   "l n o o n n n n",
    "expertqa:expert":                   "l o o o o o o o",
    "expertqa:network":                  "l n o o n n n n",
    "expertqa:propose":                  "l n o o n n n n",
    "expertqa:series_new":               "l n f o n n n n",
    "expertqa:proposal":                 "l n n o n n n n",
    "expertqa:proposal_accept":          "l n n b n n n n",
    "expertqa:proposal_decline":         "l n n b n n n n",
    "expertqa:recording":                "l n f o n n n n",
    "calendar":                          "l o o o o o o o",
    "calendar_subscription":             "l r r r r r r r",
    "calendar_feed":                     "n n n n n n n n",
    "expertqa:jsi18n":                   "o o o o o o o o",
    "expertqa:live_create":              "l f f o f f f f",
    "expertqa:live_detail":              "l n o o n n n n",
    "expertqa:live_present":             "l n o o n n n n",
    "expertqa:live_changes":             "l b b b b b b b",
    "expertqa:live_post":                "l n r r n n n n",
    "expertqa:live_ask":                 "l n r r n n n n",
    "expertqa:live_unpin":               "l n f r n n n n",
    "expertqa:live_slow":                "l n f r n n n n",
    "expertqa:live_prompt_add":          "l n f r n n n n",
    "expertqa:poll_list":                "l n o o n n n n",
    "expertqa:poll_create":              "l n f r n n n n",
    "expertqa:live_react":               "l n r r n n n n",
    "expertqa:live_hide":                "l n f r n n n n",
    "expertqa:live_pin":                 "l n f r n n n n",
    "expertqa:live_vote":                "l n r r n n n n",
    "expertqa:live_answer":              "l n f f n n n n",
    "expertqa:poll_vote":                "l n r r n n n n",
    "expertqa:poll_action":              "l n f r n n n n",
    "expertqa:live_close":               "l n f r n n n n",
    "challenges:list":                   "l o o o o o o o",
    "challenges:copy":                   "l n n o n n n n",
    "challenges:detail":                 "l n o o n n n n",
    "challenges:edit":                   "l n f o n n n n",
    "challenges:publish":                "l n f r n n n n",
    "challenges:step_new":               "l n f o n n n n",
    "challenges:step_edit":              "l n f o n n n n",
    "challenges:join":                   "l n r r n n n n",
    "challenges:leave":                  "l n r r n n n n",
    "challenges:participant":            "l n o r n n n n",
    "challenges:step":                   "l n o o n n n n",
    "challenges:answer":                 "l n o o n n n n",
    "challenges:done":                   "l n r r n n n n",
    "challenges:scoreboard":             "l n o o n n n n",
    "challenges:ics":                    "l n o o n n n n",
    "challenges:flows":                  "l o o o o o o o",
    "challenges:flow_new":               "l f f o f f f f",
    "challenges:flow":                   "l n n o n n n n",
    "challenges:flow_pause":             "l n n r n n n n",
    "challenges:flow_resume":            "l n n r n n n n",
    "challenges:flow_item_new":          "l n n o n n n n",
    "challenges:flow_item":              "l n n o n n n n",
    "challenges:flow_item_move":         "l n n r n n n n",
    "challenges:flow_item_post":         "l n n r n n n n",
    "challenges:flow_item_delete":       "l n n r n n n n",
    "challenges:flow_sources":           "l n n o n n n n",
    "challenges:flow_feed_remove":       "l n n r n n n n",
    "challenges:flow_review":            "l n n o n n n n",
    "challenges:flow_entry":             "l n n o n n n n",
    "challenges:flow_entry_dismiss":     "l n n r n n n n",
    "courses:list":                      "l o o o o o o o",
    "courses:create":                    "l f f o f f o o",
    "courses:detail":                    "l n o o n n n n",
    "courses:ics":                       "l n o o n n n n",
    "courses:edit":                      "l n f o n n n n",
    "courses:enrol":                     "l n r r n n n n",
    "courses:introduce":                 "l n r r n n n n",
    "courses:roster":                    "l n f o n n n n",
    "courses:reading_new":               "l n f o n n n n",
    "courses:reading":                   "l n o o n n n n",
    "courses:prompt_new":                "l n f o n n n n",
    "courses:prompt_open":               "l n f r n n n n",
    "courses:after":                     "l n f o n n n n",
    "courses:complete":                  "l n f r n n n n",
    "courses:facilitator":               "l n f o n n n n",
    "courses:guide":                     "l n f o n n n n",
    "courses:guide_prompt":              "l n f r n n n n",
    "courses:challenge_guide":           "l n f o n n n n",
    "courses:challenge_guide_prompt":    "l n f r n n n n",
    "courses:spotlight_remove":          "l n f r n n n n",
}
# fmt: on

# URLs that only take POST (their GET answers 405: tests/security/test_methods) are POSTed to,
# empty: the answer says whether the role may act, before any form is read.
POST_ONLY = METHODS_POST_ONLY

# Empty POSTs refused as malformed before any right is checked get the least they need.
POST_DATA = {
    "communities:membership_decide": {"decision": "approve"},
    "communities:membership_role": {"role": "manager"},
    "communities:reply": {"body": "A reply"},
    "communities:react": {"kind": "thumbs_up"},
    "expertqa:ask": {"body": "A question?"},
    "expertqa:answer": {"body": "An answer."},
    "expertqa:defer": {"deferred_to": "2099-01-01", "note": "Later"},
    "challenges:answer": {"body": "My answer"},
}

# URLs with htmx partials: asked for again with HX-Request.
# fmt: off
HTMX: dict[str, str] = {
    "people:directory":                  "l o o o o o o o",
    "insights:overview":                 "l f f f f f o o",
    "insights:scope":                    "l n n o n n o o",
    "communities:list":                  "l o o o o o o o",
    "communities:search":                "l o o o o o o o",
    "communities:ask_person":            "l o o o o o o o",
    "communities:newcomers":             "l n o o n n n n",
    "communities:detail":                "l n o o n n n n",
    "communities:moderation":            "l n n o n n n n",
    "communities:thread":                "l n o o n n n n",
    "mentoring:coordinate":              "l f f f f f o o",
    "expertqa:list":                     "l o o o o o o o",
    "expertqa:detail":                   "l n o o n n n n",
    "expertqa:board":                    "l n o o n n n n",
    "expertqa:changes":                  "l b b b b b b b",
    "expertqa:poll_list":                "l n o o n n n n",
}
# fmt: on

# --- the Django admin ---------------------------------------------------------------------------
# model label: who among the staff roles may open its changelist and change form (the rights
# the staff groups give today: socialearn.people.permissions.GROUP_RIGHTS). Everyone else is
# sent to the admin's sign-in page; staff without the right get 403.
ROOT = {"root"}
LND = {"lnd", "root"}  # the "L&D admin" group
COORD = {"coord", "lnd", "root"}  # the "coordinator" group too
ADMIN_MODELS: dict[str, set[str]] = {
    "auth.user": COORD,
    "auth.group": LND,
    "sites.site": ROOT,
    "account.emailaddress": ROOT,
    "socialaccount.socialapp": ROOT,
    "socialaccount.socialtoken": ROOT,
    "socialaccount.socialaccount": ROOT,
    "people.topic": COORD,
    "people.department": COORD,
    "people.location": COORD,
    "people.profile": COORD,
    "people.provisioningtoken": LND,
    "notifications.topicfollow": LND,
    "notifications.notification": LND,
    "insights.activity": LND,
    "insights.scope": LND,
    "insights.xapistatement": LND,
    "outbox.message": LND,
    "communities.community": COORD,
    "communities.membership": LND,
    "communities.thread": LND,
    "communities.reply": LND,
    "communities.moderationword": LND,
    "communities.moderationaction": LND,
    "communities.flag": LND,
    "communities.tiprevision": LND,
    "communities.reaction": LND,
    "communities.channel": LND,
    "mentoring.programme": COORD,
    "mentoring.enrolment": COORD,
    "mentoring.match": COORD,
    "mentoring.meeting": COORD,
    "mentoring.agreement": COORD,
    "mentoring.goal": COORD,
    "mentoring.matchnote": COORD,
    "mentoring.checkin": COORD,
    "mentoring.matchingrun": COORD,
    "mentoring.adhocrequest": COORD,
    "mentoring.adhocvolunteer": COORD,
    "expertqa.series": COORD,
    "expertqa.session": COORD,
    "expertqa.question": COORD,
    "expertqa.answer": COORD,
    "expertqa.liveevent": COORD,
    "expertqa.liveprompt": COORD,
    "expertqa.livemessage": COORD,
    "expertqa.poll": COORD,
    "challenges.challenge": COORD,
    "challenges.step": COORD,
    "challenges.participant": COORD,
    "challenges.completion": COORD,
    "challenges.flow": COORD,
    "challenges.flowitem": COORD,
    "challenges.flowitemskip": COORD,
    "challenges.flowfeed": COORD,
    "challenges.feedentry": COORD,
    "expertqa.talkproposal": COORD,
    "courses.course": LND,
    "courses.enrolment": LND,
    "courses.discussionprompt": LND,
    "courses.readingmark": LND,
    "courses.guideprompt": LND,
}

# Admin URLs other than changelists and change forms: one row each.
# fmt: off
ADMIN_PAGES: dict[str, str] = {
    # one letter per role: anon employee member manager staff coord lnd root
    "admin:index":                       "l l l l o o o o",
    "admin:login":                       "l f f f r r r r",
    "admin:logout":                      "r r r r m m m m",
    "admin:password_change":             "l l l l o o o o",
    "admin:password_change_done":        "l l l l o o o o",
    "admin:jsi18n":                      "l l l l o o o o",
    "admin:autocomplete":                "l l l l f f f f",
    "admin:view_on_site":                "l l l l n n n n",
    "admin:app_list":                    "l l l l n o o o",
    "admin:auth_user_password_change":   "l l l l f f o o",
}
# fmt: on

NOT_STAFF = ("anon", "employee", "member", "manager")
ASKED_AT_THE_DOOR = (*NOT_STAFF, "root")
# Admin model pages asked for by every role, the people without staff status included.
ADMIN_DOOR = {"admin:communities_thread_changelist", "admin:communities_thread_change"}

# URLs outside the matrix, and why.
NOT_IN_MATRIX = {
    # django-allauth's sign-in, sign-up and password pages: the same for everyone, tested in
    # tests/people.
    "accounts/": "sign-in pages",
    # SCIM provisioning: a bearer-token API for identity providers; no session opens it, as
    # tests/identity/test_scim.py asks of every role.
    "scim/v2/": "provisioning API",
}
# The admin's add, delete and history pages follow the same model rights as the change form.
ADMIN_SKIPPED = re.compile(r"^admin:\w+_\w+_(add|delete|history)$")


# --- the organisation ----------------------------------------------------------------------------


class World:
    pass


def _group(name):
    return Group.objects.get_or_create(name=name)[0]


def build_world() -> World:
    w = World()
    now = timezone.now()
    today = timezone.localdate()
    w.topic = TopicFactory(name="Data analysis")
    owner = UserFactory(profile__display_name="Owen Owner")
    w.owner = owner
    w.users = {
        "anon": None,
        "employee": UserFactory(profile__display_name="Emma Employee"),
        "member": UserFactory(profile__display_name="Mel Member"),
        "manager": UserFactory(profile__display_name="Max Manager"),
        "staff": UserFactory(is_staff=True, profile__display_name="Stu Staff"),
        "coord": UserFactory(is_staff=True, profile__display_name="Cole Coordinator"),
        "lnd": UserFactory(is_staff=True, profile__display_name="Lee Learning"),
        "root": UserFactory(is_staff=True, is_superuser=True, profile__display_name="Ro Root"),
    }
    u = w.users
    u["coord"].groups.add(_group(COORDINATOR_GROUP))
    u["lnd"].groups.add(_group(LD_ADMIN))

    # The private community, someone else's, with its member and its second manager.
    w.private = community_create(
        created_by=owner,
        name="Private guild",
        purpose="Quiet work",
        topics=[w.topic],
        visibility=Community.Visibility.PRIVATE,
    )
    membership_join(community=w.private, user=u["member"])
    membership_join(community=w.private, user=u["manager"], role=Membership.Role.MANAGER)
    other = UserFactory(profile__display_name="Rita Requester")
    w.request = membership_self_join(community=w.private, user=other)
    w.thread = thread_create(
        community=w.private,
        author=owner,
        kind=Thread.Kind.TIP,
        title="Guild plans",
        body="Plans.",
        topics=[w.topic],
    )
    w.reply = reply_create(thread=w.thread, author=owner, body="A reply")
    w.series = series_create(title="Guild Fridays", community=w.private)
    w.session = session_schedule(
        created_by=owner,
        title="Guild session",
        topic=w.topic,
        community=w.private,
        experts=[owner],
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        invite=False,
    )
    w.question = question_ask(session=w.session, author=u["member"], body="How?")
    w.live = live_event_schedule(
        created_by=owner,
        community=w.private,
        title="Guild all-hands",
        topic=w.topic,
        hosts=[owner],
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        invite=False,
    )
    w.live_message = live_message_post(event=w.live, author=u["member"], body="Hello")
    w.prompt = live_prompt_add(event=w.live, by=owner, body="Q1: what now?", release_at=now)
    w.poll = poll_create(
        session=w.live.session, by=owner, kind="single", question="Ready?", options=["Y", "N"]
    )
    w.challenge = Challenge.objects.create(
        title="Guild challenge",
        description="Daily",
        designer=owner,
        community=w.private,
        cadence=Challenge.Cadence.DAILY,
        length_value=30,
        length_unit=Challenge.LengthUnit.DAYS,
        start_date=today - timedelta(days=1),
        status=Challenge.Status.PUBLISHED,
    )
    w.step = Step.objects.create(
        challenge=w.challenge,
        position=1,
        title="Step one",
        prompt="Prompt",
        prompt_html="<p>Prompt</p>",
        day_offset=0,
        posted_at=now - timedelta(hours=1),
    )
    w.flow = Flow.objects.create(name="Guild flow", community=w.private, curator=owner)
    w.item = FlowItem.objects.create(flow=w.flow, position=1, title="Queued item", body="Body")
    w.feed = FlowFeed.objects.create(
        flow=w.flow, url="https://feeds.example.org/g.xml", created_at=now, next_fetch_at=now
    )
    w.entry = FeedEntry.objects.create(
        flow=w.flow, url="https://ex.org/guild", title="Guild article", created_at=now
    )
    # The private community is a learning network too; its owner proposed a talk there.
    Community.objects.filter(pk=w.private.pk).update(kind=Community.Kind.NETWORK)
    w.private.refresh_from_db()
    w.proposal = proposal_create(
        community=w.private, proposer=owner, title="Guild talk", abstract="A", topic=w.topic
    )
    # A course of the private community: its manager facilitates, its member takes part.
    from challenges.courses import services as course_services

    w.course = course_services.course_create(
        created_by=owner,
        host_community=w.private,
        title="Guild course",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        facilitators=[u["manager"]],
        location="Room 1",
    )
    course_services.course_enrol(course=w.course, user=u["member"])
    w.course_item = course_services.course_reading_add(
        course=w.course, added_by=owner, kind="tip", title="Read this", day=0
    )
    w.course_prompt = course_services.prompt_add(course=w.course, added_by=owner, title="Ask")
    # A guide's spotlight on the thread's reply: the community's managers may take it down.
    from challenges.courses.models import GuidePrompt

    w.spotlight = GuidePrompt.objects.create(
        kind="spotlight",
        sent_by=owner,
        challenge=w.challenge,
        reply=w.reply,
        spotlight_thread=w.thread,
        sent_at=now,
    )

    # Mentoring: a programme coordinated by someone else, a match between two others, and
    # another programme the staff coordinator runs.
    def programme(name, coordinator):
        p = Programme.objects.create(
            name=name,
            goals="Grow",
            commitment="An hour a month",
            enrolment_opens_on=today - timedelta(days=10),
            enrolment_closes_on=today + timedelta(days=10),
            created_by=coordinator,
        )
        p.coordinators.add(coordinator)
        return p

    w.programme = programme("Someone else's programme", owner)
    w.own_programme = programme("Cole's programme", u["coord"])
    mentor = Enrolment.objects.create(
        programme=w.programme, user=UserFactory(profile__display_name="Mia Mentor"), role="mentor"
    )
    protege = Enrolment.objects.create(
        programme=w.programme, user=UserFactory(profile__display_name="Pat Protege"), role="protege"
    )
    w.mentor = mentor
    w.match = Match.objects.create(
        programme=w.programme,
        mentor=mentor,
        protege=protege,
        status=Match.Status.ACTIVE,
        started_at=now,
        reasons=["shares Data analysis"],
    )
    w.goal = Goal.objects.create(match=w.match, title="Lead", target_on=today + timedelta(days=30))
    w.meeting = Meeting.objects.create(
        match=w.match, met_on=today, starts_at=now + timedelta(days=1), duration_minutes=30
    )
    w.checkin = CheckIn.objects.create(
        match=w.match, user=protege.user, side="protege", stage="midpoint"
    )
    w.adhoc = AdhocRequest.objects.create(user=owner, topic=w.topic, message="Help me start")
    w.channel = channel_connect(
        community=w.private,
        created_by=owner,
        provider="slack",
        name="#guild",
        url="https://hooks.slack.com/services/T0/B0/guildsecret",
    )
    w.notification = Notification.objects.create(
        recipient=owner, kind="x", title="Yours", url="/people/", created_at=now
    )
    _admin_rows(w, now)
    from socialearn.people.identity.scim_auth import provisioning_token_create

    provisioning_token_create(name="Okta", created_by=None)
    return w


def _admin_rows(w: World, now) -> None:
    """One row of every model the admin lists, so every change form has something to show."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken

    from challenges.models import Completion, FlowItemSkip, Participant
    from communities.models import ModerationAction, ModerationWord, Reaction
    from communities.services import flag_create
    from expertqa.services import answer_create
    from mentoring.models import AdhocVolunteer, Agreement, MatchingRun, MatchNote, Meeting
    from socialearn.insights.models import XAPI_STATEMENT
    from socialearn.notifications.services import topic_follow
    from socialearn.outbox.services import message_add
    from tests.factories import DepartmentFactory, LocationFactory

    member = w.users["member"]
    DepartmentFactory(name="Finance")
    LocationFactory(name="Leeds")
    topic_follow(user=member, topic=w.topic)
    message_add(kind=XAPI_STATEMENT, payload={"statement_id": str(uuid.uuid4()), "statement": {}})
    ModerationWord.objects.create(word="spoiler")
    ModerationAction.objects.create(
        community=w.private,
        actor=w.owner,
        action=ModerationAction.Action.values[0],
        thread=w.thread,
        created_at=now,
    )
    flag_create(user=member, reason="Off topic", thread=w.thread)
    Reaction.objects.create(user=member, thread=w.thread, kind=Reaction.Kind.THUMBS_UP)
    Meeting.objects.create(match=w.match, met_on=now.date())
    Agreement.objects.create(match=w.match, weeks=12, ends_on=now.date() + timedelta(weeks=12))
    MatchNote.objects.create(match=w.match, author=w.match.mentor.user, body="Ours")
    MatchingRun.objects.create(programme=w.programme, started_by=w.owner)
    AdhocVolunteer.objects.create(user=w.owner, topic=w.topic)
    answer_create(question=w.question, author=w.owner, body="Like this.")
    Participant.objects.create(challenge=w.challenge, user=member, joined_at=now)
    FlowItemSkip.objects.create(item=w.item, user=member, reason="Behind", recorded_at=now)
    Completion.objects.create(
        step=w.step, user=member, challenge=w.challenge, via="done", completed_at=now
    )
    from challenges.courses.models import GuidePrompt, ReadingMark

    ReadingMark.objects.create(item=w.course_item, user=member, read_at=now)
    GuidePrompt.objects.create(kind="nudge", sent_by=w.owner, course=w.course, sent_at=now)
    EmailAddress.objects.create(user=w.owner, email=w.owner.email, verified=True, primary=True)
    app = SocialApp.objects.create(provider="openid_connect", name="Intranet", client_id="x")
    account = SocialAccount.objects.create(user=w.owner, provider="openid_connect", uid="1")
    SocialToken.objects.create(app=app, account=account, token="t")


def kwargs_for(route: Route, w: World) -> dict:
    """The path parameters of one URL, naming the world's objects."""
    ns, _, name = route.name.partition(":")
    values = {
        "slug": w.private.slug,
        "thread_id": w.thread.pk,
        "reply_id": w.reply.pk,
        "membership_id": w.request.pk,
        "user_id": w.owner.pk,
        "notification_id": w.notification.pk,
        "kind": "communities",
        "object_id": w.private.pk,
        "table": "summary",
        "role": "mentor",
        "mentor_id": w.mentor.pk,
        "action": "hide",
        "step_pk": w.step.pk,
        "item_pk": w.item.pk,
        "feed_pk": w.feed.pk,
        "entry_pk": w.entry.pk,
        "channel_id": w.channel.pk,
        "token": unsubscribe_token(user_id=w.owner.pk, kind="mention"),
        "import_id": 999999,  # HR files: only L&D admins learn whether one exists
    }
    if name == "membership_role":
        values["membership_id"] = w.private.memberships.get(user=w.users["member"]).pk
    if ns in ("people", "notifications") and "slug" in route.params:
        values["slug"] = w.topic.slug
    if ns == "expertqa":
        values["slug"] = w.series.slug
        values["pk"] = (
            w.question.pk if name in ("vote", "answer", "defer", "moderate") else (w.session.pk)
        )
        if name in ("network", "propose", "series_new"):
            values["slug"] = w.private.slug
        if name.startswith("proposal"):
            values["pk"] = w.proposal.pk
        if name.startswith(("live_", "poll_")):
            values["pk"] = w.live.pk
            values["action"] = "reveal"
            values["message_pk"] = w.live_message.pk
            values["question_pk"] = w.question.pk
            values["poll_pk"] = w.poll.pk
    elif ns == "challenges":
        values["pk"] = w.flow.pk if name.startswith("flow") else w.challenge.pk
    elif ns == "courses":
        values["pk"] = w.challenge.pk if name.startswith("challenge_guide") else w.course.pk
        if name == "spotlight_remove":
            values["pk"] = w.spotlight.pk
        values["item_pk"] = w.course_item.pk
        values["prompt_pk"] = w.course_prompt.pk
    elif ns == "mentoring":
        if name in (
            "match",
            "lock",
            "accept",
            "decline",
            "complete",
            "meeting_add",
            "agreement",
            "goal_add",
            "meeting_schedule",
            "note_add",
            "extend",
            "become_mentor",
        ):
            values["pk"] = w.match.pk
        elif name in ("goal_status", "meeting_ics", "checkin"):
            values["pk"] = {"goal_status": w.goal, "meeting_ics": w.meeting, "checkin": w.checkin}[
                name
            ].pk
        elif name in ("availability", "withdraw"):
            values["pk"] = w.mentor.pk
        elif name.startswith("adhoc"):
            values["pk"] = w.adhoc.pk
        else:
            values["pk"] = w.programme.pk
    return {p: values[p] for p in route.params}


# --- asking -------------------------------------------------------------------------------------


def answer_class(response) -> str:
    code = response.status_code
    if 200 <= code < 300:
        return "o"
    if code in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        return "l" if "/login/" in location else "r"
    if code == 401:  # htmx and polling requests' "sign in first"
        return "l"
    return {400: "b", 403: "f", 404: "n", 405: "m"}.get(code, str(code))


def _admin_route_model(route: Route):
    model_admin = getattr(route.callback, "model_admin", None)
    return model_admin.model if model_admin is not None else None


def product_routes() -> list[Route]:
    return [
        r
        for r in routes()
        if r.name
        and not r.name.startswith("admin:")
        and not any(r.path.startswith(prefix) for prefix in NOT_IN_MATRIX)
    ]


def admin_routes() -> list[Route]:
    return [r for r in routes() if r.name.startswith("admin:")]


def expected_admin_row(route: Route) -> str | None:
    if route.name in ADMIN_PAGES:
        return ADMIN_PAGES[route.name].replace(" ", "")
    if not re.match(r"^admin:\w+_(changelist|change)$", route.name):
        return None
    model = _admin_route_model(route)
    if model is None:
        return None
    label = model._meta.label_lower
    assert label in ADMIN_MODELS, (
        f"{label} is registered in the admin but has no row in ADMIN_MODELS"
    )
    allowed = ADMIN_MODELS[label]
    return "".join(
        "l" if role in NOT_STAFF else ("o" if role in allowed else "f") for role in ROLES
    )


def admin_kwargs(route: Route, w: World) -> dict:
    kwargs = {}
    model = _admin_route_model(route)
    for p in route.params:
        if p == "object_id" and model is not None:
            obj = model._default_manager.order_by("pk").first()
            kwargs[p] = str(obj.pk) if obj else "999999"
        elif p == "app_label":
            kwargs[p] = "people"
        elif p == "id":  # a user's password form
            kwargs[p] = str(w.owner.pk)
        else:
            kwargs[p] = "1"
    return kwargs


def test_every_url_is_in_the_matrix():
    """A URL without its row fails here, until someone decides who may open it."""
    missing = [r.name for r in product_routes() if r.name not in PAGES]
    missing += [
        r.name
        for r in admin_routes()
        if not ADMIN_SKIPPED.match(r.name) and expected_admin_row(r) is None
    ]
    assert missing == []
    names = {r.name for r in product_routes()}
    assert set(PAGES) - names == set(), "rows for URLs that no longer exist"
    assert POST_ONLY <= names
    assert set(HTMX) <= names
    assert all(len(row.replace(" ", "")) == len(ROLES) for row in PAGES.values())
    registered = {m._meta.label_lower for m in admin.site._registry}
    assert set(ADMIN_MODELS) == registered


@pytest.mark.django_db
def test_every_url_answers_every_role_as_the_matrix_says(celery_eager, caplog):
    """Rule (every URL): each role gets exactly the answer written in the matrix."""
    # Hundreds of deliberate 403s and 404s: their warnings (with tracebacks) are not news.
    caplog.set_level(logging.ERROR, logger="django.request")
    w = build_world()
    clients = {}
    for role, user in w.users.items():
        clients[role] = Client()
        if user is not None:
            clients[role].force_login(user)
    asked: Counter = Counter()
    wrong = []

    def row(name: str, method: str, url: str, expected: str, htmx: bool = False) -> None:
        got = ""
        for role, want in zip(ROLES, expected, strict=True):
            if want == "-":
                got += "-"
                continue
            asked[method] += 1
            data = POST_DATA.get(name) if method == "post" else None
            headers = {"HX-Request": "true"} if htmx else {}
            with transaction.atomic():
                response = getattr(clients[role], method)(url, data, headers=headers)
                transaction.set_rollback(True)
            got += answer_class(response)
        if got != expected:
            label = f"{name}{' htmx' if htmx else ''}"
            wrong.append(f"{label:45} {' '.join(got)}   expected {' '.join(expected)}   {url}")

    for route in product_routes():
        url = route.url(kwargs_for(route, w))
        method = "post" if route.name in POST_ONLY else "get"
        row(route.name, method, url, PAGES[route.name].replace(" ", ""))
        if route.name in HTMX:
            row(route.name, method, url, HTMX[route.name].replace(" ", ""), htmx=True)
    for route in admin_routes():
        if ADMIN_SKIPPED.match(route.name):
            continue
        expected = expected_admin_row(route)
        if route.name not in ADMIN_PAGES and route.name not in ADMIN_DOOR:
            # The admin turns away everyone without staff status before any model code runs
            # (AdminSite.has_permission), and lets a superuser do everything (has_perm is
            # always true for them): those are asked at ADMIN_DOOR, not on every model.
            expected = "".join(
                "-" if r in ASKED_AT_THE_DOOR else e for r, e in zip(ROLES, expected, strict=True)
            )
        row(route.name, "get", route.url(admin_kwargs(route, w)), expected)
    print(f"{sum(asked.values())} requests: {dict(asked)}")
    assert wrong == [], "\n" + "\n".join(wrong)
