from django.utils.translation import gettext as _

from communities.selectors import compiled_readable

from .selectors import dashboard_sessions


def dashboard_section(request, *, readable=None) -> dict | None:
    if not request.user.is_authenticated:
        return None
    if readable is None:
        readable = compiled_readable(request.user)
    live, upcoming = dashboard_sessions(readable)
    if not live and not upcoming:
        return None
    return {
        "title": _("Expert sessions live now") if live else _("Expert sessions this week"),
        "template": "expertqa/_dashboard.html",
        "context": {"live": live, "upcoming": upcoming},
        "order": 30,
    }
