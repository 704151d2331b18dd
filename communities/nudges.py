"""Community nudges: a question nobody answered, and a cohort member who never posted."""

from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialearn.insights.models import Activity
from socialearn.nudges.registry import Candidate, Rule, register

from .language import languages_of
from .models import Community, Membership, Reply, Thread

ANSWERERS = 5
# A question older than this is left to the digests: nudging for it would be noise.
QUESTION_TOO_OLD = timedelta(days=7)
COHORT_QUIET_AFTER = timedelta(days=7)
COHORT_GIVE_UP_AFTER = timedelta(days=28)


def _routing_sql() -> str:
    thread, community = Thread._meta.db_table, Community._meta.db_table
    topics = Thread.topics.through._meta.db_table
    membership, activity = Membership._meta.db_table, Activity._meta.db_table
    return f"""
        WITH q AS (
            SELECT t.id, t.title, t.author_id, c.id AS community_id, c.slug, c.name,
                   c.visibility, array_agg(tt.topic_id) AS topics
            FROM {thread} t
            JOIN {community} c ON c.id = t.community_id AND c.status = 'active'
            JOIN {topics} tt ON tt.thread_id = t.id
            WHERE t.kind = 'question' AND t.status = 'published' AND NOT t.is_locked
              AND t.accepted_reply_id IS NULL AND t.reply_count = 0
              AND t.created_at <= %(asked_before)s AND t.created_at > %(asked_after)s
            GROUP BY t.id, c.id
        ),
        evidence AS (
            SELECT q.id AS thread_id, a.actor_id, count(*) AS score
            FROM q
            JOIN {activity} a
              ON a.verb IN ('answer_accepted', 'session_answered')
             AND a.occurred_at > %(evidence_since)s
             AND a.actor_id IS NOT NULL AND a.actor_id IS DISTINCT FROM q.author_id
             AND EXISTS (
                 SELECT 1 FROM jsonb_array_elements_text(a.topic_ids) AS x(topic)
                 WHERE x.topic::bigint = ANY(q.topics)
             )
            WHERE q.visibility = 'public' OR EXISTS (
                SELECT 1 FROM {membership} m
                WHERE m.community_id = q.community_id AND m.user_id = a.actor_id
                  AND m.status = 'active'
            )
            GROUP BY q.id, a.actor_id
        ),
        ranked AS (
            SELECT e.*, row_number() OVER (
                PARTITION BY e.thread_id ORDER BY e.score DESC, e.actor_id
            ) AS place
            FROM evidence e
        )
        SELECT r.actor_id, q.id, q.title, q.slug, q.name, q.community_id
        FROM ranked r JOIN q ON q.id = r.thread_id
        WHERE r.place <= {ANSWERERS}
    """  # noqa: S608 - table names are ours; values are parameters


def unanswered_question(now: datetime):
    hours = settings.NUDGE_UNANSWERED_HOURS
    params = {
        "asked_before": now - timedelta(hours=hours),
        "asked_after": now - QUESTION_TOO_OLD,
        "evidence_since": now - timedelta(days=730),
    }
    with connection.cursor() as cursor:
        cursor.execute(_routing_sql(), params)
        rows = cursor.fetchall()
    languages = languages_of(row[0] for row in rows)
    for person_id, thread_id, title, slug, name, community_id in rows:
        with translation.override(languages[person_id]):
            texts = {
                "title": gettext("Can you answer? %(thread)s") % {"thread": title},
                "body": gettext(
                    "Nobody has answered this question in %(community)s yet, and you have "
                    "answered questions on its topics before."
                )
                % {"community": name},
            }
        yield Candidate(
            person_id=person_id,
            cause=f"communities:question:{thread_id}",
            **texts,
            url=reverse("communities:thread", args=[slug, thread_id]),
            subject={"thread_id": thread_id, "community_id": community_id},
        )


def cohort_silent(now: datetime):
    posted = Thread.objects.filter(
        community_id=OuterRef("community_id"), author_id=OuterRef("user_id")
    )
    replied = Reply.objects.filter(
        thread__community_id=OuterRef("community_id"), author_id=OuterRef("user_id")
    )
    rows = (
        Membership.objects.filter(
            status=Membership.Status.ACTIVE,
            role=Membership.Role.MEMBER,  # the group's managers run it; they are not nudged
            user__is_active=True,
            community__kind=Community.Kind.COHORT,
            community__status=Community.Status.ACTIVE,
            community__created_at__lte=now - COHORT_QUIET_AFTER,
            community__created_at__gt=now - COHORT_GIVE_UP_AFTER,
        )
        .filter(~Exists(posted), ~Exists(replied))
        .values_list("user_id", "community_id", "community__slug", "community__name")
    )
    found = list(rows)
    languages = languages_of(row[0] for row in found)
    for person_id, community_id, slug, name in found:
        with translation.override(languages[person_id]):
            texts = {
                "title": gettext("Say hello to your cohort in %(community)s") % {"community": name},
                "body": gettext(
                    "Your group started a week ago. A first post (what you hope to learn, a "
                    "question) is the easiest way in."
                ),
            }
        yield Candidate(
            person_id=person_id,
            cause=f"communities:cohort:{community_id}",
            **texts,
            url=reverse("communities:thread_create", args=[slug]),
            subject={"community_id": community_id},
        )


register(
    Rule(
        name="communities.unanswered_question",
        label=cast(str, _("A question on my topics nobody has answered")),
        description=cast(
            str, _("Sent to a few people whose answers on its topics were accepted before.")
        ),
        find=unanswered_question,
        kind="nudge_unanswered_question",
        action=cast(str, _("Answer it")),
        follow_verbs=("replied",),
        priority=60,
    )
)
register(
    Rule(
        name="communities.cohort_silent",
        label=cast(str, _("My course cohort, when I have not posted yet")),
        description=cast(str, _("A week after my cohort started, if I have not written in it.")),
        find=cohort_silent,
        kind="nudge_cohort_silent",
        action=cast(str, _("Write a first post")),
        follow_verbs=("posted", "replied"),
        priority=40,
    )
)
