"""CPU per request of one page in-process, as a signed-in person, with the production settings.

    DATABASE_URL=... REDIS_URL=... SECRET_KEY=... ALLOWED_HOSTS=testserver \
      AS=demo@socialearn.local [N=30] [SQL=1] [PROFILE=1] [SORT=tottime] \
      python tests/perf/page_cpu.py '/search/?q=data'

Prints the status, the query count (SQL=1: each query with its time) and CPU ms per request
(process_time, so other work on the machine matters less than for wall time); PROFILE=1 adds a
cProfile of N requests. For comparing a change with its parent at the large seed; the figures
the budgets are checked against come from the HTTP stage (`make bench`).
"""

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.production")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main(path: str) -> None:
    n = int(os.environ.get("N", "30"))
    client = Client(HTTP_HOST="testserver")
    if email := os.environ.get("AS"):
        client.force_login(get_user_model().objects.get(email=email))
    for _ in range(3):  # warm the caches a first view fills
        response = client.get(path, secure=True)
    print("status", response.status_code, "bytes", len(response.content))
    with CaptureQueriesContext(connection) as queries:
        client.get(path, secure=True)
    print("queries", len(queries.captured_queries))
    if os.environ.get("SQL"):
        for q in queries.captured_queries:
            print(q["time"], q["sql"][:300])
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        client.get(path, secure=True)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"cpu {1000 * cpu / n:.1f} ms  wall {1000 * wall / n:.1f} ms per request")
    if os.environ.get("PROFILE"):
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(n):
            client.get(path, secure=True)
        profile.disable()
        pstats.Stats(profile).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(45)


if __name__ == "__main__":
    main(sys.argv[1])
