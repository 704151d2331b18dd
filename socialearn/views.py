from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse

from .dashboard import dashboard_sections
from .outbox.selectors import outbox_health


@login_required
def home(request):
    return TemplateResponse(request, "home.html", {"sections": dashboard_sections(request)})


def healthz(request):
    """`ok` when the database answers; `?full` adds the outbox relay's backlog as JSON."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if "full" not in request.GET:
        return HttpResponse("ok", content_type="text/plain")
    return JsonResponse({"status": "ok", "database": "ok", "outbox": outbox_health()})
