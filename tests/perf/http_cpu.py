"""CPU per request over HTTP: what each page costs the server, page by page, with /healthz's
cost beside it.

    DATABASE_URL=postgres://.../socialearn_bench REDIS_URL=... \\
      python tests/perf/http_cpu.py var/bench/pages-large.json [--requests 30] [--only a,b]

PAGES.json is what tests/perf/pages.py wrote (the HTTP stage leaves var/bench/pages-large.json
and pages-small.json). One gunicorn sync worker serves the site with the production settings;
each page is asked for one request at a time, as its role, and the table gives per request
the CPU of the worker, the CPU of its PostgreSQL backend (both read from /proc/PID/schedstat,
so other work on the machine counts for little), the wall time, and /healthz's cost divided
by the page's.

Throughput in the HTTP stage follows these costs when the machine is busy with the bench
alone; this is the figure to compare a change with its parent on a machine doing other work,
and it says how far a page is from a share of /healthz before the stage is run.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _cpu_seconds(pid: int) -> float:
    """Time the process has run on a CPU (the scheduler's count, in nanoseconds: /proc's
    utime and stime move in steps of 10 ms)."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _worker(master: int) -> int:
    children = subprocess.run(  # noqa: S603
        ["pgrep", "-P", str(master)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    if len(children) != 1:
        raise SystemExit(f"expected one gunicorn worker, found {children}")
    return int(children[0])


def _backends(worker: int, database_url: str) -> list[int]:
    """The PostgreSQL server processes serving the worker's connections."""
    sockets = subprocess.run(
        ["ss", "-tnpH"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    ports = [
        line.split()[3].rsplit(":", 1)[1]
        for line in sockets.splitlines()
        if f"pid={worker}," in line and line.split()[4].endswith(":5432")
    ]
    if not ports:
        return []
    query = f"SELECT pid FROM pg_stat_activity WHERE client_port IN ({','.join(ports)})"  # noqa: S608 - ports are digits
    found = subprocess.run(  # noqa: S603
        ["psql", database_url, "-At", "-c", query],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    return [int(pid) for pid in found]


def _get(port: int, path: str, session: str | None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"sessionid={session}"} if session else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def measure(port: int, master: int, database_url: str, page: dict, session, requests: int):
    """The page's costs per request; None when the worker's database connection was replaced
    meanwhile (CONN_MAX_AGE), which a second try rarely meets."""
    # What first requests fill: kept values, the connection, and the plans of its prepared
    # statements (psycopg prepares on the 5th run, PostgreSQL keeps a plan after 5 more).
    for _ in range(12):
        status = _get(port, page["path"], session)
    worker = _worker(master)
    backends = _backends(worker, database_url)
    worker_cpu = _cpu_seconds(worker)
    backend_cpu = sum(_cpu_seconds(pid) for pid in backends)
    began = time.perf_counter()
    for _ in range(requests):
        _get(port, page["path"], session)
    wall = time.perf_counter() - began
    try:
        backend_cpu = sum(_cpu_seconds(pid) for pid in backends) - backend_cpu
    except FileNotFoundError:
        return None
    return {
        "status": status,
        "worker_ms": 1000 * (_cpu_seconds(worker) - worker_cpu) / requests,
        "db_ms": 1000 * backend_cpu / requests,
        "wall_ms": 1000 * wall / requests,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--only", default="", help="label prefixes, comma-separated")
    args = parser.parse_args(argv)
    plan = json.loads(Path(args.pages).read_text())
    only = tuple(p for p in args.only.split(",") if p)
    pages = [
        p
        for p in plan["pages"]
        if not only or p["label"] == "healthz" or p["label"].startswith(only)
    ]
    pages.sort(key=lambda p: p["label"] != "healthz")
    database_url = os.environ["DATABASE_URL"]
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "socialearn.settings.production",
        "PYTHONPATH": str(ROOT),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "ERROR",
    }
    env.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)  # the key pages.py signed with
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "socialearn.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(port, "/healthz", None)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.3)
        print("| page | role | worker ms | db ms | wall ms | /healthz cost / page cost |")
        print("|---|---|---|---|---|---|")
        healthz = None
        for page in pages:
            session = plan["sessions"].get(page["role"])
            got = None
            while got is None:
                got = measure(port, server.pid, database_url, page, session, args.requests)
            cost = got["worker_ms"] + got["db_ms"]
            if healthz is None:
                healthz = cost
            share = healthz / cost if cost else float("nan")
            status = "" if got["status"] in (200, 204) else f" (answered {got['status']})"
            print(
                f"| {page['label']}{status} | {page['role']} | {got['worker_ms']:.2f} | "
                f"{got['db_ms']:.2f} | {got['wall_ms']:.2f} | {share:.2f} |",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
