from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from .context_processors import menu_facts
from .dashboard import dashboard_sections
from .outbox.selectors import outbox_health
from .waiting import summaries, waiting_for


@login_required
def home(request):
    facts = menu_facts(request)
    counts = {key: summary.count for key, summary in summaries(facts).items()}
    profile = getattr(request.user, "profile", None)
    # "Welcome" on the first visit after the first-run setup, "Welcome back" from the next
    # sign-in on (signing in stamps last_login after onboarded_at).
    first_visit = bool(
        profile is not None
        and profile.onboarded_at is not None
        and (request.user.last_login is None or request.user.last_login < profile.onboarded_at)
    )
    context = {
        "sections": dashboard_sections(request),
        "waiting": waiting_for(request.user, counts=counts),
        "first_visit": first_visit,
    }
    return TemplateResponse(request, "home.html", context)


def healthz(request):
    """`ok` when the database answers; `?full` adds the outbox relay's backlog as JSON."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if "full" not in request.GET:
        return HttpResponse("ok", content_type="text/plain")
    return JsonResponse({"status": "ok", "database": "ok", "outbox": outbox_health()})
