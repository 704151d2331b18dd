from django.utils.translation import gettext

from . import selectors


def dashboard_section(request, *, readable=None) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    challenges = selectors.my_running_challenges(user, readable=readable)
    if not challenges:
        # Last on the page: an invitation, not news.
        return {
            "title": gettext("Challenges"),
            "template": "challenges/_dashboard.html",
            "context": {"rows": []},
            "order": 90,
        }
    today = selectors.today_steps(challenges, user)
    return {
        "title": gettext("Your challenges"),
        "template": "challenges/_dashboard.html",
        "context": {"rows": [(c, today.get(c.pk)) for c in challenges]},
        # Today's step is the first thing to do.
        "order": 10,
    }
