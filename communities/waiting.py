"""What waits for a community's managers: posts held for review and open flags."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import ngettext

from socialearn.waiting import WaitingKind

from .models import Flag, Membership, Reply, Thread

HELD = [Thread.Status.HELD, Thread.Status.PENDING]


def _managed(user) -> QuerySet:
    return Membership.objects.filter(
        user=user, role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).values("community_id")


def held_threads(user) -> QuerySet:
    return Thread.objects.filter(community_id__in=_managed(user), status__in=HELD)


def held_replies(user) -> QuerySet:
    return Reply.objects.filter(thread__community_id__in=_managed(user), status__in=HELD)


def open_flags(user) -> QuerySet:
    return Flag.objects.filter(community_id__in=_managed(user), resolved_at__isnull=True)


def _moderation(slug) -> str:
    return reverse("communities:moderation", args=[slug])


WAITING = [
    WaitingKind(
        key="held_threads",
        section="communities:list",
        items=held_threads,
        group=("community__slug", "community__name"),
        label=lambda n: (
            ngettext("%(count)s thread held for review", "%(count)s threads held for review", n)
            % {"count": n}
        ),
        url=_moderation,
    ),
    WaitingKind(
        key="held_replies",
        section="communities:list",
        items=held_replies,
        group=("thread__community__slug", "thread__community__name"),
        label=lambda n: (
            ngettext("%(count)s reply held for review", "%(count)s replies held for review", n)
            % {"count": n}
        ),
        url=_moderation,
    ),
    WaitingKind(
        key="open_flags",
        section="communities:list",
        items=open_flags,
        group=("community__slug", "community__name"),
        label=lambda n: ngettext("%(count)s open flag", "%(count)s open flags", n) % {"count": n},
        url=_moderation,
    ),
]
