from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from .selectors import inbox_page


@login_required
def inbox(request):
    page = inbox_page(request.user, request.GET.get("page", 1))
    return TemplateResponse(request, "notifications/inbox.html", {"page": page})
