"""The fault suite's Django-side actors, each run as its own process by tests/faults/run.py.

python -m tests.faults.actors seed START_EPOCH LIVE_SECONDS
python -m tests.faults.actors post-loop          # a posting process: post_due() forever
python -m tests.faults.actors post-now           # "Post now" through the real view, timed
python -m tests.faults.actors check WINDOWS_JSON # the SQL checks, as JSON
"""

import json
import sys
import time
import traceback
from datetime import UTC, date, datetime, timedelta

import django

django.setup()

from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402

from challenges import services  # noqa: E402
from challenges.models import Challenge, Flow, FlowItem, Participant, Step  # noqa: E402
from communities.models import Community, Membership  # noqa: E402
from communities.services import community_create, membership_join  # noqa: E402
from tests.factories import UserFactory  # noqa: E402

CHALLENGES = 12
STEPS = 10
FLOWS = 6
ITEMS = 20
MEMBERS = 40
NEWCOMERS = 30
RELATIVE_DAYS = [0, 1]


def seed(start: float, live_seconds: float) -> None:
    """Half the items were due over the past three hours (an outage before the run), half
    fall due during the run, one every few hundred milliseconds, steps and items mixed."""
    t0 = datetime.fromtimestamp(start, tz=UTC)
    designer = UserFactory(email="designer@faults.local")
    community = community_create(created_by=designer, name="Faults", purpose="Fault suite")
    members = [UserFactory(email=f"member{n}@faults.local") for n in range(MEMBERS)]
    for person in members:
        membership_join(community=community, user=person)
    total = CHALLENGES * STEPS + FLOWS * ITEMS
    due_times = []
    for n in range(total):
        if n % 2 == 0:  # the backlog of a three-hour outage
            due_times.append(t0 - timedelta(hours=3) + timedelta(hours=3) * (n / total))
        else:  # due while the faults run
            due_times.append(t0 + timedelta(seconds=live_seconds) * (n / total))
    slot = iter(due_times)
    for c in range(CHALLENGES):
        title = f"Fault challenge {c}" if c else "C" * 160  # one with a 331-character title
        challenge = Challenge.objects.create(
            title=title,
            designer=designer,
            community=community,
            start_date=date(2026, 1, 5),
            status=Challenge.Status.PUBLISHED,
        )
        Step.objects.bulk_create(
            Step(
                challenge=challenge,
                position=s + 1,
                title=("S" * 160) if c == 0 and s == 0 else f"Fault step {c}.{s}",
                prompt=f"Prompt {c}.{s}",
                day_offset=s,
            )
            for s in range(STEPS)
        )
        for step in challenge.steps.all():
            Step.objects.filter(pk=step.pk).update(release_at=next(slot))
        Participant.objects.bulk_create(
            Participant(challenge=challenge, user=person, joined_at=t0 - timedelta(days=1))
            for person in members
        )
    for f in range(FLOWS):
        flow = services.flow_create(community=community, curator=designer, name=f"Flow {f}")
        # Adding an item re-slots the flow's queue: set the times once all are added.
        items = [
            services.flow_item_add(
                flow=flow, kind=FlowItem.Kind.TIP, title=f"Fault item {f}.{i}", body="b"
            )
            for i in range(ITEMS)
        ]
        for item in items:
            FlowItem.objects.filter(pk=item.pk).update(scheduled_for=next(slot))
    # "Post now" probes: a flow of their own (posting now re-slots the rest of a flow).
    probe = services.flow_create(community=community, curator=designer, name="Probes")
    for i in range(4):
        services.flow_item_add(flow=probe, kind=FlowItem.Kind.TIP, title=f"Probe {i}", body="b")
    FlowItem.objects.filter(flow=probe).update(scheduled_for=t0 + timedelta(days=30))
    # A relative flow: newcomers who joined over the eight days before the run.
    newcomers_home = community_create(created_by=designer, name="Newcomers", purpose="x")
    relative = services.flow_create(
        community=newcomers_home,
        curator=designer,
        name="First days",
        mode=Flow.Mode.RELATIVE,
    )
    Flow.objects.filter(pk=relative.pk).update(active_since=t0 - timedelta(days=30))
    for d in RELATIVE_DAYS:
        services.flow_item_add(
            flow=relative, kind=FlowItem.Kind.TIP, title=f"Day {d}", body="b", day_offset=d
        )
    for n in range(NEWCOMERS):
        person = UserFactory(email=f"newcomer{n}@faults.local")
        membership_join(community=newcomers_home, user=person)
        joined = t0 - timedelta(days=8) + timedelta(hours=4 * n)
        Membership.objects.filter(user=person, community=newcomers_home).update(joined_at=joined)
    print(json.dumps({"items": total, "last_due": max(due_times).timestamp()}))


def post_loop() -> None:
    while True:
        try:
            close_old_connections()
            services.post_due()
        except Exception:
            traceback.print_exc()
            connection.close()
            time.sleep(1)
        time.sleep(0.3)


