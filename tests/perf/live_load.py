"""Load for one live event page: viewers polling it and posters writing to it (gevent).

    python tests/perf/live_load.py PLAN.json OUT.json FIRST LAST POSTERS

PLAN.json (written by tests/perf/bench_live.py): the server's address, the event's poll and
post URLs, a session cookie and a poll token per viewer account, a session per poster, for
how long. Viewers FIRST..LAST-1 poll every POLL_SECONDS with the last version they hold, as
static/js/live.js does; when POSTERS is 1 this process also runs the posters, each sending
a message every POST_SECONDS. bench_live runs one process per core: one Python process
cannot read a thousand answers a second. A message carries its sending time (same machine,
same clock); OUT.json gets every delay from sending to a viewer seeing it, the polls, the
posts and their errors.
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
DRAIN = 30.0
MARKER = re.compile(r"bench m[0-9a-f]{12}_([0-9]+\.[0-9]+)")
VERSION = re.compile(r'\{"v":([0-9]+)')


def main() -> int:
    with open(sys.argv[1]) as plan_file:
        plan = json.load(plan_file)
    out_path = sys.argv[2]
    first, last, with_posters = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
    base = URL(plan["base"])
    delays: list[float] = []
    stats = {"polls": 0, "poll_errors": 0, "posts": 0, "post_errors": 0, "errors": []}
    deadline = plan["start"] + plan["seconds"]
    # Messages sent in the last seconds may arrive after the end: they are not sent at all.
    stop_posting = deadline - 3
    posted: list[float] = []

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
        caught_up = False
        # After the end, a viewer behind keeps polling until it has everything (or DRAIN s):
        # a message that arrives late is late, not lost.
        while time.time() < deadline or (not caught_up and time.time() < deadline + DRAIN):
            started = time.time()
            try:
                response = http.get(f"{plan['changes']}?t={account['token']}&v={version}", headers)
                body = response.read()
                stats["polls"] += 1
                caught_up = response.status_code == 204
                if response.status_code == 200:
                    # No JSON decoding: the version leads the answer; markers are plain text.
                    now = time.time()
                    text = body.decode()
                    version = int(VERSION.match(text).group(1))
                    for sent_at in set(MARKER.findall(text)):
                        delays.append(now - float(sent_at))
                elif response.status_code != 204:
                    error("poll_errors", f"poll answered {response.status_code}")
            except Exception as exc:  # noqa: BLE001 (any failure is an error to count)
                error("poll_errors", f"poll failed: {exc!r}")
                http = client()
            gevent.sleep(max(0.0, POLL_SECONDS - (time.time() - started)))

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
        while time.time() < stop_posting:
            marker = f"m{uuid.uuid4().hex[:12]}_{time.time():.3f}"
            posted.append(time.time())
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

    gevent.sleep(max(0.0, plan["start"] - time.time()))
    jobs = [gevent.spawn(viewer, n) for n in range(first, last)]
    if with_posters:
        jobs += [gevent.spawn(poster, n) for n in range(len(plan["posters"]))]
    gevent.joinall(jobs)
    with open(out_path, "w") as out:
        json.dump({**stats, "delays": delays, "posted": len(posted)}, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
