"""What a minimal signed-in Django page reaches against /healthz, served and driven as the
HTTP stage serves and drives every page (gunicorn, 2 sync workers; Locust, 4 clients):

    BENCH_DATABASE_URL=postgres://.../socialearn_bench REDIS_URL=... \\
    python tests/perf/minimal_page.py

Pages: /healthz (one query, no session), a signed-in response with one query and no
template, the same with the base template (and its menu), and the home page. Prints each
one's requests a second and its ratio to /healthz: the figure the "≥ 0.25 of /healthz"
budget can be discussed with.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.perf import http_stage  # noqa: E402

PORT = int(os.environ.get("MINIMAL_PORT", "8104"))


def main() -> int:
    env = http_stage.server_env(os.environ["BENCH_DATABASE_URL"], "minimal")
    env["DJANGO_SETTINGS_MODULE"] = "tests.perf.minimal_settings"
    http_stage.OUT.mkdir(parents=True, exist_ok=True)
    plan = http_stage.OUT / "pages-minimal.json"
    login = (
        "import django; django.setup(); from django.test import Client; "
        "from django.contrib.auth import get_user_model; c = Client(); "
        "c.force_login(get_user_model().objects.get(email='demo@socialearn.local')); "
        "print(c.cookies['sessionid'].value)"
    )
    session = (
        subprocess.run(  # noqa: S603
            [sys.executable, "-c", login], cwd=ROOT, env=env, check=True, capture_output=True
        )
        .stdout.decode()
        .split()[-1]
    )
    pages = [
        ("healthz", "/healthz", "anonymous"),
        ("signed in, one query, no template", "/bench/signed-in/", "employee"),
        ("signed in, one query, base template", "/bench/signed-in-page/", "employee"),
        ("home", "/", "employee"),
    ]
    plan.write_text(
        json.dumps(
            {
                "sessions": {"employee": session},
                "pages": [{"label": lb, "path": p, "role": r} for lb, p, r in pages],
            }
        )
    )
    loads = http_stage.serve_and_load("minimal", env, PORT, plan)
    healthz = loads["healthz"]["rps"]
    print("\n| page | req/s | p50 ms | p95 ms | /healthz |\n|---|---|---|---|---|")
    for label, _path, _role in pages:
        r = loads[label]
        print(
            f"| {label} | {r['rps']:.1f} | {r['p50'] or 0:.0f} | {r['p95'] or 0:.0f} "
            f"| {r['rps'] / healthz:.2f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
