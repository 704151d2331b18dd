from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from .dashboard import dashboard_sections
from .outbox.selectors import outbox_health


@login_required
def home(request):
    profile = getattr(request.user, "profile", None)
    # "Welcome" on the first visit after the first-run setup, "Welcome back" from the next
    # sign-in on (signing in stamps last_login after onboarded_at).
    first_visit = bool(
        profile is not None
        and profile.onboarded_at is not None
        and (request.user.last_login is None or request.user.last_login < profile.onboarded_at)
    )
    return TemplateResponse(
        request,
        "home.html",
        {"sections": dashboard_sections(request), "first_visit": first_visit},
    )


def healthz(request):
    """`ok` when the database answers; `?full` adds the outbox relay's backlog as JSON."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if "full" not in request.GET:
        return HttpResponse("ok", content_type="text/plain")
    return JsonResponse({"status": "ok", "database": "ok", "outbox": outbox_health()})
