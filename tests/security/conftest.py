"""One small organisation with everything that must stay out of sight.

Every private thing carries the word SECRET ("Quokka") in its title or name, and the anonymous
author is "Zebedee Hidden" (zebedee.hidden@example.com): a page leaks when either word shows.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from challenges.models import Challenge, FeedEntry, Flow, FlowFeed, FlowItem, Step
from communities.channels.services import channel_connect
from communities.models import Community, Thread
from communities.services import community_create, membership_join, reply_create, thread_create
from expertqa.live.services import (
    live_event_schedule,
    live_message_post,
    live_prompt_add,
    poll_create,
)
from expertqa.services import proposal_create, question_ask, session_schedule
from mentoring.models import AdhocRequest, CheckIn, Enrolment, Goal, Match, Meeting, Programme
from socialearn.insights.access import LND_ADMIN_GROUP
from socialearn.notifications.mail import unsubscribe_token
from tests.factories import TopicFactory, UserFactory

SECRET = "Quokka"
HIDDEN_NAME = "Zebedee"
HIDDEN_EMAIL = "zebedee.hidden"


class World:
    pass


@pytest.fixture
def world(db, celery_eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _build_world()


def _build_world():
    w = World()
    w.topic = TopicFactory(name="Data analysis")
    w.manager = UserFactory(profile__display_name="Maria Manager", email="maria@example.com")
    w.member = UserFactory(profile__display_name="Sam Member", email="sam@example.com")
    w.outsider = UserFactory(profile__display_name="Olly Outsider", email="olly@example.com")
    w.hidden = UserFactory(
        profile__display_name="Zebedee Hidden",
        first_name="Zebedee",
        last_name="Hidden",
        email="zebedee.hidden@example.com",
        username="zebedee.hidden@example.com",
    )
    w.lnd = UserFactory(profile__display_name="Lee Learning", email="lee@example.com")
    w.lnd.groups.add(Group.objects.get_or_create(name=LND_ADMIN_GROUP)[0])

    # A private community, with a thread, a reply, a session, a challenge and a flow.
    w.private = community_create(
        created_by=w.manager,
        name=f"{SECRET} guild",
        purpose=f"{SECRET} purpose",
        topics=[w.topic],
        visibility=Community.Visibility.PRIVATE,
    )
    membership_join(community=w.private, user=w.member)
    w.private_thread = thread_create(
        community=w.private,
        author=w.member,
        kind=Thread.Kind.QUESTION,
        title=f"{SECRET} plans for next year",
        body=f"The {SECRET} budget is confidential.",
        topics=[w.topic],
    )
    w.private_reply = reply_create(
        thread=w.private_thread, author=w.manager, body=f"{SECRET} reply text"
    )
    now = timezone.now()
    w.private_session = session_schedule(
        created_by=w.manager,
        title=f"{SECRET} session",
        topic=w.topic,
        community=w.private,
        experts=[w.manager],
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        description=f"{SECRET} agenda",
        invite=False,
    )
    question_ask(session=w.private_session, author=w.member, body=f"{SECRET} question?")
    w.private_live = live_event_schedule(
        created_by=w.manager,
        community=w.private,
        title=f"{SECRET} live event",
        topic=w.topic,
        hosts=[w.manager],
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        agenda=f"{SECRET} live agenda",
        invite=False,
    )
    w.private_message = live_message_post(
        event=w.private_live, author=w.member, body=f"{SECRET} live message"
    )
    w.private_prompt = live_prompt_add(
        event=w.private_live, by=w.manager, body=f"{SECRET} prompt", release_at=now
    )
    w.private_poll = poll_create(
        session=w.private_live.session,
        by=w.manager,
        kind="single",
        question=f"{SECRET} poll?",
        options=["Yes", "No"],
    )
    w.private_challenge = Challenge.objects.create(
        title=f"{SECRET} challenge",
        description=f"{SECRET} description",
        designer=w.manager,
        community=w.private,
        cadence=Challenge.Cadence.DAILY,
        length_value=30,
        length_unit=Challenge.LengthUnit.DAYS,
        start_date=timezone.localdate() - timedelta(days=1),
        status=Challenge.Status.PUBLISHED,
    )
    w.private_step = Step.objects.create(
        challenge=w.private_challenge,
        position=1,
        title=f"{SECRET} step",
        prompt="Prompt",
        prompt_html="<p>Prompt</p>",
        day_offset=0,
    )
    w.private_flow = Flow.objects.create(
        name=f"{SECRET} flow", community=w.private, curator=w.manager
    )
    w.private_item = FlowItem.objects.create(
        flow=w.private_flow, position=1, title=f"{SECRET} item", body="Body"
    )
    # Curation: a feed the private flow follows and an article waiting for review.
    now = timezone.now()
    w.private_feed = FlowFeed.objects.create(
        flow=w.private_flow,
        url="https://feeds.example.org/quokka.xml",
        created_at=now,
        next_fetch_at=now + timedelta(days=1),
    )
    w.private_entry = FeedEntry.objects.create(
        flow=w.private_flow,
        feed=w.private_feed,
        url="https://articles.example.org/quokka",
        title=f"{SECRET} article",
        created_at=now,
    )
    # A course for the private community: its member is a participant.
    from challenges.courses import services as course_services

    w.private_course = course_services.course_create(
        created_by=w.manager,
        host_community=w.private,
        title=f"{SECRET} course",
        description=f"{SECRET} course description",
        starts_on=timezone.localdate() - timedelta(days=1),
        ends_on=timezone.localdate() + timedelta(days=1),
        location="Room 1",
    )
    course_services.course_enrol(course=w.private_course, user=w.member)
    w.course_item = course_services.course_reading_add(
        course=w.private_course, added_by=w.manager, kind="tip", title=f"{SECRET} reading"
    )
    w.course_prompt = course_services.prompt_add(
        course=w.private_course, added_by=w.manager, title=f"{SECRET} prompt"
    )

    # A public community allowing anonymous posts.
    w.public = community_create(
        created_by=w.manager,
        name="Open forum",
        purpose="Anyone",
        topics=[w.topic],
        anonymity=Community.Anonymity.ON,
    )
    for person in (w.member, w.hidden):
        membership_join(community=w.public, user=person)
    w.public_thread = thread_create(
        community=w.public,
        author=w.member,
        kind=Thread.Kind.QUESTION,
        title="How do you review dashboards?",
        body="Asking for the team.",
        topics=[w.topic],
    )
    w.anon_thread = thread_create(
        community=w.public,
        author=w.hidden,
        kind=Thread.Kind.TIP,
        title="Anonymous tip about burnout",
        body="Say no to meetings. Ask @sam about it. burnout",
        topics=[w.topic],
        is_anonymous=True,
    )
    w.anon_reply = reply_create(
        thread=w.public_thread,
        author=w.hidden,
        body="An anonymous answer about burnout, @sam.",
        is_anonymous=True,
    )

    # A draft challenge in the public community, with its designer.
    w.draft_challenge = Challenge.objects.create(
        title="Unfinished draft challenge",
        description="Draft",
        designer=w.manager,
        community=w.public,
        cadence=Challenge.Cadence.DAILY,
        length_value=30,
        length_unit=Challenge.LengthUnit.DAYS,
        start_date=timezone.localdate() + timedelta(days=5),
        status=Challenge.Status.DRAFT,
    )

    # Guides' spotlights pinned in threads: one in the private community, one on the
    # anonymous answer (its thread shows it pinned, as anonymous).
    from challenges.courses.models import GuidePrompt

    w.private_spotlight = GuidePrompt.objects.create(
        kind="spotlight",
        sent_by=w.manager,
        challenge=w.private_challenge,
        reply=w.private_reply,
        spotlight_thread=w.private_thread,
        text=f"{SECRET} spotlight note",
        sent_at=now,
    )
    w.anon_spotlight = GuidePrompt.objects.create(
        kind="spotlight",
        sent_by=w.manager,
        challenge=w.draft_challenge,
        reply=w.anon_reply,
        spotlight_thread=w.public_thread,
        text="Worth reading.",
        sent_at=now,
    )

    # An unrecorded mentoring programme with a match and a meeting.
    today = timezone.localdate()
    w.programme = Programme.objects.create(
        name="Quiet mentoring",
        goals="Talk",
        commitment="An hour a month",
        enrolment_opens_on=today - timedelta(days=10),
        enrolment_closes_on=today + timedelta(days=10),
        offline_unrecorded=True,
        created_by=w.lnd,
    )
    w.programme.coordinators.add(w.lnd)
    mentor = Enrolment.objects.create(programme=w.programme, user=w.manager, role="mentor")
    protege = Enrolment.objects.create(programme=w.programme, user=w.member, role="protege")
    w.match = Match.objects.create(
        programme=w.programme,
        mentor=mentor,
        protege=protege,
        status=Match.Status.ACTIVE,
        started_at=timezone.now(),
        reasons=["shares Data analysis"],
    )
    w.goal = Goal.objects.create(match=w.match, target_on=today + timedelta(days=30))
    w.checkin = CheckIn.objects.create(
        match=w.match, user=w.member, side="protege", stage="midpoint"
    )
    w.adhoc = AdhocRequest.objects.create(
        user=w.member, topic=TopicFactory(name="Negotiation"), message="Private worry about pay"
    )
    w.Meeting = Meeting
    w.private_channel = channel_connect(
        community=w.private,
        created_by=w.manager,
        provider="slack",
        name="#guild",
        url="https://hooks.slack.com/services/T0/B0/guildsecret",
    )
    w.unsubscribe = SimpleNamespace(token=unsubscribe_token(user_id=w.member.pk, kind="mention"))
    # A public learning network with a talk the member proposed.
    w.network = community_create(
        created_by=w.manager,
        name="Talks network",
        purpose="Colleagues talk",
        kind=Community.Kind.NETWORK,
        topics=[w.topic],
    )
    w.proposal = proposal_create(
        community=w.network,
        proposer=w.member,
        title="A talk",
        abstract="About things.",
        topic=w.topic,
    )
    return w


def leaks(response) -> list[str]:
    text = response.content.decode("utf-8", "replace")
    return [word for word in (SECRET, HIDDEN_NAME, HIDDEN_EMAIL) if word in text]
