"""Every query of every bench page, planned each time against prepared: which ones a generic
plan makes slower.

PostgreSQL plans a prepared statement with its values five times, then keeps one generic plan
when that looks no dearer; a generic plan knows no value, and a misjudged one can cost far
more than the planning it saves (the moderation queue's query walked a community's 6,000
threads until the code's constants were written into the SQL: socialearn/prepared.py). Run
after the HTTP stage (it reads the pages and sessions of var/bench/pages-large.json) against
the same database, with the stage's SECRET_KEY and cache prefix so that its sessions open:

    DATABASE_URL=postgres://.../socialearn_bench REDIS_URL=... \\
      SECRET_KEY=bench-only-kkk... CACHE_KEY_PREFIX=socialearn-bench-large \\
      SECURE_SSL_REDIRECT=false ALLOWED_HOSTS=testserver python tests/perf/prepared_plans.py

Prints, per page, the milliseconds of its queries planned each time and prepared (the best of
the runs after PostgreSQL's five custom plans), and each query that prepared is slower by
more than a third and half a millisecond; exits 1 when there is one. Queries the code runs in
`planned_each_time()` (a search) are never prepared and are timed only one way.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.production")

import django  # noqa: E402

django.setup()

import json  # noqa: E402

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from socialearn import prepared  # noqa: E402

PLANNED_RUNS, PREPARED_RUNS = 6, 9  # the first prepared runs are PostgreSQL's custom plans
SLOWER_BY, SLOWER_MS = 1.3, 0.5


def best_of(cursor, sql: str, params, runs: int, first: int, **kwargs) -> float:
    took = []
    for _ in range(runs):
        began = time.perf_counter()
        cursor.execute(sql, params, **kwargs)
        if cursor.description:
            cursor.fetchall()
        took.append(time.perf_counter() - began)
    return min(took[first:]) * 1000


def page_queries(page: dict, sessions: dict) -> list[tuple[str, list, bool]]:
    """(sql, params, prepared?) of each query the page runs, as the cursor would send it."""
    client = Client()
    if page["role"] in sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[page["role"]]
    captured = []

    def capture(execute, sql, params, many, context):
        if not many and sql.lstrip().upper().startswith(("SELECT", "(", "WITH")):
            sent, bound = prepared.inline_choices(sql, params)
            captured.append((sent, bound, not prepared._unprepared.get()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        client.get(page["path"], secure=True)
    return captured


def main() -> int:
    bench = json.loads((ROOT / "var" / "bench" / "pages-large.json").read_text())
    options = settings.DATABASES["default"]["OPTIONS"].get("options", "")
    slower = 0
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, options=options) as db:
        for page in bench["pages"]:
            planned_ms = prepared_ms = 0.0
            for sql, params, preparable in page_queries(page, bench["sessions"]):
                planned = best_of(psycopg.ClientCursor(db), sql, params, PLANNED_RUNS, 2)
                kept = (
                    best_of(db.cursor(), sql, params, PREPARED_RUNS, 6, prepare=True)
                    if preparable
                    else planned
                )
                planned_ms, prepared_ms = planned_ms + planned, prepared_ms + kept
                if kept > planned * SLOWER_BY and kept - planned > SLOWER_MS:
                    slower += 1
                    print(f"  SLOWER prepared: {planned:.2f} -> {kept:.2f} ms  {sql[:160]!r}")
            print(
                f"{page['label']:50} planned {planned_ms:7.2f} ms  prepared {prepared_ms:7.2f} ms"
            )
    print(f"{slower} queries slower prepared")
    return 1 if slower else 0


if __name__ == "__main__":
    sys.exit(main())
