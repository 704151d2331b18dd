"""The organisation's live all-hands, for `seed_demo` at every size: an open backchannel in
the biggest community (at bench sizes the one everyone belongs to), with questions and votes
that follow a long tail (a few questions collect hundreds, most a handful): 1,000 questions at
100,000 people, 100 in the demo organisation, so the bench opens the same kind of board, a
full window of questions and more, at both sizes.

COPY-based and idempotent: the session is made once through the service; its questions and
votes only when it has none. Each run keeps its window open (the bench needs it live).
"""

import json
import random
from collections import Counter
from datetime import timedelta
from html import escape

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from communities.bulk_demo import ACTIVITY_COLUMNS, EVERYONE_SLUG, reserve_ids
from communities.models import Community, Membership
from socialearn.people.bulk import copy_rows

from . import services
from .models import Question, Session

TITLE = "All-hands backchannel: ask the leadership team"
QUESTIONS = 1000
# The demo organisation's board: more than the board's first window (30) and its next.
FEWEST_QUESTIONS = 100
ASK = [
    "How will {a} change for teams like mine next year?",
    "What is the plan for {a}, and who can we talk to about {b}?",
    "Can we get more time for {a}? {B} keeps slipping.",
    "Why did we stop investing in {a}?",
    "What does success for {a} look like by the summer?",
    "Will there be training on {a} for people new to {b}?",
]
WORDS = [
    "hybrid working",
    "the learning budget",
    "career paths",
    "the new office",
    "hiring",
    "mentoring",
    "promotions",
    "the product roadmap",
    "our customers in Asia",
    "on-call pay",
    "accessibility",
    "security training",
    "team rituals",
    "the engagement survey",
    "internal mobility",
    "parental leave",
    "the tooling budget",
    "cross-team projects",
]


@transaction.atomic
def seed_bulk(*, scale: int, stdout) -> None:
    community = (
        Community.objects.filter(slug=EVERYONE_SLUG).first()
        or Community.objects.filter(status="active", visibility="public")
        .annotate(n=Count("memberships", filter=Q(memberships__status="active")))
        .order_by("-n", "pk")
        .first()
    )
    if community is None:
        return
    n_questions = min(QUESTIONS, max(FEWEST_QUESTIONS, scale // 100))
    now = timezone.now()
    session = Session.objects.filter(title=TITLE, community=community).first()
    managers = list(
        Membership.objects.filter(community=community, role="manager")
        .order_by("user_id")
        .values_list("user", flat=True)[:1]
    )
    if session is None:
        from django.contrib.auth import get_user_model

        experts = list(
            get_user_model()
            .objects.filter(memberships__community=community, is_superuser=False, groups=None)
            .order_by("id")[1:4]
        )
        topic = community.topics.order_by("name").first()
        if not experts or topic is None:
            return
        session = services.session_schedule(
            created_by=experts[0],
            title=TITLE,
            topic=topic,
            community=community,
            experts=experts,
            moderator=experts[0],
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(days=3),
            description="Questions for the quarterly all-hands, live on the day.",
            kind=Session.Kind.BACKCHANNEL,
            invite=False,
        )
    # Open now, whenever the bench runs.
    Session.objects.filter(pk=session.pk).update(
        starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(days=3)
    )
    if Question.objects.filter(session=session).exists():
        return
    rng = random.Random(21)
    people = list(
        Membership.objects.filter(community=community, status="active")
        .exclude(user_id__in=managers)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    askers = rng.sample(people, k=min(len(people), n_questions // 2))
    first = reserve_ids("expertqa_question", n_questions)
    questions, votes, activity = [], set(), []
    for n in range(n_questions):
        qid = first + n
        a, b = rng.sample(WORDS, 2)
        body = rng.choice(ASK).format(a=a, b=b, B=b.capitalize())
        author = askers[n % len(askers)]
        asked = now - timedelta(minutes=rng.randint(1, 29 * 24 * 60) / 24)
        for _ in range(min(600, int(rng.paretovariate(1.1) * 3) - 3)):
            votes.add((qid, people[rng.randrange(len(people))]))
        questions.append(
            (
                qid,
                session.pk,
                author,
                body,
                f"<p>{escape(body)}</p>",
                False,
                "visible",
                0,
                asked,
                "",
            )
        )
        activity.append(
            (
                asked,
                "session_question_asked",
                author,
                community.pk,
                json.dumps([session.topic_id]),
                None,
                "session_question",
                qid,
                None,
                True,
                '{"anonymous": false}',
                None,
                session.pk,
                None,
            )
        )
    voted = Counter(q for q, _ in votes)
    questions = [(*q[:7], voted[q[0]], *q[8:]) for q in questions]
    copy_rows(
        "expertqa_question",
        [
            "id",
            "session_id",
            "author_id",
            "body",
            "body_html",
            "is_anonymous",
            "status",
            "vote_count",
            "created_at",
            "deferral_note",
        ],
        questions,
    )
    copy_rows(
        "expertqa_vote",
        ["question_id", "user_id", "created_at"],
        ((q, u, now) for q, u in sorted(votes)),
    )
    copy_rows("insights_activity", ACTIVITY_COLUMNS, activity)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE expertqa_session SET version = version + 1 WHERE id = %s", [session.pk]
        )
        cursor.execute("ANALYZE expertqa_question")
        cursor.execute("ANALYZE expertqa_vote")
    stdout.write(f"expertqa: live session with {n_questions} questions and {len(votes)} votes")
