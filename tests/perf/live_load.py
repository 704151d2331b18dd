"""Load for one live event page: viewers polling it and posters writing to it (gevent).

    python tests/perf/live_load.py PLAN.json OUT.json

PLAN.json (written by tests/perf/bench_live.py): the server's address, the event's poll
and post URLs, a session cookie and a poll token per viewer account, a session per poster,
how many viewers and posters, for how long. Each viewer polls every POLL_SECONDS with the last
version it holds, like static/js/live.js; each poster sends a message every POST_SECONDS.
A message carries a marker; the time from sending it to each viewer seeing it is recorded.
OUT.json gets the p50/p95/max of that time, the number of polls, their errors, the posts and
theirs.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import gevent  # noqa: E402
from geventhttpclient import URL, HTTPClient  # noqa: E402

POLL_SECONDS = 1.0
POST_SECONDS = 3.0
MARKER = re.compile(r"bench (m[0-9a-f]{12})")


def main() -> int:
    plan = json.loads(open(sys.argv[1]).read())
    out_path = sys.argv[2]
    base = URL(plan["base"])
    sent: dict[str, float] = {}
    delays: list[float] = []
    stats = {"polls": 0, "poll_errors": 0, "posts": 0, "post_errors": 0, "errors": []}
    deadline = time.monotonic() + plan["seconds"]
    # Messages posted in the last seconds may not arrive before the end: not counted missing.
    stop_posting = deadline - 3

    def client():
        return HTTPClient(
            base.host, port=base.port, concurrency=1, connection_timeout=10, network_timeout=30
        )

    def error(kind: str, detail: str) -> None:
        stats[kind] += 1
        if len(stats["errors"]) < 20:
            stats["errors"].append(detail)

    def viewer(n: int) -> None:
        account = plan["viewers"][n % len(plan["viewers"])]
        http = client()
        headers = {"Cookie": account["cookie"], "Accept": "application/json"}
        version = plan["version"]
        gevent.sleep(random.random() * POLL_SECONDS)  # noqa: S311 (spread, not security)
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                response = http.get(f"{plan['changes']}?t={account['token']}&v={version}", headers)
                body = response.read()
                stats["polls"] += 1
                if response.status_code == 200:
                    data = json.loads(body)
                    if data.get("reset"):
                        version = data["v"]
                    else:
                        now = time.monotonic()
                        for op in data.get("ops", []):
                            found = (
                                MARKER.search(op.get("html", "")) if op["op"] == "message" else None
                            )
                            if found and found.group(1) in sent:
                                delays.append(now - sent[found.group(1)])
                        version = data["v"]
                elif response.status_code != 204:
                    error("poll_errors", f"poll answered {response.status_code}")
            except Exception as exc:  # noqa: BLE001 (any failure is an error to count)
                error("poll_errors", f"poll failed: {exc!r}")
                http = client()
            gevent.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - started)))

    def poster(n: int) -> None:
        account = plan["posters"][n]
        http = client()
        headers = {
            "Cookie": account["cookie"],
            "X-CSRFToken": account["csrf"],
            "X-Live": "1",
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        gevent.sleep(random.random() * POST_SECONDS)  # noqa: S311
        while time.monotonic() < stop_posting:
            marker = f"m{uuid.uuid4().hex[:12]}"
            sent[marker] = time.monotonic()
            try:
                response = http.post(plan["post"], body=f"body=bench+{marker}", headers=headers)
                body = response.read()
                stats["posts"] += 1
                if response.status_code != 200 or not json.loads(body).get("ok"):
                    error("post_errors", f"post answered {response.status_code}: {body[:200]!r}")
            except Exception as exc:  # noqa: BLE001
                error("post_errors", f"post failed: {exc!r}")
                http = client()
            gevent.sleep(POST_SECONDS)

    jobs = [gevent.spawn(viewer, n) for n in range(plan["n_viewers"])]
    jobs += [gevent.spawn(poster, n) for n in range(len(plan["posters"]))]
    gevent.joinall(jobs)
    delays.sort()

    def pct(p: float) -> float | None:
        return round(delays[min(len(delays) - 1, int(p * len(delays)))], 3) if delays else None

    expected = len([1 for t0 in sent.values() if t0 < stop_posting]) * plan["n_viewers"]
    result = {
        **{k: v for k, v in stats.items()},
        "arrivals": len(delays),
        "expected_arrivals": expected,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "max": round(delays[-1], 3) if delays else None,
    }
    with open(out_path, "w") as out:
        json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