def post_now() -> None:
    """One "Post now" through the real view, as the curator: status and seconds."""
    item = FlowItem.objects.filter(flow__name="Probes", posted_at__isnull=True).first()
    client = Client()
    client.force_login(item.flow.curator)
    started = time.monotonic()
    response = client.post(f"/challenges/flows/{item.flow_id}/items/{item.pk}/post/")
    took = time.monotonic() - started
    item.refresh_from_db()
    print(
        json.dumps(
            {"status": response.status_code, "seconds": round(took, 2), "posted": item.is_posted}
        )
    )


CHECK_SQL = """
WITH items AS (
    SELECT 'step' AS kind, s.id, s.release_at AS due, s.posted_at, s.posted_late, s.thread_id,
           'challenge-step:' || s.id AS dedupe_key,
           (SELECT count(*) FROM challenges_participant p
             WHERE p.challenge_id = s.challenge_id AND p.left_at IS NULL) AS expected
    FROM challenges_step s JOIN challenges_challenge c ON c.id = s.challenge_id
    WHERE c.community_id = %(community)s
    UNION ALL
    SELECT 'item', i.id, i.scheduled_for, i.posted_at, i.posted_late, i.thread_id,
           'flow-item:' || i.id,
           (SELECT count(*) FROM communities_membership m JOIN auth_user u ON u.id = m.user_id
             WHERE m.community_id = f.community_id AND m.status = 'active' AND u.is_active
               AND m.user_id IS DISTINCT FROM f.curator_id)
    FROM challenges_flowitem i JOIN challenges_flow f ON f.id = i.flow_id
    WHERE f.community_id = %(community)s AND f.mode = 'scheduled' AND f.name <> 'Probes'
)
SELECT items.*,
       (SELECT count(*) FROM notifications_notification n
         WHERE n.dedupe_key = items.dedupe_key) AS delivered
FROM items
"""


