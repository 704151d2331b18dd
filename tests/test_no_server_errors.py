"""No user input reaches a 500.

Every URL of the product, as an anonymous visitor, an ordinary employee, a community manager,
an L&D admin and a mentoring coordinator: path parameters naming real objects and missing ones,
GET plain, as htmx and with garbage in the query string, POST empty, with garbage in every field
and with each field of each form in the pages spoiled in turn: every date field also gets
0001-01-01 and 9999-12-31, every text field 1 MB of distinct words. Each request runs in a
savepoint rolled back afterwards, so every request sees the same organisation.
"""

import time
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from tests.crawl import (
    build_world,
    distinct_words,
    missing_kwargs,
    parse_forms,
    real_kwargs,
    routes,
)

pytestmark = pytest.mark.django_db

GARBAGE = ["abc", "-1", "99999", "a\x00b", "q" * 3000]
# Whose pages and POSTs get every kind of garbage (the others get a sample), and where.
THOROUGH = {"employee": "", "ld_admin": "", "manager": "communities", "coordinator": "mentoring"}
# Where each person goes at all (the coordinator only to what coordinators run).
WHERE = {"coordinator": ("mentoring", "expertqa", "challenges")}


def _thorough(label, route) -> bool:
    return label in THOROUGH and route.namespace.startswith(THOROUGH[label])


# The query-string names the views read, besides those of the GET forms found in the pages.
QUERY_NAMES = {
    "page",
    "sort",
    "kind",
    "topic",
    "q",
    "part",
    "t",
    "next",
    "reply",
    "period",
    "start",
    "end",
    "from",
    "to",
    "a",
    "b",
    "department",
    "location",
    "o",
    "p",
    "e",
}
MIXED_QUERY = {
    "page": "abc",
    "sort": "<script>",
    "kind": "zzz",
    "from": "2026-13-45",
    "to": "notadate",
    "q": "' OR 1=1 --",
    "period": "custom",
    "start": "2026-13-45",
    "end": "notadate",
}
# Names the views read from request.POST directly, besides their forms' fields.
POST_NAMES = {"community", "decision", "role", "reply", "next", "locked", "action", "direction"}
SPOILERS = {
    "number": ["999999", "abc", "-1"],
    "select": ["999999", "zzz"],
    "select-multiple": ["999999"],
    "hidden": ["999999", "abc"],
    "radio": ["zzz"],
    "checkbox": ["zzz"],
    "date": ["2026-13-45", "0001-01-01"],
    "datetime-local": ["2026-13-45T25:61", "9999-12-31T23:59"],
    "time": ["25:61"],
    "url": ["javascript:alert(1)"],
    "email": ["not-an-email"],
}
TEXT_SPOILERS = ["a\x00b", "x" * 5000]
# Sent to every field of these kinds besides the first spoiler above: dates no feature can use.
EXTREMES = {
    "date": ["0001-01-01", "9999-12-31"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
}
TEXT_KINDS = {"text", "textarea", "search", "password", "url", "email"}
EXTREME_QUERY = {"period": "custom", "start": "0001-01-01", "end": "9999-12-31"}


OVERSIZE = distinct_words(1_100_000)


class Crawl:
    def __init__(self, world):
        self.world = world
        self.failures: list[str] = []
        self.requests = 0
        self.seen_problems = set()
        self.clients = {}
        for label, user in world["users"].items():
            client = Client()
            if user is not None:
                client.force_login(user)
            self.clients[label] = client

    def phase(self, name: str) -> None:
        now = time.monotonic(), self.requests
        last = getattr(self, "_last", (now[0], 0))
        print(f"phase {name}: {now[1] - last[1]} requests in {now[0] - last[0]:.1f}s")
        self._last = now

    def request(self, label: str, method: str, url: str, data=None, **headers) -> object:
        client = self.clients[label]
        self.requests += 1
        response = None
        try:
            with transaction.atomic():
                if method == "get":
                    response = client.get(url, data=data, headers=headers)
                else:
                    response = client.post(url, data=data or {}, headers=headers)
                transaction.set_rollback(True)
        except Exception as error:  # noqa: BLE001 - every failure is collected and reported
            self.fail(label, method, url, data, headers, f"{type(error).__name__}: {error}")
            return None
        finally:
            if url.startswith("/accounts/") and self.world["users"][label] is not None:
                client.force_login(self.world["users"][label])
        if response.status_code >= 500:
            self.fail(label, method, url, data, headers, f"status {response.status_code}")
        return response

    def fail(self, label, method, url, data, headers, problem):
        values = {v for v in (data or {}).values() if isinstance(v, str)}
        if len(data or {}) > 3 and len(values) == 1:
            shown = f"every field = {next(iter(values))[:40]!r}"
        else:
            shown = {
                k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v)
                for k, v in (data or {}).items()
            }
        key = (method, _shape(url), problem[:200])
        if key not in self.seen_problems:
            self.seen_problems.add(key)
            self.failures.append(
                f"{method.upper()} {url} as {label}"
                + (" htmx" if headers else "")
                + (f" {shown}" if shown else "")
                + f": {problem[:300]}"
            )


