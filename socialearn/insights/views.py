from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from . import access, selectors
from .forms import period_from_request
from .models import Scope


def _period_context(request) -> dict:
    form, period = period_from_request(request)
    query = request.GET.urlencode() if form.is_valid() else ""
    return {"form": form, "period": period, "query": query}


def _render(request, template: str, context: dict) -> TemplateResponse:
    if request.htmx:
        template += "#figures"
    return TemplateResponse(request, template, context)


@login_required
def overview(request):
    """The organisation's figures, for L&D admins."""
    if not access.is_lnd_admin(request.user):
        return TemplateResponse(request, "insights/no_access.html", status=403)
    context = _period_context(request)
    context.update(selectors.overview(context["period"]))
    return _render(request, "insights/overview.html", context)


@login_required
def nudges(request):
    """Per nudge rule: how many went out and how many were followed, for L&D admins."""
    if not access.is_lnd_admin(request.user):
        return TemplateResponse(request, "insights/no_access.html", status=403)
    context = _period_context(request)
    context.update(selectors.nudges_page(context["period"]))
    return _render(request, "insights/nudges.html", context)


def _scope_or_404(request, kind: str, object_id: int) -> Scope:
    """The scope, if this person may see its figures (404 either way, so private scopes'
    existence is not revealed)."""
    if kind not in selectors.PLURAL_KINDS:
        raise Http404("No such kind of figures")
    kind = selectors.PLURAL_KINDS[kind]
    if not access.can_view(request.user, kind, object_id):
        raise Http404("No figures here for you")
    scope = Scope.objects.filter(kind=kind, object_id=object_id).first()
    if scope is None:
        raise Http404("No figures here")
    return scope


@login_required
def scope(request, kind: str, object_id: int):
    """One community's, programme's, session's or challenge's figures."""
    scope = _scope_or_404(request, kind, object_id)
    context = _period_context(request)
    context.update(selectors.scope_page(context["period"], scope))
    context.update(scope=scope, plural=selectors.KIND_PLURALS[scope.kind])
    context["is_lnd_admin"] = access.is_lnd_admin(request.user)
    return _render(request, "insights/scope.html", context)


def _bad_period(form) -> HttpResponse:
    """An export of a period that cannot be: the reason, never figures for another period."""
    return HttpResponse(
        _("No export: %(problem)s") % {"problem": form.problem()} + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(period, *parts) -> str:
    start = period.first_day.isoformat() if period.first_day else "start"
    last = period.last_day.isoformat() if period.last_day else "end"
    return "-".join(["insights", *map(str, parts), start, last]) + ".csv"


@login_required
def overview_export(request, table: str):
    if not access.is_lnd_admin(request.user):
        return TemplateResponse(request, "insights/no_access.html", status=403)
    form, period = period_from_request(request)
    if not form.is_valid():
        return _bad_period(form)
    text = selectors.export_table(period, table, None)
    if text is None:
        raise Http404("No such table")
    return _csv(text, _filename(period, "organisation", table))


@login_required
def scope_export(request, kind: str, object_id: int, table: str):
    scope = _scope_or_404(request, kind, object_id)
    form, period = period_from_request(request)
    if not form.is_valid():
        return _bad_period(form)
    text = selectors.export_table(period, table, scope)
    if text is None:
        raise Http404("No such table")
    return _csv(text, _filename(period, scope.kind, scope.object_id, table))
