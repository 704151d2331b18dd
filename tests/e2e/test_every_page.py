"""Every page of the product, from the URL configuration, in a browser at desk and phone width,
as the person it is for: the page never scrolls sideways, logs no console error, shows no
broken image, and axe-core finds no serious or critical accessibility violation.

Screenshots of every page go to var/screenshots/<role>/ (git-ignored) for people to look at.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.crawl import build_world, real_kwargs, routes

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (1280, 390)

# Whose pages each part of the product is, first; the others are tried when it does not open.
OWNER = {
    "communities": "manager",
    "mentoring": "coordinator",
    "insights": "ld_admin",
    "challenges": "ld_admin",
    "courses": "ld_admin",
    "expertqa": "employee",
}
ROLES = ("employee", "manager", "coordinator", "ld_admin")
# Pages that are not pages: feeds, files, fragments, the admin (Django's own), sign-in flows.
SKIP_NAMESPACES = {"admin", "djdt"}
NOT_A_PAGE = re.compile(r"(feed|rss|atom|ics|export|csv|suggest|healthz|poll|logout|static)")


# Pages everyone has, each in its own version: seen as every role.
EVERY_ROLE = {"home"}


def pages(world) -> list[tuple[str, str, str]]:
    """(role, route name, url) for every page that opens as HTML for someone, once each."""
    clients = {}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(world["users"][role])
    clients["anonymous"] = Client()
    found, seen = [], set()
    for route in routes():
        if not route.name or route.namespace in SKIP_NAMESPACES or NOT_A_PAGE.search(route.name):
            continue
        owner = OWNER.get(route.namespace, "employee")
        order = [owner] + [r for r in ROLES if r != owner]
        if route.name.startswith("account_"):
            order = ["anonymous"]
        for role in order:
            user = world["users"].get(role)
            kwargs = real_kwargs(route, world, user)[0]
            url = route.url(kwargs)
            if url is None or (url, role) in seen or (url in seen and route.name not in EVERY_ROLE):
                break
            response = clients[role].get(url)
            html = response.get("Content-Type", "").startswith("text/html")
            if response.status_code == 200 and html and b"<html" in response.content[:500]:
                seen.update({url, (url, role)})
                found.append((role, route.name, url))
                if route.name not in EVERY_ROLE:
                    break
    return found


AUDIT = """() => ({
  overflow: document.documentElement.scrollWidth - window.innerWidth,
  brokenImages: [...document.images]
    .filter(i => i.complete && i.naturalWidth === 0).map(i => i.src),
})"""
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.impact} ${v.id}: ` +
      v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


def test_every_page_fits_the_screen_logs_no_error_and_passes_axe(new_page, live_server):
    world = build_world()
    found = pages(world)
    assert len(found) > 40, found
    problems: list[str] = []
    axe_source = AXE.read_text()
    errors: list[str] = []  # what the page being looked at logs
    for width in WIDTHS:
        tabs = {}
        for role, name, url in found:
            if role not in tabs:
                tabs[role] = new_page(world["users"].get(role), width=width, height=900)
                tabs[role].on(
                    "console", lambda msg: msg.type == "error" and errors.append(msg.text)
                )
                tabs[role].on("pageerror", lambda exc: errors.append(str(exc)))
            page = tabs[role]
            errors.clear()
            page.goto(url, wait_until="load")
            where = f"{url} as {role} at {width}px"
            audit = page.evaluate(AUDIT)
            if audit["overflow"] > 0:
                problems.append(f"{where}: the page is {audit['overflow']}px wider than the screen")
            if audit["brokenImages"]:
                problems.append(f"{where}: broken images {audit['brokenImages']}")
            # Evaluated through the browser's protocol: the content security policy (rightly)
            # refuses an injected <script>.
            page.evaluate(axe_source)
            problems += [f"{where}: {v}" for v in page.evaluate(AXE_RUN)]
            problems += [f"{where}: console: {e}" for e in errors]
            shot = SHOTS / role / f"{name.replace(':', '-')}-{width}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
    assert not problems, "\n".join(problems)