def _shape(url):
    import re

    return re.sub(r"/\d+/", "/N/", url.split("?")[0])


def _signed_out_redirect(response) -> bool:
    return (
        response is not None
        and response.status_code in (301, 302)
        and ("/accounts/login/" in response.get("Location", ""))
    )


def _turned_away(response) -> bool:
    """Sent to sign in, refused, or not found: spoiling the input further changes nothing."""
    if response is None:  # already reported
        return True
    return _signed_out_redirect(response) or response.status_code in (403, 404, 405)


def _spoilers(field) -> list[str]:
    """What a field of a form is spoiled with: the first garbage of its kind, then the dates
    no feature can use, or an oversize body."""
    first = SPOILERS.get(field.kind, TEXT_SPOILERS)[:1]
    if field.kind in EXTREMES:
        return first + EXTREMES[field.kind]
    if field.kind in TEXT_KINDS or field.kind not in SPOILERS:
        return first + [OVERSIZE]
    return first


def _garbage_files(names):
    return {n: SimpleUploadedFile("people.csv", b"\xff\xfe\x00email;;\n,,,\n") for n in names}


def test_no_input_from_anyone_reaches_a_server_error():
    started = time.monotonic()
    world = build_world()
    crawl = Crawl(world)
    crawl.phase("0")
    all_routes = [r for r in routes() if not r.path.startswith("admin/")]
    admin_routes = [r for r in routes() if r.path.startswith("admin/")]

    # 1. GET everything, noting the forms each page offers.
    forms = {}  # (label, action path, field names) -> (label, action, Form)
    get_forms = {}  # the same for the search and filter forms of the pages
    query_names = set(QUERY_NAMES)
    post_names = set(POST_NAMES)
    file_names = set()
    instances = []  # (route, kwargs, is_real)
    for route in all_routes:
        for label, user in world["users"].items():
            if label in WHERE and route.namespace not in WHERE[label]:
                continue
            real = real_kwargs(route, world, user)
            for kwargs in real:
                instances.append((route, label, kwargs, True))
            for kwargs in missing_kwargs(route, real) if user is not None else ():
                instances.append((route, label, kwargs, False))
    seen = set()
    live = []  # instances worth spoiling further (not sent to sign in)
    for route, label, kwargs, is_real in instances:
        url = route.url(kwargs)
        if url is None or (label, url) in seen:
            continue
        seen.add((label, url))
        response = crawl.request(label, "get", url)
        if response is None:
            continue
        if is_real and not _turned_away(response):
            live.append((route, label, url))
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("text/html"):
            page = parse_forms(response.content.decode())
            for form in page.forms:
                names = tuple(f.name for f in form.fields if f.name)
                if form.method == "get":
                    query_names.update(names)
                    get_forms.setdefault((_shape(url), names), (label, url, form))
                    continue
                action = urlsplit(urljoin(url, form.action or url)).path
                post_names.update(names)
                file_names.update(f.name for f in form.fields if f.kind == "file")
                forms.setdefault((_shape(action), names), (label, action, form))

    crawl.phase("1")
    # 2. Spoil the query string of every page that answered.
    for route, label, url in live:
        crawl.request(label, "get", url, HX_Request="true")
        crawl.request(label, "get", url, data=MIXED_QUERY)
        if route.namespace == "insights":  # pages and CSV exports of a chosen period
            crawl.request(label, "get", url, data=EXTREME_QUERY)
        for value in GARBAGE[2:] if _thorough(label, route) else ():
            crawl.request(label, "get", url, data={name: value for name in query_names})

    crawl.phase("2")
    # 3. POST to every URL: nothing, then garbage in every field, with real and missing ids.
    seen = set()
    for route, label, kwargs, is_real in instances:
        url = route.url(kwargs)
        if url is None or (label, url) in seen:
            continue
        seen.add((label, url))
        response = crawl.request(label, "post", url)
        if _turned_away(response) or route.path.startswith("accounts/logout"):
            continue
        values = ["abc", "a\x00b"] if _thorough(label, route) else ["abc"]
        values = values if is_real else ["999999"]
        for value in values:
            data = {name: value for name in post_names - file_names}
            data.update(_garbage_files(file_names))
            crawl.request(label, "post", url, data=data)
            if value == "abc":
                crawl.request(label, "post", url, data=data, HX_Request="true")

    crawl.phase("3")
    # 4. Every form found in the pages: as rendered, then each field spoiled in turn.
    for label, action, form in forms.values():
        if action.startswith("/accounts/logout"):
            continue
        baseline = {}
        for field in form.fields:
            if not field.name or field.kind in ("submit", "button"):
                continue
            if field.kind == "file":
                continue
            if field.value or field.kind not in ("checkbox", "radio"):
                baseline.setdefault(field.name, field.value)
        crawl.request(label, "post", action, data=baseline)
        spoiled = set()
        for field in form.fields:
            if not field.name or field.kind in ("submit", "button", "file"):
                continue
            if field.name in spoiled:
                continue
            spoiled.add(field.name)
            for value in _spoilers(field):
                crawl.request(label, "post", action, data={**baseline, field.name: value})

    crawl.phase("4")
    # 4b. The search and filter forms: out-of-range dates and oversize text in each field.
    for label, url, form in get_forms.values():
        action = urlsplit(urljoin(url, form.action or url)).path
        baseline = {f.name: f.value for f in form.fields if f.name and f.kind != "submit"}
        spoiled = set()
        for field in form.fields:
            if field.name in spoiled or field.kind not in {*EXTREMES, *TEXT_KINDS}:
                continue
            spoiled.add(field.name)
            for value in EXTREMES.get(field.kind, [OVERSIZE]):
                crawl.request(label, "get", action, data={**baseline, field.name: value})

    crawl.phase("4b")
    # 5. The Django admin, as the L&D admin: every page, with real and missing ids.
    admin_label = "ld_admin"
    user = world["users"][admin_label]
    for route in admin_routes:
        real = real_kwargs(route, world, user)
        for kwargs in real + missing_kwargs(route, real)[:1]:
            url = route.url(kwargs)
            if url is None:
                continue
            response = crawl.request(admin_label, "get", url)
            if route.name.endswith("_changelist") and response is not None:
                crawl.request(
                    admin_label, "get", url, data={"q": "a\x00b", "o": "abc", "p": "-1", "zz": "1"}
                )
            if route.name.endswith(("_add", "_change")):
                crawl.request(admin_label, "post", url)

    crawl.phase("5")
    elapsed = time.monotonic() - started
    print(f"{len(instances)} URL instances, {len(live)} pages, {len(forms)} forms")
    print(f"{crawl.requests} requests in {elapsed:.1f}s")
    assert not crawl.failures, f"{len(crawl.failures)} server errors:\n" + "\n".join(
        sorted(set(crawl.failures))
    )
