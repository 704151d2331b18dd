"""The large organisation's conversations, for `seed_demo --scale N` at bench sizes.

What grows in a real organisation, at its real shape: one community everyone belongs to, a
long tail of smaller ones, N/2 threads and 5·N replies spread by a long tail (a few threads
run to thousands of replies, most have a handful), written by the few who write (most
people only read), with the activity rows insights reads. Each community talks about its
own subject: titles and bodies are drawn from that subject's vocabulary, not copied.

COPY-based, with ids reserved up front so replies and activity can name their thread in the
same pass. Idempotent like the rest of the demo: a community that exists is left as it is,
and each community's content is drawn from its own seeded random generator.
"""

import json
import random
from collections import Counter
from datetime import timedelta
from html import escape

from django.db import connection, transaction
from django.utils import timezone

from socialearn.people.bulk import copy_rows
from socialearn.people.models import Profile, Topic

from .models import Community, Membership, Reply, Thread
from .services.membership import member_counts_recount

BULK_PREFIX = "org-"  # slugs of the bulk communities, apart from the hand-written demo ones
EVERYONE_SLUG = "org-everyone"

# A subject: the topics it belongs to, its nouns, its verbs, what people get stuck on.
SUBJECTS = {
    "data": (
        ["Data analysis", "Python", "Machine learning"],
        [
            "window functions",
            "pivot tables",
            "dashboards",
            "cohort analysis",
            "dbt models",
            "A/B tests",
            "data lineage",
            "query plans",
            "notebooks",
            "sampling bias",
            "feature stores",
            "churn models",
            "forecasts",
            "data contracts",
        ],
        ["version", "review", "speed up", "explain", "test", "document", "validate", "share"],
    ),
    "platform": (
        ["Cloud architecture", "Kubernetes", "Security awareness"],
        [
            "helm charts",
            "autoscaling",
            "cost alerts",
            "service meshes",
            "canary releases",
            "incident reviews",
            "runbooks",
            "secrets rotation",
            "node pools",
            "load balancers",
            "observability",
            "terraform modules",
            "backups",
            "on-call rotas",
        ],
        ["roll out", "monitor", "harden", "migrate", "automate", "debug", "size", "audit"],
    ),
    "product": (
        ["Product discovery", "User research", "Accessibility", "Writing for the web"],
        [
            "user interviews",
            "journey maps",
            "opportunity trees",
            "screen readers",
            "usability tests",
            "personas",
            "plain language",
            "colour contrast",
            "prototypes",
            "roadmaps",
            "success metrics",
            "jobs to be done",
            "alt text",
            "design reviews",
        ],
        ["run", "plan", "synthesise", "prioritise", "present", "write", "test", "check"],
    ),
    "people": (
        ["Leadership", "Giving feedback", "Coaching", "Mentoring", "Facilitation"],
        [
            "one-to-ones",
            "career ladders",
            "hard conversations",
            "team charters",
            "retrospectives",
            "delegation",
            "performance reviews",
            "onboarding plans",
            "psychological safety",
            "workshops",
            "skip-levels",
            "growth goals",
            "promotions",
        ],
        ["prepare", "run", "start", "handle", "follow up on", "improve", "structure", "rethink"],
    ),
    "sales": (
        ["Public speaking", "Negotiation", "Customer empathy", "Agile delivery"],
        [
            "discovery calls",
            "demos",
            "objections",
            "pricing talks",
            "renewals",
            "pipelines",
            "proposals",
            "pitch decks",
            "account plans",
            "reference calls",
            "forecast calls",
            "cold emails",
            "champions",
            "procurement",
        ],
        ["open", "close", "qualify", "rehearse", "tailor", "follow up on", "shorten", "win"],
    ),
}
ASKS = [
    "How do you {verb} {a} when {b} keep changing?",
    "Anyone tried to {verb} {a} together with {b}?",
    "What is your checklist to {verb} {a}?",
    "Lessons learnt: we had to {verb} {a} in a week",
    "Is it worth the effort to {verb} {b} before {a}?",
    "Looking for someone who has had to {verb} {a} at scale",
    "Our team's notes on {a} and {b}",
    "{A}: what would you do differently?",
]
SAYS = [
    "We {verb} {a} every quarter and keep the notes next to {b}.",
    "Start small: {verb} {a} for one team, then look at {b}.",
    "Same problem here. What helped was pairing on {a} with someone from another team.",
    "I would not {verb} {b} first; {a} tells you more.",
    "There is a short guide on {a} in our wiki, I can walk you through it.",
    "Thanks, this saved me a day on {a}.",
    "We stopped doing {b} and put the time into {a}. No regrets so far.",
    "+1 to this. {A} was the turning point for us.",
]
KINDS = ["discussion", "question", "question", "tip", "help", "resource"]


