"""What waits for L&D admins in the admin: background deliveries the outbox gave up on
(emails, fan-outs, statements). Links into the admin are for people who may open it, which is
what staff status says; hence a module of the admin's."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import ngettext

from socialearn.outbox.models import Message
from socialearn.waiting import WaitingKind, Watch, lnd_admins_only


def outbox_given_up(user) -> QuerySet:
    return lnd_admins_only(user, Message.objects.filter(status=Message.Status.DEAD))


def _outbox(kind) -> str:
    url = reverse("admin:outbox_message_changelist")
    return f"{url}?status__exact={Message.Status.DEAD}&kind__exact={kind}"


WAITING = [
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
        # Deliveries are saved all the time; only one given up on changes this count (one
        # retried from the admin shows within the menu's minute).
        watch=(Watch(Message, when=lambda message, *args: message.status == Message.Status.DEAD),),
    ),
]
