"""What waits for L&D admins in the core: HR files checked but not applied (the outbox's
deliveries given up on are looked at in the admin: admin_waiting.py)."""

from datetime import timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from socialearn.people.models import PeopleImport
from socialearn.waiting import WaitingKind, Watch, lnd_admins_only

# An HR file left unapplied longer than this is forgotten, not waiting.
IMPORT_KEPT_WAITING = timedelta(days=30)


def hr_imports_unapplied(user) -> QuerySet:
    since = timezone.now() - IMPORT_KEPT_WAITING
    return lnd_admins_only(
        user, PeopleImport.objects.filter(applied_at__isnull=True, uploaded_at__gte=since)
    )


WAITING = [
    WaitingKind(
        key="hr_imports_unapplied",
        section="people:directory",
        items=hr_imports_unapplied,
        group=("pk", "filename"),
        label=lambda n: (
            ngettext(
                "%(n)s HR file checked, not applied yet",
                "%(n)s HR files checked, not applied yet",
                n,
            )
            % {"n": n}
        ),
        url=lambda pk: reverse("people:import_review", args=[pk]),
        watch=(Watch(PeopleImport),),
        reads_clock=True,
    ),
]
