"""One live event under load: 1,000 viewers polling its page and 20 people posting to it.

gunicorn serves the site (production settings, 2 sync workers) on 127.0.0.1:8103 against the
bench database; tests/perf/live_load.py drives it for BENCH_LIVE_SECONDS (60) with
BENCH_LIVE_VIEWERS (1,000) viewers polling every second and 20 posters sending a message
every 3 s. Reported: p95 time from a post to its arrival at the viewers (budget 2 s), errors
(budget 0) and the server's CPU per 100 viewers (user+system seconds of the gunicorn
processes per second of load, per 100 viewers).
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import psutil
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
PORT = 8103
VIEWERS = int(os.environ.get("BENCH_LIVE_VIEWERS", "1000"))
SECONDS = float(os.environ.get("BENCH_LIVE_SECONDS", "60"))
POSTERS = 20
VIEWER_ACCOUNTS = 50
# How gunicorn runs: the production default (2 sync workers), or e.g. "--workers 2 --threads 8".
WORKERS = os.environ.get("BENCH_LIVE_WORKERS", "--workers 2")
LOADERS = int(os.environ.get("BENCH_LIVE_LOADERS", "2"))  # load processes (one per core)
OUT = ROOT / "var" / "bench"


def say(message: str) -> None:
    print(f"[bench live] {message}", file=sys.stderr, flush=True)


def _people(prefix: str, n: int) -> list:
    User = get_user_model()
    people = []
    for i in range(n):
        user, _ = User.objects.get_or_create(
            username=f"{prefix}{i}", defaults={"email": f"{prefix}{i}@bench.example"}
        )
        people.append(user)
    return people


def _cookie(user) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _event(posters, viewers):
    from communities.models import Community, Membership
    from communities.services import community_create, membership_join
    from expertqa.live.services import live_event_schedule
    from socialearn.people.models import Topic

    host = posters[0]
    community = Community.objects.filter(name="Live bench hall").first()
    if community is None:
        topic, _ = Topic.objects.get_or_create(name="Live bench", defaults={"slug": "live-bench"})
        community = community_create(
            created_by=host, name="Live bench hall", purpose="Load.", topics=[topic]
        )
    joined = set(community.memberships.values_list("user_id", flat=True))
    for person in posters + viewers:
        if person.pk not in joined:
            membership_join(community=community, user=person, role=Membership.Role.MEMBER)
    now = timezone.now()
    return live_event_schedule(
        created_by=host,
        community=community,
        title=f"Live bench {now:%Y-%m-%d %H:%M:%S}",
        topic=community.topics.first(),
        hosts=[host],
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
        invite=False,
    )


def _answers() -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2) as r:  # noqa: S310
            return r.status == 200
    except OSError:
        return False


def _cpu(process: psutil.Process) -> float:
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def run() -> list[dict]:
    from django.urls import reverse

    from expertqa.live import channel
    from expertqa.live.views import _token

    posters = _people("live-bench-poster-", POSTERS)
    viewers = _people("live-bench-viewer-", VIEWER_ACCOUNTS)
    event = _event(posters, viewers)
    csrf = secrets.token_hex(16)
    plan = {
        "base": f"http://127.0.0.1:{PORT}",
        "changes": reverse("expertqa:live_changes", args=[event.pk]),
        "post": reverse("expertqa:live_post", args=[event.pk]),
        "version": channel.current_version(event.pk),
        "seconds": SECONDS,
        "n_viewers": VIEWERS,
        "viewers": [{"cookie": _cookie(u), "token": _token(event.pk, u)} for u in viewers],
        "posters": [
            {"cookie": f"{_cookie(u)}; {settings.CSRF_COOKIE_NAME}={csrf}", "csrf": csrf}
            for u in posters
        ],
    }
    OUT.mkdir(parents=True, exist_ok=True)
    plan_path = OUT / "live-plan.json"
    env = os.environ.copy()
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "socialearn.settings.production",
            "PYTHONPATH": str(ROOT),
            "SECRET_KEY": settings.SECRET_KEY,  # the sessions and tokens made here
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
            "LOG_LEVEL": "ERROR",
        }
    )
    if _answers():
        raise SystemExit(f"something already answers on 127.0.0.1:{PORT}; stop it first")
    say(f"gunicorn on 127.0.0.1:{PORT}; {VIEWERS} viewers and {POSTERS} posters, {SECONDS:g} s")
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "socialearn.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            *WORKERS.split(),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not _answers():
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("gunicorn for the live bench did not start")
            time.sleep(0.3)
        process = psutil.Process(server.pid)
        plan["start"] = time.time() + 3  # every load process starts together
        plan_path.write_text(json.dumps(plan))
        cpu_before, started = _cpu(process), time.monotonic()
        share = -(-VIEWERS // LOADERS)
        loaders = [
            subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "tests/perf/live_load.py",
                    str(plan_path),
                    str(OUT / f"live-load-{i}.json"),
                    str(i * share),
                    str(min(VIEWERS, (i + 1) * share)),
                    "1" if i == 0 else "0",
                ],
                cwd=ROOT,
                env=env,
            )
            for i in range(LOADERS)
        ]
        for loader in loaders:
            if loader.wait() != 0:
                raise SystemExit("a live load process failed")
        cpu = (_cpu(process) - cpu_before) / (time.monotonic() - started - 3)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    parts = [json.loads((OUT / f"live-load-{i}.json").read_text()) for i in range(LOADERS)]
    result = {k: sum(p[k] for p in parts) for k in ("polls", "poll_errors", "posts", "post_errors")}
    delays = sorted(d for p in parts for d in p["delays"])
    expected = parts[0]["posted"] * VIEWERS

    def pct(q: float) -> float | None:
        return round(delays[min(len(delays) - 1, int(q * len(delays)))], 2) if delays else None

    result.update(p50=pct(0.5), p95=pct(0.95), max=pct(1.0), arrivals=len(delays))
    say(json.dumps(result))
    for line in [e for p in parts for e in p["errors"]][:5]:
        say(f"error: {line}")
    p95 = result["p95"]
    errors = result["poll_errors"] + result["post_errors"]
    missing = expected - len(delays)
    part = f"live ({VIEWERS} viewers, {POSTERS} posters, {SECONDS:g} s, gunicorn {WORKERS})"
    return [
        {
            "part": part,
            "measure": "post → arrival at viewers, p95",
            "value": p95 if p95 is not None else "-",
            "unit": "s",
            "target": "≤ 2",
            "ok": p95 is not None and p95 <= 2,
        },
        {
            "part": part,
            "measure": "post → arrival, p50 / max",
            "value": f"{result['p50']} / {result['max']}",
            "unit": "s",
            "target": "",
            "ok": True,
        },
        {
            "part": part,
            "measure": f"errors ({result['polls']:,} polls, {result['posts']:,} posts)",
            "value": errors,
            "unit": "",
            "target": "0",
            "ok": errors == 0,
        },
        {
            "part": part,
            "measure": "arrivals missing (messages a viewer never saw)",
            "value": max(missing, 0),
            "unit": "",
            "target": "0",
            "ok": missing <= 0,
        },
        {
            "part": part,
            "measure": "server CPU per 100 viewers",
            "value": round(cpu / (VIEWERS / 100), 3),
            "unit": "cores",
            "target": "",
            "ok": True,
        },
    ]
