from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
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
    from socialearn.notifications.models import Notification

    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    # The waiting counts kept for this person (socialearn.waiting), else counted in this query.
    counts = cached_counts(user.pk)
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            unread=Coalesce(Subquery(unread), Value(0)),
            lnd_admin=access.lnd_admin_group_exists(OuterRef("pk")),
            **(waiting_count_expressions(user) if counts is None else {}),
        )
        .get()
    )
    facts: dict[str, Any] = dict(row)
    if counts is None:
        keep_counts(user.pk, {k: v for k, v in facts.items() if k.startswith("waiting_")})
        return facts
    return {**facts, **counts}


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


def _navigation_items(user, roles: dict) -> list[tuple[str, str, str]]:
    items = []
    for label, name, may_open in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if may_open(user, roles):
            items.append((label, name, url))
    return items


def navigation(request):
    unread = 0
    items = []
    waiting: dict[str, tuple[int, str]] = {}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        facts = menu_facts(request)
        unread = facts["unread"]
        items = _navigation_items(user, facts)
        waiting = section_links(facts)
    current = request.resolver_match.view_name if request.resolver_match else ""
    namespace = current.split(":")[0] if ":" in current else current
    return {
        "nav_items": [
            {
                "label": label,
                "url": url,
                "active": name.split(":")[0] == namespace,
                "waiting": waiting.get(name, (0, ""))[0],
                "waiting_url": waiting.get(name, (0, ""))[1],
            }
            for label, name, url in items
        ],
        "unread_notifications": unread,
    }