def check(windows_json: str) -> None:
    windows = json.loads(windows_json)
    community = Community.objects.get(name="Faults")
    with connection.cursor() as cursor:
        cursor.execute(CHECK_SQL, {"community": community.pk})
        columns = [c.name for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        cursor.execute(
            """SELECT count(*) FROM communities_thread t
               WHERE t.community_id = %s AND t.is_system
                 AND NOT EXISTS (SELECT 1 FROM challenges_step s WHERE s.thread_id = t.id)
                 AND NOT EXISTS (SELECT 1 FROM challenges_flowitem i WHERE i.thread_id = t.id)""",
            [community.pk],
        )
        orphans = cursor.fetchone()[0]
        cursor.execute(
            """SELECT count(*) FROM (SELECT title FROM communities_thread
               WHERE community_id = %s AND is_system GROUP BY title HAVING count(*) > 1) d""",
            [community.pk],
        )
        duplicated_threads = cursor.fetchone()[0]
        cursor.execute(
            """SELECT count(*) FROM (SELECT recipient_id, dedupe_key
               FROM notifications_notification WHERE dedupe_key <> ''
               GROUP BY 1, 2 HAVING count(*) > 1) d"""
        )
        duplicated_notes = cursor.fetchone()[0]
        cursor.execute(
            """SELECT count(*) FILTER (WHERE status IN ('pending', 'failed')),
                      count(*) FILTER (WHERE status = 'dead'),
                      count(*) FILTER (WHERE attempts > 1)
               FROM outbox_message"""
        )
        outbox_open, outbox_dead, outbox_retried = cursor.fetchone()
        # Pairs surely due (joined more than the item's day plus two days ago) not served.
        cursor.execute(
            """SELECT count(*) FILTER (WHERE NOT EXISTS (
                          SELECT 1 FROM notifications_notification n
                          WHERE n.recipient_id = m.user_id
                            AND n.dedupe_key = 'flow-item:' || i.id)),
                      count(*)
               FROM communities_membership m
               JOIN challenges_flow f ON f.community_id = m.community_id
                    AND f.mode = 'relative'
               JOIN challenges_flowitem i ON i.flow_id = f.id
               WHERE m.status = 'active'
                 AND m.joined_at < now() - (i.day_offset + 2) * interval '1 day'"""
        )
        relative_missing, relative_due = cursor.fetchone()
        cursor.execute(
            """SELECT count(*), count(DISTINCT (n.recipient_id, n.dedupe_key))
               FROM notifications_notification n
               JOIN challenges_flowitem i ON n.dedupe_key = 'flow-item:' || i.id
               JOIN challenges_flow f ON f.id = i.flow_id AND f.mode = 'relative'"""
        )
        relative_sent, relative_distinct = cursor.fetchone()
    late_after = services.posting.LATE_AFTER

    def summary(selected: list[dict]) -> dict:
        posted = [r for r in selected if r["posted_at"] is not None]
        return {
            "items": len(selected),
            "posted": len(posted),
            "unposted": len(selected) - len(posted),
            "notifications": sum(r["delivered"] for r in posted),
            "lost": sum(max(r["expected"] - r["delivered"], 0) for r in posted),
            "extra": sum(max(r["delivered"] - r["expected"], 0) for r in posted),
            "late_wrong": sum(
                1 for r in posted if r["posted_late"] != (r["posted_at"] - r["due"] > late_after)
            ),
            "late": sum(1 for r in posted if r["posted_late"]),
        }

    # Order: an item is out of order when it was already due, yet an item due after it was
    # posted more than 10 s before it (the slack covers concurrent posting processes).
    posted = sorted((r for r in rows if r["posted_at"]), key=lambda r: r["posted_at"])
    out_of_order = 0
    for r in posted:
        for other in posted:
            if other["posted_at"] >= r["posted_at"] - timedelta(seconds=10):
                break
            if other["due"] > r["due"] and r["due"] <= other["posted_at"]:
                out_of_order += 1
                break
    result = {
        "all": summary(rows),
        "orphans": orphans,
        "duplicated_threads": duplicated_threads,
        "duplicated_notifications": duplicated_notes,
        "out_of_order": out_of_order,
        "outbox_open": outbox_open,
        "outbox_dead": outbox_dead,
        "outbox_retried": outbox_retried,
        "relative_missing": relative_missing,
        "relative_due": relative_due,
        "relative_sent": relative_sent,
        "relative_distinct": relative_distinct,
        "windows": {},
    }
    for window in windows:
        start = datetime.fromtimestamp(window["start"], tz=UTC)
        end = datetime.fromtimestamp(window["end"], tz=UTC) + timedelta(seconds=15)
        selected = [r for r in rows if r["posted_at"] and start <= r["posted_at"] <= end]
        result["windows"][window["name"]] = summary(selected)
    print(json.dumps(result, default=str))


def soak_seed(start: float, seconds: float, users: int) -> None:
    """A community with threads to read, answer and react to; a flow item due every 5 s."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from communities.services import thread_create

    t0 = datetime.fromtimestamp(start, tz=UTC)
    curator = UserFactory(email="curator@soak.local")
    community = community_create(created_by=curator, name="Soak", purpose="Soak traffic")
    people = [UserFactory(email=f"person{n}@soak.local") for n in range(users + 10)]
    for person in people:
        membership_join(community=community, user=person)
    threads = [
        thread_create(
            community=community,
            author=people[n % len(people)],
            kind="discussion",
            title=f"Soak topic {n}",
            body="Talk about it",
        ).pk
        for n in range(20)
    ]
    flow = services.flow_create(community=community, curator=curator, name="Soak tips")
    items = [
        services.flow_item_add(flow=flow, kind=FlowItem.Kind.TIP, title=f"Soak tip {n}", body="b")
        for n in range(int(seconds // 5))
    ]
    for n, item in enumerate(items):
        FlowItem.objects.filter(pk=item.pk).update(scheduled_for=t0 + timedelta(seconds=60 + 5 * n))
    sessions = []
    for person in people[:users]:
        store = SessionStore()
        store[SESSION_KEY] = str(person.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = person.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    print(json.dumps({"slug": community.slug, "threads": threads, "sessions": sessions}))


def soak_check() -> None:
    from django.utils import timezone

    from communities.models import Reaction, Reply, Thread
    from socialearn.notifications.models import Notification
    from socialearn.outbox.models import Message

    items = FlowItem.objects.filter(flow__name="Soak tips")
    posted = list(items.filter(posted_at__isnull=False).values_list("pk", flat=True))
    community = Community.objects.get(name="Soak")
    members = Membership.objects.filter(community=community, status="active").exclude(
        user__email="curator@soak.local"
    )
    delivered = Notification.objects.filter(
        dedupe_key__in=[f"flow-item:{pk}" for pk in posted]
    ).count()
    print(
        json.dumps(
            {
                "posted": len(posted),
                "unposted": items.filter(
                    posted_at__isnull=True, scheduled_for__lte=timezone.now()
                ).count(),
                "delivered": delivered,
                "expected": len(posted) * members.count(),
                "outbox_open": Message.objects.filter(status__in=["pending", "failed"]).count(),
                "outbox_dead": Message.objects.filter(status="dead").count(),
                "outbox_done": Message.objects.filter(status="done").count(),
                "threads": Thread.objects.filter(community__name="Soak").count(),
                "replies": Reply.objects.filter(thread__community__name="Soak").count(),
                "reactions": Reaction.objects.count(),
            }
        )
    )


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "seed":
        seed(float(args[0]), float(args[1]))
    elif command == "post-loop":
        post_loop()
    elif command == "post-now":
        post_now()
    elif command == "check":
        check(args[0])
    elif command == "soak-seed":
        soak_seed(float(args[0]), float(args[1]), int(args[2]))
    elif command == "soak-check":
        soak_check()
    else:
        raise SystemExit(f"unknown command {command}")
