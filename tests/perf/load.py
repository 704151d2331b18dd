"""Drive pages of running servers with Locust (headless, library API), one page at a time.

    python tests/perf/load.py --target http://127.0.0.1:8101 PAGES.json OUT.json \
        [--target http://127.0.0.1:8102 SMALL.json SMALL-OUT.json] [--seconds 3]

PAGES.json is what tests/perf/pages.py wrote (pages and a session per role); each page is
asked for by USERS concurrent clients with no think time, as its role, for a short warm-up
and then for the measured seconds. With several targets, each page (by its label, in the
first target's order) is driven at every target that lists it before the next page. Each
OUT.json gets, per page label: requests a second, p50 and p95 in milliseconds, requests and
failures (any answer but 200/204 is one).
"""

import argparse
import json
import sys
import time
import urllib.request

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment

USERS = 4
WARM_UP = 0.5


def page_user(host: str, path: str, headers: dict) -> type:
    class PageUser(FastHttpUser):
        wait_time = constant(0)

        @task
        def open_page(self):
            with self.client.get(
                path, headers=headers, allow_redirects=False, catch_response=True, name=path
            ) as response:
                if response.status_code in (200, 204):
                    response.success()
                else:
                    response.failure(f"answered {response.status_code}")

    PageUser.host = host
    return PageUser


def measure(host: str, path: str, headers: dict, seconds: float, users: int) -> dict:
    env = Environment(user_classes=[page_user(host, path, headers)], events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(WARM_UP)
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(seconds)
    elapsed = time.monotonic() - started
    total = env.stats.total
    result = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "rps": total.num_requests / elapsed,
        "p50": total.get_response_time_percentile(0.5) if total.num_requests else None,
        "p95": total.get_response_time_percentile(0.95) if total.num_requests else None,
        "errors": sorted({str(e.error) for e in env.stats.errors.values()})[:3],
    }
    runner.quit()
    _drain(host)
    return result


def _drain(host: str, limit: float = 30.0) -> None:
    """Wait until the server is idle again: a slow page's requests outlive the clients that
    sent them and would otherwise be counted against the next page."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        began = time.monotonic()
        try:
            with urllib.request.urlopen(f"{host}/healthz", timeout=limit) as response:  # noqa: S310
                response.read()
        except OSError:
            pass
        if time.monotonic() - began < 0.1:
            return
        gevent.sleep(0.2)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--target", nargs=3, action="append", required=True, metavar=("HOST", "PAGES", "OUT")
    )
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--users", type=int, default=USERS)
    args = parser.parse_args(argv)
    targets = []
    for host, pages_file, out in args.target:
        with open(pages_file) as pages:
            plan = json.load(pages)
        by_label = {page["label"]: page for page in plan["pages"]}
        targets.append((host, plan["sessions"], by_label, out, {}))
    for label in targets[0][2]:
        for host, sessions, by_label, _out, results in targets:
            page = by_label.get(label)
            if page is None:
                continue
            headers = {}
            session = sessions.get(page["role"])
            if session:
                headers["Cookie"] = f"sessionid={session}"
            result = measure(host, page["path"], headers, args.seconds, args.users)
            results[label] = result
            print(
                f"  {label:50} {page['role']:12} {result['rps']:7.1f} req/s  "
                f"p95 {result['p95'] or 0:6.0f} ms  {result['failures']} failed  {host}",
                file=sys.stderr,
                flush=True,
            )
    for _host, _sessions, _by_label, out, results in targets:
        with open(out, "w") as written:
            json.dump(results, written)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