def _vocabulary(rng: random.Random, subject: str) -> tuple[list[str], list[str]]:
    """A community's own words: most of its subject's nouns, in its own order of interest."""
    _, nouns, verbs = SUBJECTS[subject]
    own = rng.sample(nouns, k=max(6, len(nouns) * 3 // 4))
    return own, verbs


def _text(rng: random.Random, templates: list[str], nouns: list[str], verbs: list[str]) -> str:
    a, b = rng.sample(nouns, 2)
    return rng.choice(templates).format(verb=rng.choice(verbs), a=a, b=b, A=a.capitalize())


def reserve_ids(table: str, count: int) -> int:
    """The first of `count` ids nobody else will take (identity columns accept given ids)."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")  # noqa: S608 - fixed names
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        first = cursor.fetchone()[0]
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count]
        )
    return first


# The columns of insights_activity that bulk seeds COPY, in the order of their rows.
ACTIVITY_COLUMNS = [
    "occurred_at",
    "verb",
    "actor_id",
    "community_id",
    "topic_ids",
    "thread_id",
    "object_type",
    "object_id",
    "target_user_id",
    "is_question",
    "extra",
    "programme_id",
    "session_id",
    "challenge_id",
]


def _activity(rows: list[tuple]) -> None:
    copy_rows("insights_activity", ACTIVITY_COLUMNS, (r + (None, None, None) for r in rows))


def seed_bulk(*, scale: int, stdout) -> None:
    people = list(
        # Ordinary people: not the demo's L&D admins, coordinators or superusers.
        Profile.objects.filter(user__is_active=True, user__is_superuser=False, user__groups=None)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    if len(people) < 1000:
        return
    # The demo employee belongs to the community everyone is in and to one in ten others.
    demo = list(
        Profile.objects.filter(user__username="demo@socialearn.local").values_list(
            "user_id", flat=True
        )
    )
    rng = random.Random(12)
    # The few who write: one in eight people, the first of them far more than the rest.
    writers = rng.sample(people, k=len(people) // 8)
    topics = {t.name: t.pk for t in Topic.objects.all()}
    plan = _plan(rng, len(people))
    now = timezone.now()
    made = 0
    for index, (name, slug, subject, size, threads, replies) in enumerate(plan):
        if Community.objects.filter(slug=slug).exists():
            continue
        with transaction.atomic():
            _seed_community(
                rng=random.Random(index),
                now=now,
                name=name,
                slug=slug,
                subject=subject,
                members=people if slug == EVERYONE_SLUG else None,
                size=size,
                threads=threads,
                replies=replies,
                people=people,
                writers=writers,
                demo=demo if index % 10 in (0, 1) else [],
                topic_ids=[topics[t] for t in SUBJECTS[subject][0] if t in topics][:2],
            )
        made += 1
    _seed_views()
    if made:
        # The memberships were copied in, past the services that keep the count.
        member_counts_recount()
        lay_out_as_written()
        with connection.cursor() as cursor:
            for table in (
                "communities_membership",
                "communities_thread",
                "communities_reply",
                "communities_reaction",
                "insights_activity",
            ):
                # As autovacuum would after a bulk load: statistics, and the visibility map
                # that index-only scans read (CLUSTER leaves it empty).
                cursor.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 - fixed names
    stdout.write(
        f"communities: {made} large communities seeded; "
        f"{Thread.objects.count():,} threads, {Reply.objects.count():,} replies, "
        f"{Membership.objects.count():,} memberships"
    )


@transaction.atomic
def _seed_views() -> None:
    """Most people read: a thread is opened by a few people more than wrote in it. Set-based,
    once (when the community everyone is in has no views yet)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM insights_activity a JOIN communities_community c "
            "ON c.id = a.community_id WHERE c.slug = %s AND a.verb = 'viewed')",
            [EVERYONE_SLUG],
        )
        if cursor.fetchone()[0]:
            return
        cursor.execute(
            """
            WITH people AS (
                SELECT id, row_number() OVER (ORDER BY id) AS rn
                FROM auth_user u WHERE is_active AND NOT is_superuser
                    AND NOT EXISTS (SELECT 1 FROM auth_user_groups g WHERE g.user_id = u.id)
            ),
            views AS (
                SELECT t.id AS thread_id, t.community_id, t.created_at,
                    1 + floor(random() * (SELECT count(*) FROM people))::bigint AS rn
                FROM communities_thread t
                JOIN communities_community c ON c.id = t.community_id AND c.slug LIKE %s
                CROSS JOIN LATERAL generate_series(1, 2 + t.reply_count / 4) g
            )
            INSERT INTO insights_activity (occurred_at, verb, actor_id, community_id,
                topic_ids, thread_id, object_type, object_id, is_question, extra)
            SELECT v.created_at + random() * (now() - v.created_at), 'viewed', p.id,
                v.community_id, '[]', v.thread_id, 'thread', v.thread_id, false, '{}'
            FROM views v JOIN people p USING (rn)
            """,
            [BULK_PREFIX + "%"],
        )


def _plan(rng: random.Random, people: int) -> list[tuple]:
    """(name, slug, subject, members, threads, replies) per community: a long tail."""
    subjects = list(SUBJECTS)
    count = max(20, people // 500)
    sizes = [people] + [max(15, int(people * 0.2 / (i + 1) ** 0.8)) for i in range(count - 1)]
    weights = [s**0.7 for s in sizes]
    total_threads, total_replies = people // 2, people * 5
    thread_counts = [max(3, int(total_threads * w / sum(weights))) for w in weights]
    reply_counts = [int(total_replies * t / sum(thread_counts)) for t in thread_counts]
    # What rounding lost goes to the community everyone is in.
    thread_counts[0] += max(0, total_threads - sum(thread_counts))
    reply_counts[0] += max(0, total_replies - sum(reply_counts))
    names = []
    for i in range(count):
        subject = subjects[i % len(subjects)]
        nouns = SUBJECTS[subject][1]
        if i == 0:
            names.append(("Everyone at socialearn", EVERYONE_SLUG, subject))
            continue
        noun = nouns[(i // len(subjects)) % len(nouns)]
        suffix = ["circle", "guild", "clinic", "club", "forum", "lab", "exchange"][i % 7]
        name = f"{noun.capitalize()} {suffix} {i}"
        names.append((name, f"{BULK_PREFIX}{i}", subject))
    return [
        (name, slug, subject, sizes[i], thread_counts[i], reply_counts[i])
        for i, (name, slug, subject) in enumerate(names)
    ]


# Where a site's rows lie on disk: replies are appended as they are written, and a thread's
# row is written again (a new version, where there is room) each time someone replies.
WRITTEN_IN_ORDER = (("communities_reply", "created_at"), ("communities_thread", "last_activity_at"))


def lay_out_as_written() -> None:
    """Put the copied threads and replies in the order a site writes them.

    The seed copies them community by community and thread by thread, so the replies of a
    week lay scattered over the whole table, one per page; a site's lie together. A walk
    through the recent posts (search with a common word) read a page a row on the seed and
    a few rows a page on a site: CLUSTER by the column that order follows."""
    with connection.cursor() as cursor:
        for table, column in WRITTEN_IN_ORDER:
            indexes = connection.introspection.get_constraints(cursor, table)
            index = next(
                name
                for name, about in indexes.items()
                if about["index"] and about["columns"] == [column] and not about["unique"]
            )
            cursor.execute(f'CLUSTER {table} USING "{index}"')  # noqa: S608 - fixed names


def _seed_community(
    *,
    rng,
    now,
    name,
    slug,
    subject,
    members,
    size,
    threads,
    replies,
    people,
    writers,
    demo,
    topic_ids,
):
    nouns, verbs = _vocabulary(rng, subject)
    created = now - timedelta(days=400)
    community = Community.objects.create(
        name=name,
        slug=slug,
        kind="network" if slug == EVERYONE_SLUG else "practice",
        purpose=f"Everything about {nouns[0]}, {nouns[1]} and {nouns[2]}.",
        rules="Be kind, assume good intent, and share what you learn.",
        visibility="public",
        anonymity="off",
        status="active",
        created_by_id=writers[0],
    )
    Community.objects.filter(pk=community.pk).update(created_at=created)
    community.topics.set(topic_ids)
    members = list(members) if members is not None else rng.sample(people, k=min(size, len(people)))
    members = list(dict.fromkeys([*members, *demo]))
    manager = members[0]
    # Writers of this community: the members among the few who write, most active first.
    member_set = set(members)
    own_writers = [w for w in writers if w in member_set] or members[:10]
    joined = [created + timedelta(minutes=rng.randint(0, 400 * 24 * 60)) for _ in members]
    copy_rows(
        "communities_membership",
        ["community_id", "user_id", "role", "status", "created_at", "joined_at"],
        (
            (community.pk, u, "manager" if u == manager else "member", "active", at, at)
            for u, at in zip(members, joined, strict=True)
        ),
    )
    activity = [
        (at, "joined", u, community.pk, "[]", None, "community", community.pk, None, False, "{}")
        for u, at in zip(members, joined, strict=True)
    ]

    def writer() -> int:
        return own_writers[int(len(own_writers) * rng.random() ** 3)]

    # Reply counts: a long tail, the first thread the longest (up to a few thousand).
    shares = sorted((rng.paretovariate(1.2) for _ in range(threads)), reverse=True)
    scale = replies / sum(shares)
    counts = [min(3000, int(s * scale)) for s in shares]
    for n in range(max(0, replies - sum(counts))):  # what rounding and the cap lost
        counts[(n % (threads - 1)) + 1 if threads > 1 else 0] += 1
    thread_id = reserve_ids("communities_thread", threads)
    reply_id = reserve_ids("communities_reply", sum(counts))
    # Reactions: readers react too, a little; most threads get none.
    reactions = set()
    for n in range(threads):
        for _ in range(int(rng.paretovariate(1.5)) - 1):
            reactions.add(
                (
                    thread_id + n,
                    members[rng.randrange(len(members))],
                    rng.choice(["thumbs_up", "idea", "thanks"]),
                )
            )
    reacted = Counter(t for t, _, _ in reactions)
    thread_rows, reply_rows, link_rows = [], [], []
    url = f"/communities/{slug}/t/"
    for n in range(threads):
        tid = thread_id + n
        kind = KINDS[rng.randrange(len(KINDS))]
        title = _text(rng, ASKS, nouns, verbs)
        body = _text(rng, SAYS, nouns, verbs) + " " + _text(rng, ASKS, nouns, verbs)
        author = writer()
        started = now - timedelta(minutes=int(400 * 24 * 60 * rng.random() ** 2) + 60)
        last = started
        first_reply = None
        for _ in range(counts[n]):
            last = last + timedelta(minutes=rng.randint(1, 240))
            if last > now:
                last = now - timedelta(seconds=rng.randint(1, 3600))
            text = _text(rng, SAYS, nouns, verbs)
            who = writer()
            rid = reply_id
            reply_id += 1
            first_reply = first_reply or rid
            reply_rows.append(
                (rid, tid, who, text, f"<p>{escape(text)}</p>", False, "published", last, 0, "")
            )
            activity.append(
                (
                    last,
                    "replied",
                    who,
                    community.pk,
                    "[]",
                    tid,
                    "reply",
                    rid,
                    author,
                    kind in ("question", "help"),
                    '{"anonymous": false}',
                )
            )
        thread_rows.append(
            (
                tid,
                community.pk,
                kind,
                title,
                body,
                f"<p>{escape(body)}</p>",
                "",
                False,
                "published",
                False,
                False,
                False,
                False,
                started,
                None,
                last,
                counts[n],
                reacted[tid],
                # Four questions in five have an accepted answer: their first reply.
                first_reply if kind == "question" and tid % 5 else None,
                author,
                None,
                0,
                0,
                None,
                "",
            )
        )
        link_rows.extend((tid, t) for t in topic_ids[:1])
        extra = {
            "kind": kind,
            "anonymous": False,
            "system": False,
            "title": title,
            "url": f"{url}{tid}/",
        }
        activity.append(
            (
                started,
                "posted",
                author,
                community.pk,
                json.dumps(topic_ids[:1]),
                tid,
                "thread",
                tid,
                None,
                kind in ("question", "help"),
                json.dumps(extra),
            )
        )
    copy_rows(
        "communities_thread",
        [
            "id",
            "community_id",
            "kind",
            "title",
            "body",
            "body_html",
            "url",
            "is_anonymous",
            "status",
            "is_locked",
            "is_pinned",
            "is_system",
            "posted_late",
            "created_at",
            "edited_at",
            "last_activity_at",
            "reply_count",
            "reaction_count",
            "accepted_reply_id",
            "author_id",
            "edited_by_id",
            "help_departments",
            "help_reached",
            "help_sent_at",
            "hold_reason",
        ],
        thread_rows,
        computed={
            "search_vector": "setweight(to_tsvector('english', title), 'A') || "
            "setweight(to_tsvector('english', body), 'B')"
        },
    )
    copy_rows("communities_thread_topics", ["thread_id", "topic_id"], link_rows)
    copy_rows(
        "communities_reply",
        [
            "id",
            "thread_id",
            "author_id",
            "body",
            "body_html",
            "is_anonymous",
            "status",
            "created_at",
            "reaction_count",
            "hold_reason",
        ],
        reply_rows,
        computed={"search_vector": "to_tsvector('english', body)"},
    )
    copy_rows(
        "communities_reaction",
        ["thread_id", "user_id", "kind", "created_at"],
        ((t, u, k, now) for t, u, k in sorted(reactions)),
    )
    activity.extend(
        (
            now,
            "reacted",
            u,
            community.pk,
            "[]",
            t,
            "thread",
            t,
            None,
            False,
            json.dumps({"kind": k}),
        )
        for t, u, k in sorted(reactions)
    )
    _activity(activity)
