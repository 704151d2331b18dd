"""Menus by role: every link in the menu a person sees opens for them (no 403 behind a link),
and the figures of the organisation are in the menu of those who may read them only."""

import html
import re

import pytest
from django.urls import reverse

from tests.crawl import build_world

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav[^>]*aria-label="Main"[^>]*>(.*?)</nav>', re.DOTALL)
# Every link of the menu, the "waiting for you" badges' too (their anchor aside).
HREF = re.compile(r'<a [^>]*href="([^"#]+)[^"]*"')


@pytest.fixture
def world(db):
    return build_world()


def _menu_links(page: str) -> set[str]:
    nav = NAV.search(page)
    assert nav, "the page has no main menu"
    return {html.unescape(url) for url in HREF.findall(nav.group(1))}


def test_every_menu_link_opens_for_the_role_that_sees_it(client, world):
    for role in ("employee", "manager", "coordinator", "ld_admin"):
        client.force_login(world["users"][role])
        home = client.get(reverse("home"))
        assert home.status_code == 200
        links = _menu_links(home.content.decode())
        assert reverse("communities:list") in links
        # "Me" redirects to the person's own profile: the page it lands on must open.
        answers = {url: client.get(url, follow=True).status_code for url in sorted(links)}
        refused = {url: status for url, status in answers.items() if status != 200}
        assert not refused, (role, refused)
        # The menu on another page is the same menu.
        page = client.get(reverse("communities:list")).content.decode()
        assert _menu_links(page) == links, role


def test_insights_is_in_the_menu_of_ld_admins_only(client, world):
    overview = reverse("insights:overview")
    for role, shown in [("employee", False), ("manager", False), ("ld_admin", True)]:
        client.force_login(world["users"][role])
        links = _menu_links(client.get(reverse("home")).content.decode())
        assert (overview in links) is shown, role
