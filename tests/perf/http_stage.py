"""The HTTP stage of `make bench`: every page over HTTP, large organisation against small.

For the large bench database and the small one (the demo size):
1. tests/perf/pages.py lists every page of the URL configuration with the organisation's
   biggest objects, as the role that uses it, counts its SQL queries and EXPLAINs each one;
2. gunicorn serves the site with the production settings (2 sync workers) on a loopback port
   of its own for each organisation;
3. tests/perf/load.py drives each page with Locust, 4 concurrent clients, a few seconds each,
   at the large organisation and then at the small one before the next page (both servers
   run side by side; the one not driven is idle), so that a slow stretch of the machine
   weighs on both sides of a page's ratio rather than on one.
Then one table: page, role, requests a second, p50, p95, queries, large/small throughput,
throughput against /healthz in the same run, and each budget as ok / NO.

    BENCH_DATABASE_URL=postgres://.../socialearn_bench \\
    BENCH_SMALL_DATABASE_URL=postgres://.../socialearn_bench_small \\
    REDIS_URL=redis://127.0.0.1:6379/0 python tests/perf/http_stage.py

BENCH_HTTP_SECONDS (default 3) sets the measured seconds per page; BENCH_HTTP_ONLY=a,b keeps
the pages whose label starts with one of those prefixes (to re-measure a page after a fix).
"""

import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
OUT = ROOT / "var" / "bench"
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "3"))
# Budgets (issue: every page fast at organisation scale).
MIN_LARGE_SMALL = 0.7
MIN_OF_HEALTHZ = 0.25
MAX_P95_MS = 250
# Two benches on one machine (each with its own databases) need ports of their own.
PORT = int(os.environ.get("BENCH_HTTP_PORT", "8101"))
SERVERS = [("large", "BENCH_DATABASE_URL", PORT), ("small", "BENCH_SMALL_DATABASE_URL", PORT + 1)]


def say(message: str) -> None:
    print(f"[bench http] {message}", file=sys.stderr, flush=True)


def server_env(database_url: str, label: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "socialearn.settings.production",
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
            # A key for this bench only: its sessions live in the bench databases.
            "SECRET_KEY": env.get("BENCH_SECRET_KEY", "bench-only-" + "k" * 50),
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            # Each organisation its own cache keys, apart from any other site on this Redis.
            "CACHE_KEY_PREFIX": f"socialearn-bench-{label}",
            "LOG_LEVEL": "ERROR",
        }
    )
    return env


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@contextmanager
def serving(label: str, env: dict[str, str], port: int) -> Iterator[None]:
    """gunicorn with the production settings and 2 sync workers on `port`, until the block
    ends."""
    if not _port_free(port):
        raise SystemExit(f"something already listens on 127.0.0.1:{port}; stop it first")
    gunicorn = subprocess.Popen(  # noqa: S603
        [
            PYTHON,
            "-m",
            "gunicorn",
            "socialearn.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            if gunicorn.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn for the {label} organisation did not start")
            time.sleep(0.3)
        yield
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, signal.SIGKILL)
            gunicorn.wait()


