"""What waits for L&D admins in the core: HR files checked but not applied, and background
deliveries the outbox gave up on (emails, fan-outs, statements), which need a look in the
admin."""

from datetime import timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from socialearn.outbox.models import Message
from socialearn.people.models import PeopleImport
from socialearn.waiting import WaitingKind, lnd_admins_only

# An HR file left unapplied longer than this is forgotten, not waiting.
IMPORT_KEPT_WAITING = timedelta(days=30)


def hr_imports_unapplied(user) -> QuerySet:
    since = timezone.now() - IMPORT_KEPT_WAITING
    return lnd_admins_only(
        user, PeopleImport.objects.filter(applied_at__isnull=True, uploaded_at__gte=since)
    )


def outbox_given_up(user) -> QuerySet:
    if not user.is_staff:
        return Message.objects.none()
    return lnd_admins_only(user, Message.objects.filter(status=Message.Status.DEAD))


def _outbox(kind) -> str:
    url = reverse("admin:outbox_message_changelist")
    return f"{url}?status__exact={Message.Status.DEAD}&kind__exact={kind}"


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
    ),
    WaitingKind(
        key="outbox_given_up",
        section="insights:overview",
        items=outbox_given_up,
        group=("kind", "kind"),
        label=lambda n: (
            ngettext("%(n)s delivery failed for good", "%(n)s deliveries failed for good", n)
            % {"n": n}
        ),
        url=_outbox,
    ),
]
