from django.utils.translation import gettext

from . import selectors
from .selectors import compiled_readable


def dashboard_section(request, *, readable=None) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    if readable is None:
        readable = compiled_readable(user)
    return {
        "title": gettext("Your communities"),
        "template": "communities/dashboard.html",
        "order": 20,
        "context": selectors.dashboard_lists(user, readable=readable),
    }
