"""Demo sessions: a past one with its record, one live now, a few upcoming, a series; live
events: an upcoming all-hands, a finished town hall kept as its community thread, and a live
chat running now with its numbered prompts.

Idempotent: each session is keyed by its title (the live one by today's date too, so a demo
seeded on another day still has a session open), and a run skips what already exists.
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from communities.models import Community, Membership
from communities.services import community_create, membership_join
from socialearn.people.models import Topic

from . import services
from .live import services as live_services
from .models import LiveEvent, Poll, Question, Series, Session, TalkProposal

User = get_user_model()
DEMO_DOMAIN = "socialearn.local"

QUESTIONS = [
    "How do you decide what to measure first when a team has no metrics at all?",
    "What is the one habit that made the biggest difference in your first year?",
    "Which tools do you actually use day to day, and which did you drop?",
    "How do we get buy-in from stakeholders who are sceptical of the change?",
    "Where can a beginner practise this safely without breaking anything?",
    "What would you do differently if you started the project again today?",
    "How do you keep the quality up when the deadline moves closer?",
    "Is there a reading list or course you would recommend to the team?",
    "How do other departments handle this? Can we borrow their approach?",
    "What is a common mistake you see people make in their first month?",
]
ANSWERS = [
    "Start with one question the team really cares about and measure only that for a month.",
    "Writing down what I learned every Friday, even three lines. It compounds.",
    "A notebook, the shared dashboard and a good search. Most of the rest went.",
    "Show a small win first: a pilot with one friendly team makes the case for you.",
    "We keep a sandbox for exactly that; ask in the community for access.",
]


def _people(community: Community, limit: int) -> list:
    members = list(
        User.objects.filter(
            memberships__community=community, memberships__status=Membership.Status.ACTIVE
        )
        .select_related("profile")
        .order_by("id")[:limit]
    )
    if len(members) < limit:
        others = User.objects.filter(is_active=True).exclude(pk__in=[m.pk for m in members])
        # The demo organisation's people first, then anyone.
        for extra in (others.filter(email__endswith=f"@{DEMO_DOMAIN}"), others):
            members += [u for u in extra.order_by("id")[:limit] if u not in members][
                : limit - len(members)
            ]
    return members


def _communities(stdout) -> list[Community]:
    found = list(
        Community.objects.filter(
            status=Community.Status.ACTIVE, visibility=Community.Visibility.PUBLIC
        ).order_by("id")[:3]
    )
    if found:
        return found
    owner = User.objects.filter(email=f"ld-admin@{DEMO_DOMAIN}").first() or (
        User.objects.filter(is_active=True).order_by("id").first()
    )
    topic = Topic.objects.order_by("name").first() or Topic.objects.create(name="Data analysis")
    stdout.write("expertqa: no community to host sessions in; creating one")
    return [
        community_create(
            created_by=owner,
            name="Ask the experts",
            purpose="Timed sessions where experts answer the questions that matter to us.",
            anonymity=Community.Anonymity.ON,
            topics=[topic],
        )
    ]


def _community_for(name: str, fallback: Community) -> Community:
    """The demo community on the session's subject when it is there and public, else the
    fallback (an organisation seeded without the communities demo)."""
    return (
        Community.objects.filter(
            name=name, status=Community.Status.ACTIVE, visibility=Community.Visibility.PUBLIC
        ).first()
        or fallback
    )


def _experts_for(community: Community, default: list) -> list:
    """Three of the community's members to answer, or the default experts."""
    found = list(
        User.objects.filter(
            memberships__community=community,
            memberships__status=Membership.Status.ACTIVE,
            is_active=True,
        ).order_by("id")[:3]
    )
    return found if len(found) == 3 else default


def _topic_for(community: Community) -> Topic:
    return community.topics.order_by("name").first() or Topic.objects.order_by("name").first()


def _session(
    *,
    title: str,
    community: Community,
    experts: list,
    starts_at: datetime,
    minutes: int = 60,
    kind: str = Session.Kind.ASK,
    series: Series | None = None,
    description: str = "",
) -> tuple[Session, bool]:
    existing = Session.objects.filter(title=title, community=community).first()
    if existing is not None:
        return existing, False
    session = services.session_schedule(
        created_by=experts[0],
        title=title,
        topic=_topic_for(community),
        community=community,
        experts=experts,
        moderator=experts[-1],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        description=description,
        kind=kind,
        series=series,
        invite=False,
    )
    return session, True


