from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.template.response import TemplateResponse

from .dashboard import dashboard_sections


@login_required
def home(request):
    return TemplateResponse(request, "home.html", {"sections": dashboard_sections(request)})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
