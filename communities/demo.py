"""Demo communities for `manage.py seed_demo`: idempotent (a community that exists is left as
it is), built through the services so counts, revisions, activity and notifications are real."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from socialearn.insights.models import Activity
from socialearn.people.models import Profile, Topic

from . import services
from .models import Community, ModerationWord, Reply, Thread, TipRevision

User = get_user_model()

# From this many people on, the organisation also gets the conversations of a large one
# (bulk_demo.py: a community everyone is in, 50,000 threads and 500,000 replies at 100,000).
BULK_SCALE = 10_000

# name, kind, visibility, anonymity, topics, purpose
COMMUNITIES = [
    (
        "Data analysts guild",
        "practice",
        "public",
        "off",
        ["Data analysis", "Python"],
        "Analysts across the company sharing queries, dashboards and hard-won tricks.",
    ),
    (
        "Cloud and platform",
        "practice",
        "public",
        "off",
        ["Cloud architecture", "Kubernetes"],
        "Running our services well: platform patterns, incidents and what we learnt.",
    ),
    (
        "Accessible by default",
        "network",
        "public",
        "off",
        ["Accessibility", "User research"],
        "Making every product usable by everyone, from design to code to documents.",
    ),
    (
        "New managers circle",
        "practice",
        "private",
        "review",
        ["Leadership", "Giving feedback"],
        "A safe room for people new to managing others: ask anything, anonymously if you like.",
    ),
    (
        "Ask HR anything",
        "network",
        "public",
        "on",
        ["Leadership"],
        "Questions about policies, pay and growth, answered by the people team.",
    ),
    (
        "Sales craft",
        "practice",
        "public",
        "off",
        ["Public speaking", "Giving feedback"],
        "Discovery calls, demos and negotiation: what works with our customers.",
    ),
    (
        "Product discovery lab",
        "practice",
        "public",
        "off",
        ["Product discovery", "User research"],
        "Learning what to build before we build it.",
    ),
    (
        "Security champions",
        "network",
        "public",
        "off",
        ["Security awareness"],
        "One champion per team, spreading good security habits.",
    ),
    (
        "Platform team space",
        "team",
        "public",
        "off",
        ["Kubernetes"],
        "Day-to-day notes of the platform team, open to everyone who wants to follow.",
    ),
    (
        "Machine learning reading group",
        "cohort",
        "public",
        "off",
        ["Machine learning"],
        "A cohort working through one paper a week together.",
    ),
]

THREADS = [
    (
        "question",
        "How do you version your SQL queries?",
        "We keep copying queries between notebooks. How do your teams keep them in one place?",
    ),
    (
        "help",
        "Need a second pair of eyes on a dashboard before Friday",
        "Our quarterly dashboard double counts returns. Anyone who knows window functions?",
    ),
    (
        "tip",
        "Three keyboard shortcuts that save me an hour a week",
        "1. `Ctrl+Shift+L` filters a range.\n2. `Alt+=` sums a column.\n3. `F4` repeats.",
    ),
    (
        "resource",
        "A gentle introduction we all liked",
        "Short, practical and free. Chapters 2 and 5 are the best.",
    ),
    (
        "discussion",
        "What did you learn this month?",
        "Share one thing you learnt at work this month, however small.",
    ),
    (
        "question",
        "Which course helped you most when you started?",
        "Looking for recommendations for a newcomer on my team.",
    ),
]

REPLIES = [
    "We keep them in a shared repository with a short README per folder.",
    "Happy to help: send me the link and I will have a look this afternoon.",
    "Thank you, this is exactly what I needed.",
    "We tried that last year; the trick is to agree on naming first.",
    "+1, and pair with someone from another team the first time.",
    "I wrote a short guide on this, I will add it as a resource.",
]


def _people(limit: int) -> list:
    ids = list(
        Profile.objects.filter(user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)[:limit]
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("profile")}
    return [users[i] for i in ids if i in users]


def _spread_over_past_weeks(*, rng, thread: Thread, replies: list) -> None:
    """Posts made by the seed all carry the same second: move the thread into the last five
    weeks and its replies into the hours after it, activity rows included, so pages, charts
    and answer times look like a lived-in organisation."""
    start = timezone.now() - timedelta(days=rng.randint(1, 34), hours=rng.randint(0, 8))
    when = start
    reply_times = {}
    for reply in replies:
        when += timedelta(minutes=rng.randint(15, 600))
        reply_times[reply.pk] = when
        Reply.objects.filter(pk=reply.pk).update(created_at=when)
        Activity.objects.filter(object_type="reply", object_id=reply.pk).update(occurred_at=when)
    later = when + timedelta(minutes=30)
    Activity.objects.filter(thread_id=thread.pk).exclude(
        object_type="reply", object_id__in=list(reply_times)
    ).exclude(verb__in=["posted", "help_requested"]).update(occurred_at=later)
    Activity.objects.filter(thread_id=thread.pk, verb__in=["posted", "help_requested"]).update(
        occurred_at=start
    )
    TipRevision.objects.filter(thread=thread, number=1).update(created_at=start)
    TipRevision.objects.filter(thread=thread, number__gt=1).update(created_at=later)
    Thread.objects.filter(pk=thread.pk).update(
        created_at=start,
        last_activity_at=when,
        help_sent_at=start if thread.help_sent_at else None,
    )
    Thread.objects.filter(pk=thread.pk, edited_at__isnull=False).update(edited_at=later)


def seed_demo(*, scale: int, stdout) -> None:
    people = _people(max(20, min(scale, 400)))
    if len(people) < 6:
        stdout.write("communities: not enough people to seed communities; skipped")
        return
    rng = random.Random(7)
    ModerationWord.objects.get_or_create(word="idiot")
    demo_user = User.objects.filter(email="demo@socialearn.local").first()
    topics = {t.name: t for t in Topic.objects.all()}
    created = 0
    for index, (name, kind, visibility, anonymity, topic_names, purpose) in enumerate(COMMUNITIES):
        if Community.objects.filter(name=name).exists():
            continue
        with transaction.atomic():
            _seed_one(
                rng=rng,
                people=people,
                demo_user=demo_user if index % 3 == 0 else None,
                name=name,
                kind=kind,
                visibility=visibility,
                anonymity=anonymity,
                topics=[topics[t] for t in topic_names if t in topics],
                purpose=purpose,
                per_community=max(8, min(60, scale // 5)),
            )
        created += 1
    stdout.write(f"communities: {created} new of {len(COMMUNITIES)}")
    if scale >= BULK_SCALE:
        from .bulk_demo import seed_bulk

        seed_bulk(scale=scale, stdout=stdout)


def _seed_one(
    *, rng, people, demo_user, name, kind, visibility, anonymity, topics, purpose, per_community
):
    manager = rng.choice(people)
    community = services.community_create(
        created_by=manager,
        name=name,
        purpose=purpose,
        kind=kind,
        visibility=visibility,
        anonymity=anonymity,
        topics=topics,
        rules="Be kind, assume good intent, and share what you learn.",
    )
    members = rng.sample(people, k=min(len(people), per_community))
    if demo_user is not None:
        members.append(demo_user)
    for person in members:
        services.membership_join(community=community, user=person)
    members = [m for m in members if m != manager] or [manager]
    for kind_, title, body in THREADS:
        author = rng.choice(members)
        thread = services.thread_create(
            community=community,
            author=author,
            kind=kind_,
            title=title,
            body=body,
            url="https://www.example.com/guide" if kind_ == "resource" else "",
            is_anonymous=anonymity != "off" and kind_ == "question",
        )
        if thread.status != Thread.Status.PUBLISHED:
            services.moderation_act(
                actor=manager, action="approve", thread=thread, reason="Welcome"
            )
            thread.refresh_from_db()
        replies = []
        for text in rng.sample(REPLIES, k=rng.randint(2, 4)):
            responder = rng.choice([m for m in members if m != author] or members)
            replies.append(services.reply_create(thread=thread, author=responder, body=text))
        if kind_ in ("question", "help") and replies:
            services.answer_accept(thread=thread, reply=replies[0], accepted_by=manager)
        if kind_ == "tip":
            editor = rng.choice(members)
            services.thread_edit(
                thread=thread,
                editor=editor,
                title=title,
                body=body + "\n4. `Ctrl+;` inserts today's date.",
                note="Added a fourth shortcut",
            )
        for person in rng.sample(members, k=min(len(members), 4)):
            services.reaction_toggle(
                user=person, kind=rng.choice(["thumbs_up", "idea", "thanks"]), thread=thread
            )
        _spread_over_past_weeks(rng=rng, thread=thread, replies=replies)
    # One held post so the moderation queue has something to show.
    services.reply_create(
        thread=thread, author=rng.choice(members), body="Only an idiot would do it that way."
    )
