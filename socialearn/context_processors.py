from django.urls import NoReverseMatch, reverse

from socialearn.insights import access


def _everyone(user) -> bool:
    return True


# (label, url name, who may open it). A part whose page does not exist yet is left out, never
# a dead link; a part someone may not open is left out of their menu, never a 403.
NAVIGATION = [
    ("Home", "home", _everyone),
    ("Communities", "communities:list", _everyone),
    ("Expert sessions", "expertqa:list", _everyone),
    ("Mentoring", "mentoring:home", _everyone),
    ("Challenges", "challenges:list", _everyone),
    ("People", "people:directory", _everyone),
    # The organisation's figures; managers reach their community's from the community page.
    ("Insights", "insights:overview", access.is_lnd_admin),
]


def _navigation_items(user) -> list[tuple[str, str, str]]:
    items = []
    for label, name, may_open in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if may_open(user):
            items.append((label, name, url))
    return items


def navigation(request):
    unread = 0
    items = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from socialearn.notifications.selectors import unread_count

        unread = unread_count(user)
        items = _navigation_items(user)
    current = request.resolver_match.view_name if request.resolver_match else ""
    namespace = current.split(":")[0] if ":" in current else current
    return {
        "nav_items": [
            {"label": label, "url": url, "active": name.split(":")[0] == namespace}
            for label, name, url in items
        ],
        "unread_notifications": unread,
    }
