"""Challenges benchmark: post one flow item into a community of 100,000 members.

Members are created set-based (INSERT ... SELECT generate_series for users, profiles and
memberships). Then we time:
- posting alone (what the clock's transaction does; the fan-out is queued for the worker),
  for 1,000 and for 100,000 members: these should be the same order;
- posting plus the notification fan-out run synchronously (what the worker does), for
  100,000 members: target under 5 s.
Everything runs inside one transaction that is rolled back, so the database is left as found.

Run standalone with `python -m tests.perf.bench_challenges`; `run()` returns the rows.
"""

import os
import time
from datetime import time as wall_time

TARGET_FANOUT_SECONDS = 5.0
BIG = int(os.environ.get("BENCH_CHALLENGE_MEMBERS", "100000"))
SMALL = 1000


class _Rollback(Exception):
    pass


def _insert_select(model, n: int, tag: str, expressions: dict[str, str]) -> None:
    """INSERT INTO model's table SELECT ... FROM generate_series(1, n) g.

    `expressions` gives SQL for some columns (using g and the parameter %(tag)s); every
    other non-null column gets its field default, so the benchmark follows model changes.
    """
    from django.db import connection
    from django.utils import timezone

    columns, values, params = [], [], {"tag": tag, "n": n}
    for field in model._meta.concrete_fields:
        column = field.column
        if column in expressions:
            columns.append(column)
            values.append(expressions[column])
        elif field.primary_key or field.null:
            continue
        else:
            default = field.get_default()
            if default in (None, "") and getattr(field, "auto_now_add", False):
                default = timezone.now()
            if default is None:
                default = timezone.now() if field.get_internal_type() == "DateTimeField" else ""
            key = f"d_{column}"
            params[key] = field.get_db_prep_save(default, connection)
            columns.append(column)
            values.append(f"%({key})s")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - ours
        f"SELECT {', '.join(values)} FROM generate_series(1, %(n)s) AS g"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _community_with_members(n: int, tag: str):
    from django.contrib.auth import get_user_model

    from communities.models import Membership
    from communities.services import community_create
    from socialearn.people.models import Profile

    user_model = get_user_model()
    email = "'bench-' || %(tag)s || '-' || g || '@bench.local'"
    _insert_select(
        user_model,
        n,
        tag,
        {
            "username": email,
            "email": email,
            "password": "'!'",
            "first_name": "'Bench'",
            "last_name": "'Member ' || g",
            "is_active": "true",
            "date_joined": "now()",
        },
    )
    users = user_model.objects.filter(username__startswith=f"bench-{tag}-")
    first_id = users.order_by("pk").values_list("pk", flat=True).first()
    _insert_select(
        Profile,
        n,
        tag,
        {"user_id": f"{first_id} + g - 1", "display_name": "'Bench member ' || g"},
    )
    curator = users.order_by("pk").first()
    community = community_create(created_by=curator, name=f"Bench {tag}", purpose="Benchmark.")
    _insert_select(
        Membership,
        n - 1,
        tag,
        {
            "community_id": str(community.pk),
            "user_id": f"{first_id} + g",
            "role": "'member'",
            "status": "'active'",
            "created_at": "now()",
            "joined_at": "now()",
        },
    )
    return community, curator


def _flow_item(community, curator, title: str):
    from challenges import services
    from challenges.models import FlowItem

    flow = services.flow_create(
        community=community, curator=curator, name=title, post_time=wall_time(9, 0)
    )
    return services.flow_item_add(flow=flow, kind=FlowItem.Kind.TIP, title=title, body="Tip")


def _time_post(item) -> float:
    from challenges import services

    started = time.perf_counter()
    services.flow_item_post_now(item=item)
    return time.perf_counter() - started


def run() -> list[dict]:
    from django.db import transaction

    from socialearn.notifications.models import Notification
    from socialearn.notifications.services import fan_out_run

    rows: list[dict] = []
    try:
        with transaction.atomic():
            small, small_curator = _community_with_members(SMALL, "s")
            big, big_curator = _community_with_members(BIG, "b")
            members = big.memberships.count()

            _time_post(_flow_item(small, small_curator, "Warm-up"))  # caches, first queries
            post_small = _time_post(_flow_item(small, small_curator, "Small post"))
            post_big = _time_post(_flow_item(big, big_curator, "Big post"))

            item = _flow_item(big, big_curator, "Post and fan out")
            started = time.perf_counter()
            _time_post(item)
            inserted = fan_out_run(
                audience="community_members",
                audience_kwargs={"community_id": big.pk},
                kind="flow_item",
                title=item.title,
                url="/",
                dedupe_key=f"flow-item:{item.pk}",
                exclude_user_ids=[big_curator.pk],
            )
            both = time.perf_counter() - started
            delivered = Notification.objects.filter(dedupe_key=f"flow-item:{item.pk}").count()
            rows += [
                {
                    "part": "challenges",
                    "measure": f"post one flow item + fan-out to {members:,} members",
                    "value": round(both, 2),
                    "unit": "s",
                    "target": f"< {TARGET_FANOUT_SECONDS:g} s ({inserted:,} notifications)",
                    "ok": both < TARGET_FANOUT_SECONDS and delivered == members - 1,
                },
                {
                    "part": "challenges",
                    "measure": f"posting alone, {SMALL:,} members",
                    "value": round(post_small * 1000, 1),
                    "unit": "ms",
                    "target": "fan-out runs in the worker",
                    "ok": True,
                },
                {
                    "part": "challenges",
                    "measure": f"posting alone, {members:,} members",
                    "value": round(post_big * 1000, 1),
                    "unit": "ms",
                    "target": f"same order as {SMALL:,} members (< 10x)",
                    "ok": post_big < max(post_small * 10, 0.05),
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
