"""Demo communities for `manage.py seed_demo`: idempotent (a community that exists is left as
it is), built through the services so counts, revisions, activity and notifications are real.

Each community talks about its own subject (demo_threads.py), and like a real one it has a
long tail: most members only read, a few regulars write most of the posts."""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from socialearn.insights.models import Activity
from socialearn.people.models import Profile, Topic

from . import services
from .demo_threads import CONVERSATIONS, HELD_REPLY
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
        ["Wellbeing at work", "Leadership"],
        "Questions about policies, pay and growth, answered by the people team.",
    ),
    (
        "Sales craft",
        "practice",
        "public",
        "off",
        ["Consultative selling", "Negotiation"],
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
        ["Kubernetes", "Cloud architecture"],
        "Day-to-day notes of the platform team, open to everyone who wants to follow.",
    ),
    (
        "Machine learning reading group",
        "cohort",
        "public",
        "off",
        ["Machine learning", "Python"],
        "A cohort working through one paper a week together.",
    ),
]

# The demo login (a product designer) belongs where a product designer would.
DEMO_USER_COMMUNITIES = {
    "Data analysts guild",
    "Accessible by default",
    "Ask HR anything",
    "Product discovery lab",
}
REACTIONS = ["thumbs_up", "idea", "thanks"]


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
    voices = {p.pk for p in rng.sample(people, k=max(6, len(people) // 6))}
    created = 0
    for index, (name, kind, visibility, anonymity, topic_names, purpose) in enumerate(COMMUNITIES):
        if Community.objects.filter(name=name).exists():
            continue
        with transaction.atomic():
            _seed_one(
                rng=rng,
                people=people,
                demo_user=demo_user if name in DEMO_USER_COMMUNITIES else None,
                name=name,
                kind=kind,
                visibility=visibility,
                anonymity=anonymity,
                topics=[topics[t] for t in topic_names if t in topics],
                purpose=purpose,
                per_community=max(8, min(60, scale // 5)),
                held_reply=index % 2 == 0,
                voices=voices,
            )
        created += 1
    stdout.write(f"communities: {created} new of {len(COMMUNITIES)}")
    if scale >= BULK_SCALE:
        from .bulk_demo import seed_bulk

        seed_bulk(scale=scale, stdout=stdout)


def _regulars(rng, members: list, voices: set) -> list:
    """A community's few regular writers, the most active first. They come from the
    organisation's voices, the same few people who write wherever they are (one person in
    six); everyone else reads."""
    regulars = [m for m in members if m.pk in voices]
    rng.shuffle(regulars)
    return regulars[: max(3, len(members) // 8)] or members[:3]


def _pick(rng, regulars: list, *, avoid=None):
    """A regular, the first ones more often (weights 1, 1/√2, 1/√3...)."""
    choices = [r for r in regulars if r != avoid] or regulars
    return rng.choices(choices, weights=[(i + 1) ** -0.5 for i in range(len(choices))])[0]


def _seed_one(
    *,
    rng,
    people,
    demo_user,
    name,
    kind,
    visibility,
    anonymity,
    topics,
    purpose,
    per_community,
    held_reply,
    voices,
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
    # The voices join more communities than the rest: a third of a community are voices.
    voice_list = [p for p in people if p.pk in voices and p != manager]
    members = rng.sample(voice_list, k=min(len(voice_list), per_community // 3))
    others = [p for p in people if p not in members and p != manager]
    members += rng.sample(others, k=min(len(others), per_community - len(members)))
    if demo_user is not None:
        members.append(demo_user)
    for person in members:
        services.membership_join(community=community, user=person)
    members = [m for m in members if m != demo_user] or [manager]
    writers = [manager, *_regulars(rng, members, voices)]
    # A reader now and then reacts without ever writing.
    readers = [m for m in members if m not in writers]
    reactors = writers + rng.sample(readers, k=min(len(readers), len(members) // 12))
    thread = None
    for kind_, title, body, replies_text, extra in CONVERSATIONS[name]:
        author = _pick(rng, writers[1:] or writers)
        thread = services.thread_create(
            community=community,
            author=author,
            kind=kind_,
            title=title,
            body=body,
            url=extra if kind_ == "resource" else "",
            is_anonymous=anonymity != "off" and kind_ == "question",
        )
        if thread.status != Thread.Status.PUBLISHED:
            services.moderation_act(
                actor=manager, action="approve", thread=thread, reason="Welcome"
            )
            thread.refresh_from_db()
        replies = []
        for text in replies_text:
            responder = _pick(rng, writers, avoid=author)
            replies.append(services.reply_create(thread=thread, author=responder, body=text))
        if kind_ in ("question", "help") and replies:
            services.answer_accept(thread=thread, reply=replies[0], accepted_by=author)
        if kind_ == "tip" and extra:
            addition, note = extra
            services.thread_edit(
                thread=thread,
                editor=_pick(rng, writers, avoid=author),
                title=title,
                body=body + addition,
                note=note,
            )
        for person in rng.sample(reactors, k=min(len(reactors), rng.randint(1, 5))):
            services.reaction_toggle(user=person, kind=rng.choice(REACTIONS), thread=thread)
        _spread_over_past_weeks(rng=rng, thread=thread, replies=replies)
    if held_reply and thread is not None:
        # A post the word list holds, so the moderation queue has something to show.
        services.reply_create(thread=thread, author=rng.choice(members), body=HELD_REPLY)
