"""The HR file import, for L&D admins."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..forms import PeopleImportForm
from ..models import PeopleImport
from ..permissions import is_lnd_admin
from .hr_import import import_plan, people_import_apply, people_import_create
from .records import FIELD_LABELS

SHOWN = 200  # rows of each kind of difference listed on the page
# What the list of recent files shows (its uploader's name as Profile.name writes it): the
# file itself, and every other column of the file, its uploader and their profile, are left
# out, since writing their SQL was most of the list's cost.
_RECENT_COLUMNS = (
    "filename",
    "uploaded_at",
    "applied_at",
    "summary",
    "uploaded_by__first_name",
    "uploaded_by__last_name",
    "uploaded_by__profile__display_name",
)


def _require_lnd_admin(request) -> None:
    if not is_lnd_admin(request.user):
        raise PermissionDenied(_("Only L&D admins import people."))


@login_required
def people_import(request):
    _require_lnd_admin(request)
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = people_import_create(
            uploaded_by=request.user,
            filename=request.FILES["people_file"].name,
            content=form.cleaned_data["people_file"],
            deactivate_missing=form.cleaned_data["deactivate_missing"],
        )
        return redirect("people:import_review", import_id=upload.pk)
    recent = PeopleImport.objects.select_related("uploaded_by__profile").only(*_RECENT_COLUMNS)[:10]
    return TemplateResponse(request, "people/import/upload.html", {"form": form, "recent": recent})


@login_required
def people_import_review(request, import_id: int):
    _require_lnd_admin(request)
    upload = get_object_or_404(PeopleImport, pk=import_id)
    plan = (
        None
        if upload.applied_at
        else import_plan(upload.content, deactivate_missing=upload.deactivate_missing)
    )
    changed = [
        (number, record, [(FIELD_LABELS[name], now, then) for name, (now, then) in diff.items()])
        for number, record, diff in (plan.changed[:SHOWN] if plan else [])
    ]
    return TemplateResponse(
        request,
        "people/import/review.html",
        {"upload": upload, "plan": plan, "changed": changed, "shown": SHOWN},
    )


@require_POST
@login_required
def people_import_apply_view(request, import_id: int):
    _require_lnd_admin(request)
    upload = get_object_or_404(PeopleImport, pk=import_id)
    try:
        plan = people_import_apply(upload)
    except ValidationError as error:
        for message in error.messages[:5]:
            messages.error(request, message)
        messages.error(request, _("Nothing was changed."))
    else:
        counts = plan.summary()
        messages.success(
            request,
            _("Applied: %(new)s new, %(changed)s changed, %(leaving)s deactivated.")
            % {"new": counts["new"], "changed": counts["changed"], "leaving": counts["leaving"]},
        )
    return redirect("people:import_review", import_id=upload.pk)
