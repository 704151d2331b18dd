"""Course cohorts, set up by L&D admins from a roster."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialearn.paging import ShortListPaginator

from .. import permissions
from ..forms import CohortUploadForm
from ..selectors import cohorts_list
from ..services import cohorts as cohort_services


def _require_lnd_admin(request) -> None:
    if not permissions.can_manage_cohorts(request.user):
        raise PermissionDenied(_("Only L&D admins manage course cohorts."))


@login_required
def cohorts(request):
    _require_lnd_admin(request)
    page = ShortListPaginator(cohorts_list(), 25).get_page(request.GET.get("page"))
    return TemplateResponse(request, "communities/lnd/cohorts.html", {"page": page})


@login_required
def cohort_upload(request):
    _require_lnd_admin(request)
    row_errors = []
    form = CohortUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = cohort_services.cohorts_create(
                created_by=request.user,
                course_name=form.cleaned_data["course_name"],
                roster_text=form.cleaned_data["roster"],
                group_size=form.cleaned_data["group_size"],
            )
        except cohort_services.RosterError as exc:
            row_errors = exc.errors
            form.add_error(
                None,
                ngettext(
                    "%(count)s line of the roster need fixing; nothing was created.",
                    "%(count)s lines of the roster need fixing; nothing was created.",
                    len(row_errors),
                )
                % {"count": len(row_errors)},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            people = sum(len(c.member_ids) for c in created)
            messages.success(
                request,
                ngettext(
                    "%(people)s participants split into %(count)s cohort; they have been invited.",
                    "%(people)s participants split into %(count)s cohorts; they have been invited.",
                    len(created),
                )
                % {"people": people, "count": len(created)},
            )
            return redirect("communities:cohorts")
    return TemplateResponse(
        request,
        "communities/lnd/cohort_upload.html",
        {"form": form, "row_errors": row_errors},
    )
