"""The home page's "new colleagues" section: people who joined in the last month."""

from django.conf import settings
from django.utils.translation import gettext as _

from .selectors import newcomers_near


def dashboard_section(request, *, readable=None) -> dict | None:
    # The viewer's profile as every page reads it (people.middleware), not asked again.
    me = getattr(request.user, "profile", None)
    people = newcomers_near(days=settings.ONBOARDING_NEWCOMER_DAYS, near=me, limit=5)
    if not people:
        return None
    return {
        "title": _("New colleagues"),
        "template": "people/_dashboard_newcomers.html",
        "context": {"people": people},
        "order": 80,
    }
