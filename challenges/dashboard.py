from django.utils.translation import gettext

from communities.selectors import compiled_readable

from . import selectors


def dashboard_section(request, *, readable=None) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    if readable is None:
        readable = compiled_readable(user)
    rows = selectors.dashboard_rows(user, readable=readable)
    if not rows:
        # Last on the page: an invitation, not news.
        return {
            "title": gettext("Challenges"),
            "template": "challenges/_dashboard.html",
            "context": {"rows": []},
            "order": 90,
        }
    return {
        "title": gettext("Your challenges"),
        "template": "challenges/_dashboard.html",
        "context": {"rows": rows},
        # Today's step is the first thing to do.
        "order": 10,
    }
