"""Benchmark: the organisation's insights overview over hundreds of thousands of activity rows.

    python -m tests.perf.bench_insights          # standalone, on DATABASE_URL
    run() -> list[dict]                          # for the `make bench` runner

Tops the activity record up to BENCH_INSIGHTS_ROWS rows (300,000 by default) with one
set-based INSERT ... SELECT over generate_series, spread over the last 400 days with more
recent days busier, then times the overview's figures (the selector) and the whole page
(the test client signed in as an L&D admin), each for the last 30 and the last 90 days.
Nothing is cached between runs: every run computes the current period's figures afresh.
Target: under 1 s each.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

TARGET_ROWS = int(os.environ.get("BENCH_INSIGHTS_ROWS", "300000"))
TARGET_MS = 1000.0
REPEAT = 3


def _django() -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.dev")
        django.setup()


def _ensure_people_and_scopes(cursor) -> None:
    """At least 2,000 people in 12 departments and a few hundred named scopes."""
    cursor.execute("SELECT count(*) FROM auth_user WHERE is_active")
    missing = 2000 - cursor.fetchone()[0]
    cursor.execute(
        """INSERT INTO people_department (name)
        SELECT 'Bench department ' || g FROM generate_series(1, 12) g
        ON CONFLICT (name) DO NOTHING"""
    )
    cursor.execute(
        """INSERT INTO people_topic (name, slug, description)
        SELECT 'Bench topic ' || g, 'bench-topic-' || g, '' FROM generate_series(1, 40) g
        ON CONFLICT DO NOTHING"""
    )
    if missing > 0:
        cursor.execute(
            """INSERT INTO auth_user (password, is_superuser, username, first_name, last_name,
                email, is_staff, is_active, date_joined)
            SELECT '!', FALSE, 'bench' || g || '@bench.local', 'Bench', 'Person ' || g,
                'bench' || g || '@bench.local', FALSE, TRUE, now() - interval '500 days'
            FROM generate_series(1, %s) g
            ON CONFLICT (username) DO NOTHING""",
            [missing],
        )
    cursor.execute(
        """INSERT INTO people_profile (user_id, display_name, job_title, bio, department_id,
            is_people_manager, time_zone, email_preference, digest_frequency)
        SELECT u.id, u.first_name || ' ' || u.last_name, '', '',
            (SELECT id FROM people_department ORDER BY id OFFSET (u.id % 12) LIMIT 1),
            FALSE, '', 'none', 'none'
        FROM auth_user u LEFT JOIN people_profile p ON p.user_id = u.id
        WHERE p.id IS NULL"""
    )
    for kind, count in (("community", 200), ("programme", 20), ("session", 60), ("challenge", 30)):
        cursor.execute(
            """INSERT INTO insights_scope (kind, object_id, name, url, is_private, extra)
            SELECT %s, 900000 + g, 'Bench ' || %s || ' ' || g, '', g %% 7 = 0, '{}'::jsonb
            FROM generate_series(1, %s) g
            ON CONFLICT (kind, object_id) DO NOTHING""",
            [kind, kind, count],
        )


def ensure_rows(target: int = TARGET_ROWS) -> int:
    """Insert activity rows set-based until there are at least `target`; return the count."""
    _django()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM insights_activity")
        have = cursor.fetchone()[0]
        if have >= target:
            return have
        with transaction.atomic():
            _ensure_people_and_scopes(cursor)
            cursor.execute(
                """
            WITH pools AS (
                SELECT
                    (SELECT array_agg(id) FROM auth_user WHERE is_active) AS users,
                    (SELECT array_agg(object_id) FROM insights_scope
                        WHERE kind = 'community') AS cs,
                    (SELECT array_agg(object_id) FROM insights_scope
                        WHERE kind = 'programme') AS ps,
                    (SELECT array_agg(object_id) FROM insights_scope
                        WHERE kind = 'session') AS ss,
                    (SELECT array_agg(object_id) FROM insights_scope
                        WHERE kind = 'challenge') AS hs,
                    (SELECT array_agg(id) FROM people_topic) AS topics
            ),
            raw AS (
                SELECT g, g %% 20 AS slot,
                    now() - (random() ^ 2) * interval '400 days' AS at,
                    1000000000 + (g / 20) AS thread,
                    pools.*
                FROM generate_series(1, %(n)s) g CROSS JOIN pools
            )
            INSERT INTO insights_activity (occurred_at, verb, actor_id, community_id, topic_ids,
                programme_id, session_id, challenge_id, thread_id, object_type, object_id,
                target_user_id, is_question, extra)
            SELECT at,
                CASE WHEN slot < 7 THEN 'replied' WHEN slot = 7 THEN 'posted'
                     WHEN slot < 11 THEN 'reacted' WHEN slot = 11 THEN 'joined'
                     WHEN slot = 12 THEN 'viewed' WHEN slot = 13 THEN 'help_requested'
                     WHEN slot = 14 THEN 'welcomed' WHEN slot = 15 THEN 'step_completed'
                     WHEN slot = 16 THEN 'session_question_asked'
                     WHEN slot = 17 THEN 'session_answered'
                     WHEN slot = 18 THEN 'mentor_enrolled' ELSE 'protege_enrolled' END,
                users[1 + floor(random() * cardinality(users))::int],
                CASE WHEN slot < 15 THEN cs[1 + (thread %% cardinality(cs))::int] END,
                CASE WHEN slot = 7 OR slot >= 18
                     THEN jsonb_build_array(topics[1 + floor(random() * cardinality(topics))::int])
                     ELSE '[]'::jsonb END,
                CASE WHEN slot >= 18 THEN ps[1 + floor(random() * cardinality(ps))::int] END,
                CASE WHEN slot IN (16, 17) THEN ss[1 + (g %% cardinality(ss))::int] END,
                CASE WHEN slot = 15 THEN hs[1 + floor(random() * cardinality(hs))::int] END,
                CASE WHEN slot < 11 OR slot = 13 THEN thread END,
                '',
                CASE WHEN slot = 15 THEN 1 + (g %% 12) WHEN slot IN (16, 17) THEN g / 20 END,
                CASE WHEN slot < 7 OR slot IN (14, 17)
                     THEN users[1 + floor(random() * cardinality(users))::int] END,
                (slot < 8 OR slot = 13) AND thread %% 3 = 0,
                CASE WHEN slot = 7 THEN jsonb_build_object('title', 'Bench thread ' || thread)
                     WHEN slot = 13 THEN jsonb_build_object('reached', 5 + g %% 40)
                     WHEN slot = 15 THEN jsonb_build_object('step_index', 1 + (g %% 12))
                     ELSE '{}'::jsonb END
            FROM raw
            """,
                {"n": target - have},
            )
        # As autovacuum would after a bulk load: statistics, and the visibility map that
        # lets the figures read from their indexes alone.
        cursor.execute("VACUUM ANALYZE insights_activity")
        for table in ("insights_scope", "auth_user", "people_profile"):
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT count(*) FROM insights_activity")
        return cursor.fetchone()[0]


def _lnd_admin():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from socialearn.insights.access import LND_ADMIN_GROUP
    from socialearn.people.models import Profile

    user, _ = get_user_model().objects.get_or_create(
        username="bench-lnd@bench.local", defaults={"email": "bench-lnd@bench.local"}
    )
    Profile.objects.get_or_create(user=user)
    group, _ = Group.objects.get_or_create(name=LND_ADMIN_GROUP)
    user.groups.add(group)
    return user


def _time(func) -> float:
    func()  # warm the caches, as a page someone keeps open would be
    runs = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        func()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs)


def _row(measure: str, value: float, unit: str, target: float, ok: bool) -> dict:
    return {
        "part": "insights",
        "measure": measure,
        "value": round(value, 1),
        "unit": unit,
        "target": target,
        "ok": ok,
    }


def run() -> list[dict]:
    _django()
    from django.test import Client

    from socialearn.insights import selectors
    from socialearn.insights.figures import Period

    rows = ensure_rows()
    results = [_row("activity rows", rows, "rows", TARGET_ROWS, rows >= TARGET_ROWS)]
    for days in (30, 90):
        period = Period.last_days(days, tz="Europe/London")
        ms = _time(lambda period=period: selectors.overview(period))
        results.append(
            _row(f"overview figures, last {days} days", ms, "ms", TARGET_MS, ms < TARGET_MS)
        )
    client = Client(HTTP_HOST="localhost")
    client.force_login(_lnd_admin())

    for days in (30, 90):

        def page(days=days):
            response = client.get(f"/insights/?period={days}")
            assert response.status_code == 200, response.status_code

        ms = _time(page)
        results.append(
            _row(f"overview page, last {days} days", ms, "ms", TARGET_MS, ms < TARGET_MS)
        )
    return results


def main() -> int:
    _django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = run()
    for r in results:
        mark = "ok" if r["ok"] else "SLOW"
        print(
            f"{r['part']:<10} {r['measure']:<36} {r['value']:>10} {r['unit']:<5} "
            f"(target {r['target']}) {mark}"
        )
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