def load(targets: list[tuple[str, int, Path]], env: dict[str, str]) -> dict[str, dict]:
    """Drive the pages of each (label, port, pages file) with tests/perf/load.py, page by page
    in turn across the targets: a page is measured at each organisation one after the other,
    so that whatever else slows the machine for a while slows both sides of its ratio."""
    outs = {label: OUT / f"load-{label}.json" for label, _port, _pages in targets}
    arguments = []
    for label, port, pages in targets:
        arguments += ["--target", f"http://127.0.0.1:{port}", str(pages), str(outs[label])]
    names = ", ".join(f"{label} on 127.0.0.1:{port}" for label, port, _pages in targets)
    say(f"driving every page at {names}, {SECONDS:g} s each, in turn")
    subprocess.run(  # noqa: S603
        [PYTHON, "tests/perf/load.py", *arguments, "--seconds", str(SECONDS)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return {label: json.loads(out.read_text()) for label, out in outs.items()}


def serve_and_load(label: str, env: dict[str, str], port: int, pages: Path) -> dict:
    with serving(label, env, port):
        return load([(label, port, pages)], env)[label]


def _ok(flag: bool) -> str:
    return "ok" if flag else "NO"


def table(plans: dict, loads: dict) -> tuple[list[str], list[dict]]:
    large, small = loads["large"], loads["small"]
    healthz = large["healthz"]["rps"]
    rows = []
    small_pages = {p["label"]: p for p in plans["small"]["pages"]}
    for page in plans["large"]["pages"]:
        label = page["label"]
        got = large.get(label)
        if got is None:
            continue
        mine = small.get(label)
        ratio = got["rps"] / mine["rps"] if mine and mine["rps"] else None
        of_healthz = got["rps"] / healthz if healthz else None
        queries = str(page["queries"])
        small_queries = small_pages.get(label, {}).get("queries")
        if small_queries is not None and small_queries != page["queries"]:
            queries += f" ({small_queries})"
        failed = got["failures"] or (mine and mine["failures"])
        rows.append(
            {
                "page": label,
                "role": page["role"],
                "rps": got["rps"],
                "p50": got["p50"],
                "p95": got["p95"],
                "queries": queries,
                "ratio": ratio,
                "of_healthz": of_healthz,
                "ok_ratio": ratio is not None and ratio >= MIN_LARGE_SMALL,
                "ok_healthz": of_healthz is not None and of_healthz >= MIN_OF_HEALTHZ,
                "ok_p95": got["p95"] is not None and got["p95"] <= MAX_P95_MS,
                "ok_scan": not page["seq_scans"],
                "failed": bool(failed),
            }
        )
    headers = [
        "page",
        "role",
        "req/s",
        "p50 ms",
        "p95 ms",
        "queries",
        "large/small",
        "/healthz",
        "≥0.7",
        "≥0.25 hz",
        "p95≤250",
        "no seq scan",
    ]
    lines = []
    cells = []
    for r in rows:
        cells.append(
            [
                r["page"] + (" (errors)" if r["failed"] else ""),
                r["role"],
                f"{r['rps']:.1f}",
                f"{r['p50']:.0f}" if r["p50"] is not None else "-",
                f"{r['p95']:.0f}" if r["p95"] is not None else "-",
                r["queries"],
                f"{r['ratio']:.2f}" if r["ratio"] is not None else "-",
                f"{r['of_healthz']:.2f}" if r["of_healthz"] is not None else "-",
                _ok(r["ok_ratio"]),
                _ok(r["ok_healthz"]),
                _ok(r["ok_p95"]),
                _ok(r["ok_scan"]),
            ]
        )
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    lines.append("| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells:
        lines.append("| " + " | ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)) + " |")
    return lines, rows


def main() -> int:
    # Stopped from outside, still stop the servers it started (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    OUT.mkdir(parents=True, exist_ok=True)
    only = [p for p in os.environ.get("BENCH_HTTP_ONLY", "").split(",") if p]
    started = time.monotonic()
    plans, envs = {}, {}
    for label, variable, _port in SERVERS:
        envs[label] = server_env(os.environ[variable], label)
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=envs["large"],
        check=True,
    )
    for label, _variable, _port in SERVERS:
        say(f"{label}: listing pages, counting and EXPLAINing their queries")
        out = OUT / f"pages-{label}.json"
        subprocess.run(  # noqa: S603
            [PYTHON, "tests/perf/pages.py", str(out)], cwd=ROOT, env=envs[label], check=True
        )
        plan = json.loads(out.read_text())
        if only:
            plan["pages"] = [
                p
                for p in plan["pages"]
                if p["label"] == "healthz" or p["label"].startswith(tuple(only))
            ]
            out.write_text(json.dumps(plan))
        plans[label] = plan
    with ExitStack() as servers:
        for label, _variable, port in SERVERS:
            servers.enter_context(serving(label, envs[label], port))
        targets = [(label, port, OUT / f"pages-{label}.json") for label, _v, port in SERVERS]
        loads = load(targets, envs["large"])
    lines, rows = table(plans, loads)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    heading = (
        f"HTTP bench {stamp} on {machine}: gunicorn (production settings, 2 sync workers), "
        f"Locust 4 clients, {SECONDS:g} s a page"
    )
    print()
    print(heading)
    print()
    print("\n".join(lines))
    scans = [(p["label"], s) for p in plans["large"]["pages"] for s in p["seq_scans"]]
    if scans:
        print("\nSequential scans over tables of more than 10,000 rows (large organisation):")
        for label, scan in scans:
            print(f"  {label}: {scan['table']} ({scan['rows']:,} rows): {scan['sql'][:160]}")
    misses = sum(
        1 for r in rows if not (r["ok_ratio"] and r["ok_healthz"] and r["ok_p95"] and r["ok_scan"])
    )
    print(
        f"\n{len(rows)} pages, {misses} below a budget; "
        f"not measured: {len(plans['large']['skipped'])} routes (POST only or no GET page); "
        f"stage took {time.monotonic() - started:.0f} s"
    )
    (OUT / "http-table.md").write_text(heading + "\n\n" + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
