from django.urls import NoReverseMatch, reverse

# (label, url name). A part whose page does not exist yet is left out, never a dead link.
NAVIGATION = [
    ("Home", "home"),
    ("Communities", "communities:list"),
    ("Expert sessions", "expertqa:list"),
    ("Mentoring", "mentoring:home"),
    ("Challenges", "challenges:list"),
    ("People", "people:directory"),
    ("Insights", "insights:overview"),
]


def _navigation_items() -> list[tuple[str, str, str]]:
    items = []
    for label, name in NAVIGATION:
        try:
            items.append((label, name, reverse(name)))
        except NoReverseMatch:
            continue
    return items


def navigation(request):
    items = _navigation_items()
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from socialearn.notifications.selectors import unread_count

        unread = unread_count(user)
    else:
        items = []
    current = request.resolver_match.view_name if request.resolver_match else ""
    namespace = current.split(":")[0] if ":" in current else current
    return {
        "nav_items": [
            {"label": label, "url": url, "active": name.split(":")[0] == namespace}
            for label, name, url in items
        ],
        "unread_notifications": unread,
    }
