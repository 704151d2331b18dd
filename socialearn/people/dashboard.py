"""The home page's "new colleagues" section: people who joined in the last month."""

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Profile
from .selectors import newcomers


def dashboard_section(request) -> dict | None:
    me = Profile.objects.filter(user=request.user).first()
    people = newcomers(days=settings.ONBOARDING_NEWCOMER_DAYS, near=me, limit=5)
    if not people:
        return None
    return {
        "title": _("New colleagues"),
        "template": "people/_dashboard_newcomers.html",
        "context": {"people": people},
        "order": 80,
    }
