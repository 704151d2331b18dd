"""`make soak`: ten minutes of mixed traffic against gunicorn, a worker and beat on loopback.

On a PostgreSQL and a Redis of its own (as `make faults`), with the fast clock of
tests/faults/settings.py. Virtual people read pages (home, community, thread, inbox), post
threads and replies, react, while the clock posts a flow item every few seconds and fans it
out. Reports requests by status, errors, what was lost (items unposted, notifications short,
outbox left open or dead) and the memory (RSS) of every process at the start and the end.

    SOAK_SECONDS=600 SOAK_USERS=6 python tests/faults/soak.py
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.faults.run import (  # noqa: E402
    PYTHON,
    ROOT,
    WORK,
    Postgres,
    Processes,
    Redis,
    actor,
    free_port,
    say,
)

SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
USERS = int(os.environ.get("SOAK_USERS", "6"))
WARM_UP = 60.0


def rss_mb(process: psutil.Process) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return round(total / 1e6, 1)


def memory(pids: dict[str, int]) -> dict[str, float]:
    return {name: rss_mb(psutil.Process(pid)) for name, pid in pids.items()}


class Person(threading.Thread):
    def __init__(self, base: str, world: dict, session_id: str, stop: threading.Event, stats):
        super().__init__(daemon=True)
        self.base, self.world, self.stop, self.stats = base, world, stop, stats
        self.http = requests.Session()
        self.csrf = secrets.token_hex(16)  # 32 characters: Django takes it as the secret
        self.http.cookies.set("sessionid", session_id)
        self.http.cookies.set("csrftoken", self.csrf)
        self.random = random.Random(session_id)

    def call(self, method: str, path: str, **data) -> None:
        started = time.monotonic()
        try:
            response = self.http.request(
                method,
                self.base + path,
                data=data or None,
                headers={"X-CSRFToken": self.csrf, "Referer": self.base + "/"},
                allow_redirects=False,
                timeout=30,
            )
            key = f"{method} {response.status_code // 100}xx"
            if response.status_code >= 500:
                self.stats["errors"].append(f"{method} {path} -> {response.status_code}")
        except requests.RequestException as error:
            key = f"{method} failed"
            self.stats["errors"].append(f"{method} {path} -> {type(error).__name__}")
        self.stats["counts"][key] += 1
        self.stats["seconds"].append(time.monotonic() - started)

    def run(self) -> None:
        slug = self.world["slug"]
        threads = self.world["threads"]
        n = 0
        while not self.stop.is_set():
            n += 1
            thread = self.random.choice(threads)
            roll = self.random.random()
            if roll < 0.55:
                path = self.random.choice(
                    ["/", f"/communities/{slug}/", f"/communities/{slug}/t/{thread}/", "/inbox/"]
                )
                self.call("GET", path)
            elif roll < 0.75:
                self.call(
                    "POST",
                    f"/communities/{slug}/t/{thread}/reply/",
                    body=f"Reply {n} from the soak",
                )
            elif roll < 0.92:
                kind = self.random.choice(["thumbs_up", "idea", "thanks"])
                self.call("POST", f"/communities/{slug}/t/{thread}/react/", kind=kind)
            else:
                self.call(
                    "POST",
                    f"/communities/{slug}/post/",
                    kind="discussion",
                    title=f"Soak thread {n} {secrets.token_hex(3)}",
                    body="Posted by the soak",
                )
            time.sleep(self.random.uniform(0.05, 0.3))


def main() -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    postgres = Postgres(WORK / "pg")
    redis = Redis(free_port(), WORK / "redis")
    say("soak: starting our own PostgreSQL and Redis")
    database_url = postgres.start()
    redis.start()
    port = free_port()
    env = os.environ.copy()
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
        DJANGO_SETTINGS_MODULE="tests.faults.settings",
        PYTHONPATH=str(ROOT),
        CACHE_KEY_PREFIX="soak",
    )
    env.pop("CELERY_BROKER_URL", None)
    processes = Processes(env)
    stats = {"counts": Counter(), "errors": [], "seconds": []}
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        world = actor(env, "soak-seed", str(time.time()), str(SECONDS), str(USERS))
        processes.start(
            "gunicorn",
            [
                PYTHON,
                "-m",
                "gunicorn",
                "socialearn.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
                "--threads",
                "2",
                "--timeout",
                "60",
            ],
        )
        celery = [PYTHON, "-m", "celery", "-A", "socialearn"]
        processes.start("worker", [*celery, "worker", "-c", "2", "-l", "warning"])
        processes.start("beat", [*celery, "beat", "-l", "warning", "-s", str(WORK / "beat")])
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/healthz", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        pids = {name: p.pid for name, p in processes.running.items()}
        pids["redis"] = redis.process.pid
        pids["postgres"] = int((WORK / "pg" / "postmaster.pid").read_text().split()[0])
        stop = threading.Event()
        people = [
            Person(base, world, session, stop, stats) for session in world["sessions"][:USERS]
        ]
        say(f"soak: {len(people)} people for {SECONDS:.0f} s against gunicorn on {base}")
        for person in people:
            person.start()
        started = time.monotonic()
        time.sleep(min(WARM_UP, SECONDS / 4))
        first = memory(pids)
        samples = [first]
        while time.monotonic() - started < SECONDS:
            time.sleep(30)
            samples.append(memory(pids))
        stop.set()
        for person in people:
            person.join(timeout=40)
        last = memory(pids)
        say("soak: traffic stopped; waiting for the clock and the outbox to finish")
        check: dict = {}
        for _ in range(24):
            check = actor(env, "soak-check")
            if not check["outbox_open"] and not check["unposted"]:
                break
            time.sleep(5)
        health = requests.get(base + "/healthz?full", timeout=5).json()
    finally:
        processes.stop_all()
        redis.stop()
        postgres.stop()
    return report(stats, check, first, last, samples, health)


def report(stats, check, first, last, samples, health) -> int:
    seconds = sorted(stats["seconds"]) or [0.0]
    total = sum(stats["counts"].values())
    print()
    print(
        f"requests: {total}  " + ", ".join(f"{k}: {v}" for k, v in sorted(stats["counts"].items()))
    )
    print(
        f"latency: median {seconds[len(seconds) // 2] * 1000:.0f} ms, "
        f"p95 {seconds[int(len(seconds) * 0.95)] * 1000:.0f} ms"
    )
    print(f"errors: {len(stats['errors'])}  {stats['errors'][:5]}")
    print(
        f"written: {check['threads']} threads, {check['replies']} replies, "
        f"{check['reactions']} reactions standing"
    )
    print(
        f"clock: {check['posted']} flow items posted, {check['unposted']} unposted; "
        f"notifications {check['delivered']} of {check['expected']}; "
        f"outbox open {check['outbox_open']}, dead {check['outbox_dead']}, "
        f"done {check['outbox_done']}; /healthz?full {json.dumps(health['outbox'])}"
    )
    print()
    print(f"{'process':10} | {'RSS at 1 min (MB)':>17} | {'RSS at end (MB)':>15} | {'peak':>6}")
    print("-" * 58)
    for name in first:
        peak = max(sample[name] for sample in samples + [last])
        print(f"{name:10} | {first[name]:>17} | {last[name]:>15} | {peak:>6}")
    lost = check["unposted"] + (check["expected"] - check["delivered"]) + check["outbox_open"]
    ok = not stats["errors"] and lost == 0 and check["outbox_dead"] == 0
    print()
    print(f"{'ok' if ok else 'FAIL'}: {len(stats['errors'])} errors, {lost} lost")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
