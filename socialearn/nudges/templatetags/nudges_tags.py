from django import template

from ..forms import NudgePreferencesForm
from ..selectors import switched_off

register = template.Library()


@register.inclusion_tag("nudges/_preferences_form.html", takes_context=True)
def nudge_preferences(context, next_url: str = ""):
    """The nudge switches, as their own form, for pages that gather notification settings."""
    user = context["request"].user
    return {
        "form": NudgePreferencesForm(switched_off=switched_off(user)),
        "next": next_url,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
