from functools import cache, lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.context_processors import csrf
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from socialearn.insights import access
from socialearn.waiting import (
    cached_counts,
    keep_counts,
    section_links,
    waiting_count_expressions,
)


def _everyone(user, roles: dict) -> bool:
    return True


def _lnd_admin(user, roles: dict) -> bool:
    # access.is_lnd_admin, read from the menu's one query.
    return user.is_superuser or roles["lnd_admin"]


def menu_facts(request) -> dict:
    """What the menu shows, in one query: the unread count, the person's roles and how many
    items wait for them in each part (socialearn.waiting). Kept on the request, so a page that
    shows the same counts (home) does not ask again."""
    facts = getattr(request, "_menu_facts", None)
    if facts is None:
        facts = request._menu_facts = _menu_facts(request.user)
    return facts


def _menu_facts(user) -> dict:
    # The waiting counts kept for this person (socialearn.waiting), else counted in this query.
    counts = cached_counts(user.pk)
    if counts is not None:
        return {**_unread_and_roles(user.pk), **counts}
    return _menu_facts_counted(user)


@cache
def _unread_and_roles_sql() -> str:
    from django.contrib.auth.models import Group

    from socialearn.notifications.models import Notification

    user_groups = get_user_model().groups.through._meta.db_table
    return (
        f"SELECT (SELECT count(*) FROM {Notification._meta.db_table} n"  # noqa: S608 - our names
        "          WHERE n.recipient_id = %s AND n.read_at IS NULL),"
        f"       EXISTS (SELECT 1 FROM {user_groups} ug"
        f"               JOIN {Group._meta.db_table} g ON g.id = ug.group_id"
        "               WHERE ug.user_id = %s AND g.name = %s)"
    )


def _unread_and_roles(user_id: int) -> dict:
    """The menu's query on nearly every page (the waiting counts kept): SQL written once
    rather than compiled by the ORM each time, which cost 3 ms of every page. A test holds it
    equal to the counted query below."""
    with connection.cursor() as cursor:
        cursor.execute(_unread_and_roles_sql(), [user_id, user_id, access.LND_ADMIN_GROUP])
        unread, lnd_admin = cursor.fetchone()
    return {"unread": unread, "lnd_admin": lnd_admin}


def _menu_facts_counted(user) -> dict:
    from socialearn.notifications.models import Notification

    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            unread=Coalesce(Subquery(unread), Value(0)),
            lnd_admin=access.lnd_admin_group_exists(OuterRef("pk")),
            **waiting_count_expressions(user),
        )
        .get()
    )
    facts: dict[str, Any] = dict(row)
    keep_counts(user.pk, {k: v for k, v in facts.items() if k.startswith("waiting_")})
    return facts


# (label, url name, who may open it). A part whose page does not exist yet is left out, never
# a dead link; a part someone may not open is left out of their menu, never a 403.
NAVIGATION = [
    (_("Home"), "home", _everyone),
    (_("Communities"), "communities:list", _everyone),
    (pgettext_lazy("menu", "Expert sessions"), "expertqa:list", _everyone),
    (_("Mentoring"), "mentoring:home", _everyone),
    (_("Challenges"), "challenges:list", _everyone),
    (_("Courses"), "courses:list", _everyone),
    (_("Calendar"), "calendar", _everyone),
    (_("People"), "people:directory", _everyone),
    # The organisation's figures; managers reach their community's from the community page.
    (_("Insights"), "insights:overview", _lnd_admin),
]


@lru_cache(maxsize=16)
def _menu_urls(script_prefix: str) -> dict[str, str]:
    """Each menu part's address, reversed once per script prefix rather than on every page."""
    urls = {}
    for _label, name, _may_open in NAVIGATION:
        try:
            urls[name] = reverse(name)
        except NoReverseMatch:
            continue
    return urls


def _navigation_items(user, roles: dict) -> list[tuple[str, str, str]]:
    urls = _menu_urls(get_script_prefix())
    return [
        (label, name, urls[name])
        for label, name, may_open in NAVIGATION
        if name in urls and may_open(user, roles)
    ]


# Stands for the CSRF token in a kept header; each page puts its own in.
_CSRF_SLOT = "csrf-token-slot"


@lru_cache(maxsize=2048)
def _rendered_header(
    language: str, items: tuple[tuple[str, str, bool, int, str], ...], unread: int, inbox: bool
) -> str:
    """The signed-in header for one language, menu and unread count: every input is in the
    arguments, so a kept copy is the same page for anyone with the same arguments."""
    labels = {name: label for label, name, _may_open in NAVIGATION}
    nav_items = [
        {"label": labels[name], "url": url, "active": active, "waiting": n, "waiting_url": link}
        for name, url, active, n, link in items
    ]
    return render_to_string(
        "_site_header.html",
        {
            "nav_items": nav_items,
            "unread_notifications": unread,
            "inbox_current": inbox,
            "csrf_token": _CSRF_SLOT,
        },
    )


class SiteHeader:
    """The signed-in part of every page's header, rendered only when a page shows it (an
    htmx partial does not, and then asks nothing), and kept per language, menu and unread
    count: rendering it on every page cost about a third of a small page's time."""

    def __init__(self, request, csrf_token):
        self.request = request
        self.csrf_token = csrf_token

    def __str__(self) -> str:
        request = self.request
        facts = menu_facts(request)
        waiting = section_links(facts)
        match = request.resolver_match
        current = match.view_name if match else ""
        namespace = current.split(":")[0] if ":" in current else current
        items = tuple(
            (name, url, name.split(":")[0] == namespace, *waiting.get(name, (0, "")))
            for _label, name, url in _navigation_items(request.user, facts)
        )
        header = _rendered_header(
            translation.get_language(),
            items,
            facts["unread"],
            bool(match and match.namespace == "notifications"),
        )
        return mark_safe(header.replace(_CSRF_SLOT, escape(str(self.csrf_token))))  # noqa: S308


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Django's own lazy token (its csrf context processor, which this one's overrides): the
    # header and the page share it, so a page masks the secret once rather than twice (32
    # random characters from the system's generator, one read each).
    token = csrf(request)["csrf_token"]
    return {"site_header": SiteHeader(request, token), "csrf_token": token}
