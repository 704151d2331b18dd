"""What waits for L&D admins in the admin: open flags in the communities they may read and
do not manage (those they manage are in their own moderation queue). Links into the admin are
for people who may open it, which is what staff status says; hence a module of the admin's."""

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import ngettext

from socialearn.waiting import WaitingKind, Watch, lnd_admins_only

from .models import Community, Flag, Membership
from .waiting import MANAGERS, _managed


def unmanaged_flags(user) -> QuerySet:
    readable = Q(community__visibility=Community.Visibility.PUBLIC) | Q(
        community_id__in=Membership.objects.filter(
            user=user, status=Membership.Status.ACTIVE
        ).values("community_id")
    )
    return lnd_admins_only(
        user,
        Flag.objects.filter(readable, resolved_at__isnull=True).exclude(
            community_id__in=_managed(user)
        ),
    )


def _admin_flags(community_id) -> str:
    url = reverse("admin:communities_flag_changelist")
    return f"{url}?community__id__exact={community_id}&resolved_at__isempty=1"


WAITING = [
    WaitingKind(
        key="unmanaged_flags",
        section="communities:list",
        items=unmanaged_flags,
        group=("community_id", "community__name"),
        label=lambda n: (
            ngettext(
                "%(n)s open flag its managers have not resolved",
                "%(n)s open flags its managers have not resolved",
                n,
            )
            % {"n": n}
        ),
        url=_admin_flags,
        watch=(Watch(Flag), MANAGERS),
    ),
]
