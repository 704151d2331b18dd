from django.utils.translation import gettext

from . import selectors
from .first_run import joined_communities

MY_COMMUNITIES = 8


def dashboard_section(request, *, readable=None) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    return {
        "title": gettext("Your communities"),
        "template": "communities/dashboard.html",
        "order": 20,
        "context": {
            "latest": selectors.latest_from_my_communities(user),
            "unanswered": selectors.my_unanswered_questions(user, readable=readable),
            "suggested": selectors.suggested_communities(user),
            "mine": joined_communities(user, limit=MY_COMMUNITIES, requested=False),
        },
    }
