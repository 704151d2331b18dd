from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from socialearn.http import safe_next_url

from .forms import NudgePreferencesForm
from .selectors import switched_off
from .services import nudge_preferences_set


@login_required
def preferences(request):
    """Which nudges a person wants. Also shown on the profile page's notification settings,
    which posts here and comes back."""
    form = NudgePreferencesForm(request.POST or None, switched_off=switched_off(request.user))
    if request.method == "POST" and form.is_valid():
        nudge_preferences_set(person=request.user, enabled=form.choices())
        messages.success(request, _("Your nudge settings are saved."))
        target = request.POST.get("next") or ""
        return redirect(safe_next_url(request, target, "nudges:preferences"))
    return TemplateResponse(request, "nudges/preferences.html", {"form": form})
