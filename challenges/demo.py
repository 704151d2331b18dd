"""Demo data: a running 30-day challenge with people part-way through it, and a flow.

Idempotent: everything is keyed by title, so a second run adds nothing.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.utils import timezone

from communities.models import Community, Membership, Thread
from communities.services import community_create, reply_create
from socialearn.insights.models import Activity
from socialearn.people.models import Topic
from socialearn.people.permissions import LD_ADMIN

from . import classics, services
from .models import Challenge, Completion, Flow, FlowItem, Step

User = get_user_model()

CHALLENGE_TITLE = "30 days of better feedback"
FLOW_NAME = "Feedback tips, weekdays at 09:00"
ANSWERS = [
    "I asked my team what one thing I should keep doing. Surprising answers!",
    "Tried it in our retro: we agreed on one concrete change.",
    "Wrote down three specific things I noticed this week before my one-to-one.",
    "Found a short article on situation-behaviour-impact; shared it in the thread.",
    "Asked a colleague from another department for feedback on my slides.",
]
TIPS = [
    ("tip", "Be specific", "Name the behaviour and its effect, not the person.", ""),
    ("question", "When did feedback last change your mind?", "Share one story.", ""),
    ("resource", "The SBI model in five minutes", "A short read.", "https://example.org/sbi"),
    ("tip", "Ask before you give", "“Would some feedback on that be useful?”", ""),
    ("question", "What makes feedback easy to hear?", "", ""),
    ("tip", "Follow up", "A week later, ask how it went.", ""),
]


def _designer():
    return (
        User.objects.filter(email__startswith="ld-admin@").first()
        or User.objects.filter(groups__name=LD_ADMIN).order_by("pk").first()
        or User.objects.order_by("pk").first()
    )


FEEDBACK_COMMUNITY = "Feedback practice"


def _community(designer) -> Community:
    """The challenge and the flow are about feedback: they live in a community of their own."""
    community = Community.objects.filter(name=FEEDBACK_COMMUNITY).first()
    if community is None:
        topics = Topic.objects.filter(name__in=["Giving feedback", "Coaching"])
        community = community_create(
            created_by=designer,
            name=FEEDBACK_COMMUNITY,
            purpose="Practise giving and asking for feedback, ten minutes a day.",
            topics=list(topics),
        )
    return community


def seed_demo(*, scale: int, stdout) -> None:
    designer = _designer()
    if designer is None:
        stdout.write("challenges: no people yet, nothing seeded")
        return
    classics.ensure(Challenge, Step)
    community = _community(designer)
    rng = random.Random(6)  # noqa: S311 - demo data
    challenge = Challenge.objects.filter(title=CHALLENGE_TITLE, community=community).first()
    if challenge is None:
        template = Challenge.objects.get(is_template=True, title="30-day daily challenge")
        challenge = services.challenge_copy(
            source=template,
            designer=designer,
            community=community,
            start_date=timezone.localdate() - timedelta(days=9),
            title=CHALLENGE_TITLE,
        )
        challenge.summary = "Ten minutes a day to give and ask for better feedback."
        challenge.save(update_fields=["summary"])
        services.challenge_publish(challenge=challenge)
        # Post the steps already out, each at its own release time (not late).
        for step in challenge.steps.filter(release_at__lte=timezone.now()).order_by("position"):
            services.post_due(now=step.release_at + timedelta(seconds=30))
        _participants(challenge, community, scale, rng)
    _flow(community, designer)
    stdout.write(
        f"challenges: {challenge.participants.count()} taking part in “{challenge.title}”, "
        f"{Completion.objects.filter(challenge=challenge).count()} steps completed"
    )


def _participants(challenge, community, scale: int, rng) -> None:
    wanted = max(8, min(60, scale // 100))
    members = list(
        User.objects.filter(
            Q(email__startswith="demo@")
            | Q(memberships__community=community, memberships__status=Membership.Status.ACTIVE)
        )
        .filter(is_active=True)
        .distinct()
        .order_by("pk")[:wanted]
    )
    if len(members) < wanted:
        members += list(
            User.objects.filter(is_active=True)
            .exclude(pk__in=[m.pk for m in members])
            .order_by("pk")[: wanted - len(members)]
        )
    posted = list(challenge.steps.filter(posted_at__isnull=False).order_by("position"))
    for user in members:
        participant = services.participant_join(challenge=challenge, user=user)
        joined = timezone.now() - timedelta(days=rng.uniform(9, 16))
        type(participant).objects.filter(pk=participant.pk).update(joined_at=joined)
        keen = 1.0 if user.email.startswith("demo@") else rng.uniform(0.2, 0.95)
        for step in posted[:-1] if user.email.startswith("demo@") else posted:
            if rng.random() > keen:
                continue
            reply = reply_create(thread=step.thread, author=user, body=rng.choice(ANSWERS))
            when = min(step.release_at + timedelta(hours=rng.uniform(0.5, 12)), timezone.now())
            Completion.objects.filter(step=step, user=user).update(completed_at=when)
            type(reply).objects.filter(pk=reply.pk).update(created_at=when)
            Activity.objects.filter(object_type="reply", object_id=reply.pk).update(
                occurred_at=when
            )
    # Each step's thread dates from its release, not from the moment the demo was seeded.
    for step in posted:
        last = step.thread.replies.aggregate(last=Max("created_at"))["last"]
        Thread.objects.filter(pk=step.thread_id).update(
            created_at=step.release_at, last_activity_at=last or step.release_at
        )
        Activity.objects.filter(
            verb="posted", object_type="thread", object_id=step.thread_id
        ).update(occurred_at=step.release_at)


def _flow(community, designer) -> None:
    if Flow.objects.filter(name=FLOW_NAME, community=community).exists():
        return
    flow = services.flow_create(
        community=community, curator=designer, name=FLOW_NAME, weekdays=[1, 2, 3, 4, 5]
    )
    items = [
        services.flow_item_add(flow=flow, kind=kind, title=title, body=body, url=url)
        for kind, title, body, url in TIPS
    ]
    services.flow_item_post_now(item=items[0])
    _curation(flow)
    onboarding = Community.objects.filter(kind=Community.Kind.ONBOARDING).order_by("pk").first()
    if onboarding and not Flow.objects.filter(community=onboarding).exists():
        welcome = services.flow_create(
            community=onboarding,
            curator=designer,
            name="Your first two weeks",
            mode=Flow.Mode.RELATIVE,
        )
        for offset, title in [(1, "Welcome! Say hello"), (3, "Find a buddy"), (10, "Ask us")]:
            services.flow_item_add(
                flow=welcome, kind=FlowItem.Kind.TIP, title=title, day_offset=offset
            )


def _curation(flow) -> None:
    """Two feeds the curator follows (one failing) and articles waiting for review. Written
    directly: the demo reaches no feed server."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import FeedEntry, FlowFeed

    now = timezone.now()
    good = FlowFeed.objects.create(
        flow=flow,
        url="https://blog.example.org/feed.atom",
        title="The Data Team blog",
        created_at=now,
        last_fetched_at=now,
        last_success_at=now,
        next_fetch_at=now + timedelta(minutes=30),
    )
    FlowFeed.objects.create(
        flow=flow,
        url="https://news.example.org/rss",
        created_at=now,
        last_fetched_at=now,
        failures=3,
        last_error="The server answered 503.",
        next_fetch_at=now + timedelta(minutes=20),
    )
    FeedEntry.objects.bulk_create(
        FeedEntry(
            flow=flow,
            feed=good,
            source=good.title,
            url=f"https://blog.example.org/{slug}",
            title=title,
            summary=summary,
            published_at=now - timedelta(days=n),
            created_at=now,
        )
        for n, (slug, title, summary) in enumerate(
            [
                ("joins", "Streaming joins, explained", "Joins without tears, with diagrams."),
                ("lakehouse", "Lakehouse myths", "Five things a lakehouse does not fix."),
                ("plans", "Reading query plans", "Where the time really goes."),
            ]
        )
    )
