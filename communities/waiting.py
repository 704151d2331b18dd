"""What waits for a community's managers: posts held for review and open flags."""

from django.db.models import QuerySet
from django.urls import reverse

from socialearn.waiting import WaitingKind, Watch

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


def _status_changed(instance, created, update_fields) -> bool:
    """A new post matters when it is held; a saved one when its status may have changed."""
    if created:
        return instance.status in HELD
    return update_fields is None or "status" in update_fields


def _management_changed(instance, created, update_fields) -> bool:
    """Managers gain or lose a review queue; ordinary members joining change nothing."""
    return instance.role == Membership.Role.MANAGER or (
        not created and (update_fields is None or "role" in update_fields)
    )


POSTS = (Watch(Thread, when=_status_changed), Watch(Reply, when=_status_changed))
MANAGERS = Watch(Membership, when=_management_changed)


def _moderation(slug) -> str:
    return reverse("communities:moderation", args=[slug])


def _n(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


WAITING = [
    WaitingKind(
        key="held_threads",
        section="communities:list",
        items=held_threads,
        group=("community__slug", "community__name"),
        label=lambda n: _n(n, "thread held for review", "threads held for review"),
        url=_moderation,
        watch=(*POSTS, MANAGERS),
    ),
    WaitingKind(
        key="held_replies",
        section="communities:list",
        items=held_replies,
        group=("thread__community__slug", "thread__community__name"),
        label=lambda n: _n(n, "reply held for review", "replies held for review"),
        url=_moderation,
        watch=(*POSTS, MANAGERS),
    ),
    WaitingKind(
        key="open_flags",
        section="communities:list",
        items=open_flags,
        group=("community__slug", "community__name"),
        label=lambda n: _n(n, "open flag", "open flags"),
        url=_moderation,
        watch=(Watch(Flag), MANAGERS),
    ),
]
