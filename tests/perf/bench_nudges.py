"""Nudges benchmark: one run of every rule over 30,000 people.

30,000 newcomers (created set-based) have an incomplete profile and take a daily challenge
whose step they missed, so two rules find every one of them; the run applies preferences,
quiet hours and the daily cap and records 30,000 nudges (the challenge one, by priority).
Target: under 5 s. Everything runs inside one transaction that is rolled back.

Run standalone with `python -m tests.perf.bench_nudges`; `run()` returns the rows.
"""

import os
import time
from datetime import datetime, timedelta
from datetime import time as wall_time
from zoneinfo import ZoneInfo

from tests.perf.bench_challenges import _insert_select

TARGET_SECONDS = 5.0
PEOPLE = int(os.environ.get("BENCH_NUDGE_PEOPLE", "30000"))
ZONES = ["Europe/London", "Europe/Paris", "Europe/Lisbon", "Africa/Lagos", "Asia/Tokyo"]


class _Rollback(Exception):
    pass


def _people(n: int, joined: datetime) -> int:
    from django.contrib.auth import get_user_model

    from socialearn.people.models import Profile

    user_model = get_user_model()
    email = "'bench-nudge-' || g || '@bench.local'"
    _insert_select(
        user_model,
        n,
        "nudge",
        {
            "username": email,
            "email": email,
            "password": "'!'",
            "first_name": "'Bench'",
            "last_name": "'Newcomer ' || g",
            "is_active": "true",
            "date_joined": f"'{joined.isoformat()}'::timestamptz",
        },
    )
    first_id = (
        user_model.objects.filter(username__startswith="bench-nudge-")
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    zones = "ARRAY[" + ", ".join(f"'{z}'" for z in ZONES) + "]"
    _insert_select(
        Profile,
        n,
        "nudge",
        {
            "user_id": f"{first_id} + g - 1",
            "display_name": "'Bench newcomer ' || g",
            "time_zone": f"({zones})[1 + g %% {len(ZONES)}]",
        },
    )
    return first_id


def _challenge_missed_by_everyone(first_id: int, n: int, released: datetime):
    from django.contrib.auth import get_user_model

    from challenges.models import Challenge, Participant, Step
    from communities.services import community_create

    designer = get_user_model().objects.get(pk=first_id)
    community = community_create(created_by=designer, name="Bench nudges", purpose="Bench.")
    challenge = Challenge.objects.create(
        title="Bench challenge",
        description="Bench.",
        designer=designer,
        community=community,
        start_date=released.date() - timedelta(days=1),
        length_value=30,
        status=Challenge.Status.PUBLISHED,
    )
    Step.objects.create(
        challenge=challenge,
        position=1,
        title="Bench step",
        prompt="Do it.",
        release_at=released,
        posted_at=released,
    )
    _insert_select(
        Participant,
        n,
        "nudge",
        {
            "challenge_id": str(challenge.pk),
            "user_id": f"{first_id} + g - 1",
            "joined_at": f"'{released.isoformat()}'::timestamptz",
        },
    )


def run() -> list[dict]:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from socialearn.nudges.models import Nudge
    from socialearn.nudges.services import nudges_run

    # 09:30 in London: the challenge's morning from Lisbon to Lagos; in Tokyo (18:30) only
    # the profile nudge is within hours, so it goes there instead.
    london = ZoneInfo("Europe/London")
    now = datetime.combine(datetime.now(london).date(), wall_time(9, 30), tzinfo=london)
    rows: list[dict] = []
    try:
        with transaction.atomic():
            first_id = _people(PEOPLE, joined=now - timedelta(days=5))
            _challenge_missed_by_everyone(first_id, PEOPLE, released=now - timedelta(hours=20))
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                result = nudges_run(now=now)
            seconds = time.perf_counter() - started
            sent = Nudge.objects.filter(person_id__gte=first_id).count()
            expected = PEOPLE  # one each: the daily cap
            rows += [
                {
                    "part": "nudges",
                    "measure": f"one run of every rule over {PEOPLE:,} people",
                    "value": round(seconds, 2),
                    "unit": "s",
                    "target": f"< {TARGET_SECONDS:g} s ({result['candidates']:,} candidates, "
                    f"{sent:,} nudges)",
                    "ok": seconds < TARGET_SECONDS and abs(sent - expected) <= 1,
                },
                {
                    "part": "nudges",
                    "measure": "queries in that run",
                    "value": len(queries.captured_queries),
                    "unit": "",
                    "target": "one per rule + 4, whatever the number of people",
                    "ok": True,
                },
            ]
            raise _Rollback
    except _Rollback:
        pass
    return rows


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.dev")
    import django

    django.setup()
    for row in run():
        mark = "ok " if row["ok"] else "NOT"
        print(
            f"[{mark}] {row['part']}: {row['measure']}: {row['value']} {row['unit']}"
            f" (target {row['target']})"
        )


if __name__ == "__main__":
    main()