def _ask(session: Session, askers: list, rng: random.Random, n: int, at: datetime) -> list:
    allow_anonymous = session.community.anonymity != Community.Anonymity.OFF
    questions = []
    for i in range(n):
        questions.append(
            services.question_ask(
                session=session,
                author=askers[i % len(askers)],
                body=QUESTIONS[i % len(QUESTIONS)],
                is_anonymous=allow_anonymous and i % 4 == 3,
                now=at + timedelta(minutes=i * 3),
            )
        )
    for question in questions:
        for voter in rng.sample(askers, k=rng.randint(0, min(6, len(askers)))):
            services.vote_toggle(question=question, user=voter, now=question.created_at)
    return questions


def _friday_noon(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    friday = local + timedelta(days=(4 - local.weekday()) % 7)
    return friday.replace(hour=12, minute=0, second=0, microsecond=0)


@transaction.atomic
def seed_demo(*, scale: int, stdout) -> None:
    rng = random.Random(4)
    now = timezone.now().replace(second=0, microsecond=0)
    communities = _communities(stdout)
    home = communities[0]
    people = _people(home, 14)
    demo_user = User.objects.filter(email=f"demo@{DEMO_DOMAIN}").first()
    if demo_user is not None:
        membership_join(community=home, user=demo_user)
    if len(people) < 4:
        stdout.write("expertqa: too few people for demo sessions; run the people demo first")
        return
    experts, askers = people[:3], people[3:]
    if demo_user is not None and demo_user not in askers:
        askers.append(demo_user)
    created = 0

    # A past session, its record: answered in the window, deferred (on time and overdue), owed.
    past, new = _session(
        title="Ask the analytics team: measuring what matters",
        community=home,
        experts=experts[:2],
        starts_at=now - timedelta(days=6, hours=2),
        description="Bring your questions about metrics, dashboards and experiments.",
    )
    if new:
        created += 1
        questions = _ask(past, askers, rng, 7, past.starts_at - timedelta(hours=3))
        during = past.starts_at + timedelta(minutes=10)
        for i, question in enumerate(questions[:4]):
            services.answer_create(
                question=question,
                author=experts[i % 2],
                body=ANSWERS[i % len(ANSWERS)],
                now=during + timedelta(minutes=i * 7),
            )
        services.question_defer(
            question=questions[4],
            by=experts[0],
            to=(past.ends_at + timedelta(days=2)).date(),
            note="I want to check the numbers with finance first.",
            now=past.ends_at - timedelta(minutes=5),
        )
        services.answer_create(
            question=questions[4],
            author=experts[0],
            body="Finance confirmed: we report it monthly from next quarter.",
            now=past.ends_at + timedelta(days=1),
        )
        services.question_defer(
            question=questions[5],
            by=experts[1],
            to=(past.ends_at + timedelta(days=3)).date(),
            note="Needs a look at last year's survey.",
            now=past.ends_at - timedelta(minutes=2),
        )

    # A finished session that kept every promise, for a second record on the list.
    people_team = _community_for("Ask HR anything", communities[-1])
    hr_experts = _experts_for(people_team, experts)
    kept, new = _session(
        title="Office hours: onboarding your first team",
        community=people_team,
        experts=hr_experts[1:3],
        starts_at=now - timedelta(days=13),
        kind=Session.Kind.ASK,
    )
    if new:
        created += 1
        for i, question in enumerate(_ask(kept, askers, rng, 4, kept.starts_at)):
            services.answer_create(
                question=question,
                author=hr_experts[1 + i % 2],
                body=ANSWERS[(i + 2) % len(ANSWERS)],
                now=kept.starts_at + timedelta(minutes=20 + i),
            )

    # One live now.
    platform = _community_for("Cloud and platform", home)
    platform_experts = _experts_for(platform, experts)
    live, new = _session(
        title=f"Live: ask the platform engineers ({now:%-d %b})",
        community=platform,
        experts=platform_experts,
        starts_at=now - timedelta(minutes=20),
        description="The platform team answers live for an hour. Upvote what matters to you.",
    )
    if new:
        created += 1
        questions = _ask(live, askers, rng, 6, live.starts_at - timedelta(minutes=30))
        services.answer_create(
            question=questions[0],
            author=platform_experts[0],
            body=ANSWERS[0],
            now=live.starts_at + timedelta(minutes=5),
        )

    # A lunch-and-learn series, one session past and two ahead.
    series = Series.objects.filter(title="Lunch & learn: Data Fridays").first()
    if series is None:
        series = services.series_create(
            title="Lunch & learn: Data Fridays",
            community=home,
            topic=_topic_for(home),
            description="Thirty minutes over lunch, every other Friday: one idea, your questions.",
        )
    for weeks, title in (
        (-2, "Cleaning messy spreadsheets"),
        (1, "Charts people read"),
        (3, "A/B tests without tears"),
    ):
        session, new = _session(
            title=f"Data Fridays: {title}",
            community=home,
            experts=[experts[weeks % len(experts)]],
            starts_at=_friday_noon(now + timedelta(weeks=weeks)),
            minutes=45,
            kind=Session.Kind.LUNCH,
            series=series,
        )
        if new:
            created += 1
            if weeks < 0:
                for question in _ask(session, askers, rng, 3, session.starts_at):
                    services.answer_create(
                        question=question,
                        author=session.experts.first(),
                        body=ANSWERS[question.pk % len(ANSWERS)],
                        now=session.starts_at + timedelta(minutes=15),
                    )

    # The series' community is a learning network: colleagues propose talks for it.
    if home.kind != Community.Kind.NETWORK:
        Community.objects.filter(pk=home.pk).update(kind=Community.Kind.NETWORK)
        home.kind = Community.Kind.NETWORK
    for n, (title, slot) in enumerate(
        (
            ("What our support tickets say about onboarding", "A Friday lunchtime next month"),
            ("Python notebooks my team actually reuses", "Any Friday after the holidays"),
        )
    ):
        if not TalkProposal.objects.filter(community=home, title=title).exists():
            services.proposal_create(
                community=home,
                proposer=askers[n % len(askers)],
                title=title,
                abstract="Twenty minutes of what worked, what did not, and your questions.",
                topic=_topic_for(home),
                preferred_slot=slot,
                duration_minutes=30,
            )

    # A few upcoming, one with questions asked ahead.
    for days, title, kind, subject in (
        (1, "Ask the security team anything", Session.Kind.ASK, "Security champions"),
        (9, "Ask a hiring manager: interviews that work", Session.Kind.ASK, "Ask HR anything"),
    ):
        community = _community_for(subject, communities[days % len(communities)])
        session, new = _session(
            title=title,
            community=community,
            experts=[_experts_for(community, experts)[days % len(experts)]],
            starts_at=(now + timedelta(days=days)).replace(hour=15, minute=0),
            kind=kind,
        )
        if new:
            created += 1
            if days == 1:
                _ask(session, askers, rng, 3, now - timedelta(hours=2))
    created += _live_demo(
        now=now,
        town_hall=home,
        all_hands=_community_for("Ask HR anything", communities[-1]),
        chat=_community_for("Cloud and platform", home),
        experts=experts,
        audience=askers,
    )
    stdout.write(
        f"expertqa: {created} sessions created; "
        f"{Session.objects.count()} sessions, {Question.objects.count()} questions in all"
    )
    from .bulk_demo import seed_bulk

    seed_bulk(scale=scale, stdout=stdout)
    # The demo's sessions under way began before anyone could be reminded of them: without
    # this the clock's first run sends "Starting at 08:22" to every invitee at 08:43.
    Session.objects.filter(reminded_at__isnull=True, starts_at__lte=timezone.now()).update(
        reminded_at=F("starts_at")
    )


# --- live events ---------------------------------------------------------------------------------

TOWN_HALL_MESSAGES = [
    "Good morning from the Lisbon office!",
    "The slide on customer retention is the one I will share with my team.",
    "Will the recording be posted in the community afterwards?",
    "+1 to the question about hiring plans for next year.",
    "Loving the short demos instead of long slides.",
    "Is the new travel policy already in effect?",
    "Thanks all, that was clear and honest.",
]
CHAT_PROMPTS = [
    "What helped you most in your first week here?",
    "Which tool or habit would you tell a new joiner to learn first?",
    "What is one thing we could change in onboarding tomorrow?",
]
CHAT_ANSWERS = [
    "A buddy who answered the silly questions without judging.",
    "The team wiki's 'start here' page, once someone pointed me to it.",
    "Shadowing a release on day three: it showed me how everything fits.",
    "Pairing on a real ticket instead of reading docs for a week.",
]


def _live_event(*, title: str, community: Community, hosts: list, **fields) -> LiveEvent | None:
    """The event of that title in that community, scheduled unless it is there already."""
    if Session.objects.filter(title=title, community=community).exists():
        return None
    return live_services.live_event_schedule(
        created_by=hosts[0],
        community=community,
        title=title,
        topic=_topic_for(community),
        hosts=hosts,
        invite=False,
        **fields,
    )


def _live_demo(
    *,
    now: datetime,
    town_hall: Community,
    all_hands: Community,
    chat: Community,
    experts: list,
    audience: list,
) -> int:
    created = 0
    # Upcoming: an all-hands with its agenda, a moderator and slow mode for a big audience.
    all_hands_hosts = _experts_for(all_hands, experts)
    start = (now + timedelta(days=4)).replace(hour=15, minute=0)
    if _live_event(
        title="All-hands: the year ahead",
        community=all_hands,
        hosts=all_hands_hosts[:2],
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        agenda=(
            "1. Where we are (15 min)\n2. The three bets for next year (30 min)\n"
            "3. Your questions, most upvoted first (45 min)"
        ),
        moderators=all_hands_hosts[2:3],
        slow_mode_seconds=30,
    ):
        created += 1

    # Finished: a town hall whose backchannel, questions and poll are kept as a thread.
    hosts = experts[:2]
    start = (now - timedelta(days=9)).replace(hour=10, minute=0)
    event = _live_event(
        title="Town hall: Q3 results and what comes next",
        community=town_hall,
        hosts=hosts,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        agenda="Results of the quarter, the plan for the next one, and your questions.",
    )
    if event is not None:
        created += 1
        _town_hall_happened(event, hosts=hosts, audience=audience, start=start)

    # Live now: a chat with three numbered prompts, the first two released.
    chat_hosts = _experts_for(chat, experts)[:1]
    start = now - timedelta(minutes=20)
    event = _live_event(
        title=f"Live chat: onboarding that works ({now:%-d %b})",
        community=chat,
        hosts=chat_hosts,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        format=LiveEvent.Format.CHAT,
        agenda="Three prompts, fifteen minutes apart. Answer under each with what you know.",
    )
    if event is not None:
        created += 1
        prompts = [
            live_services.live_prompt_add(
                event=event,
                by=chat_hosts[0],
                body=body,
                release_at=start + timedelta(minutes=1 + 15 * i),
            )
            for i, body in enumerate(CHAT_PROMPTS)
        ]
        live_services.release_due_prompts(now=now)
        for prompt in prompts:
            prompt.refresh_from_db()
        released = [p for p in prompts if p.released_at is not None]
        for i, person in enumerate(audience[:8]):
            prompt = released[i % len(released)]
            live_services.live_message_post(
                event=event,
                author=person,
                body=CHAT_ANSWERS[i % len(CHAT_ANSWERS)],
                prompt=prompt,
                now=prompt.release_at + timedelta(minutes=1 + i // 2),
            )
    return created


def _town_hall_happened(event: LiveEvent, *, hosts: list, audience: list, start: datetime) -> None:
    session = event.session
    first = None
    for i, person in enumerate(audience[:7]):
        message = live_services.live_message_post(
            event=event,
            author=person,
            body=TOWN_HALL_MESSAGES[i],
            parent=first if i == 3 else None,
            now=start + timedelta(minutes=2 + 6 * i),
        )
        first = first or message
    asked = [
        services.question_ask(
            session=session,
            author=audience[i % len(audience)],
            body=body,
            is_anonymous=i == 1 and session.community.anonymity != Community.Anonymity.OFF,
            now=start + timedelta(minutes=5 + 10 * i),
        )
        for i, body in enumerate(
            [
                "Are we hiring in engineering next year, and where?",
                "How will the new bonus scheme treat part-time colleagues?",
                "Which of the three bets needs help from other teams first?",
            ]
        )
    ]
    for i, question in enumerate(asked):
        services.answer_create(
            question=question,
            author=hosts[i % len(hosts)],
            body=ANSWERS[i % len(ANSWERS)],
            now=question.created_at + timedelta(minutes=4),
        )
    poll = live_services.poll_create(
        session=session,
        by=hosts[0],
        kind=Poll.Kind.SINGLE,
        question="How clear is the plan for next quarter?",
        options=["Very clear", "Mostly clear", "Not clear yet"],
    )
    live_services.poll_set_state(poll=poll, by=hosts[0], action="open")
    options = list(poll.options.order_by("position").values_list("pk", flat=True))
    for i, person in enumerate(audience[:9]):
        live_services.poll_vote(poll=poll, user=person, option_ids=[options[min(i % 4, 2)]])
    live_services.poll_set_state(poll=poll, by=hosts[0], action="close")
    live_services.poll_set_state(poll=poll, by=hosts[0], action="reveal")
    live_services.live_event_close(event=event, by=hosts[0], now=session.ends_at)
