from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from .models import Profile
from .services import profile_for


@login_required
def me(request):
    profile_for(request.user)
    return redirect("people:profile", user_id=request.user.pk)


@login_required
def profile(request, user_id: int):
    profile = get_object_or_404(
        Profile.objects.select_related("user", "department", "location").prefetch_related(
            "expertise", "interests"
        ),
        user_id=user_id,
    )
    return TemplateResponse(request, "people/profile.html", {"profile": profile})


@login_required
def directory(request):
    people = Profile.objects.select_related("user", "department", "location").order_by(
        "display_name"
    )[:50]
    return TemplateResponse(request, "people/directory.html", {"people": people})
