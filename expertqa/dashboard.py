from django.utils.translation import gettext as _

from .selectors import live_and_next


def dashboard_section(request, *, readable=None) -> dict | None:
    if not request.user.is_authenticated:
        return None
    live, upcoming = live_and_next(request.user, readable=readable)
    if not live and not upcoming:
        return None
    return {
        "title": _("Expert sessions live now") if live else _("Expert sessions this week"),
        "template": "expertqa/_dashboard.html",
        "context": {"live": live, "upcoming": upcoming},
        "order": 30,
    }
