"""What waits for a community's managers (posts held for review, open flags, a Teams or
Slack channel that stopped taking posts) and for L&D admins (communities proposed for
their approval; the flags they look at in the admin are in admin_waiting.py)."""

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import ngettext

from socialearn.waiting import WaitingKind, Watch, lnd_admins_only

from .channels.models import Channel
from .models import Community, Flag, Membership, Reply, Thread

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


def failing_channels(user) -> QuerySet:
    """Channels of the communities the person manages whose latest delivery failed."""
    return Channel.objects.filter(
        community_id__in=_managed(user), last_error_at__isnull=False
    ).filter(Q(last_success_at__isnull=True) | Q(last_error_at__gt=F("last_success_at")))


def communities_to_approve(user) -> QuerySet:
    return lnd_admins_only(user, Community.objects.filter(status=Community.Status.PROPOSED))


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


def _review(slug) -> str:
    return _moderation(slug) + "#review"


def _flags(slug) -> str:
    return _moderation(slug) + "#flags"


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
        url=_review,
        item=lambda slug, pk: f"{_moderation(slug)}#held-thread-{pk}",
        watch=(*POSTS, MANAGERS),
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
        url=_review,
        item=lambda slug, pk: f"{_moderation(slug)}#held-reply-{pk}",
        watch=(*POSTS, MANAGERS),
    ),
    WaitingKind(
        key="open_flags",
        section="communities:list",
        items=open_flags,
        group=("community__slug", "community__name"),
        label=lambda n: ngettext("%(count)s open flag", "%(count)s open flags", n) % {"count": n},
        url=_flags,
        item=lambda slug, pk: f"{_moderation(slug)}#flag-{pk}",
        watch=(Watch(Flag), MANAGERS),
    ),
    WaitingKind(
        key="failing_channels",
        section="communities:list",
        items=failing_channels,
        group=("community__slug", "community__name"),
        label=lambda n: (
            ngettext("%(n)s channel stopped taking posts", "%(n)s channels stopped taking posts", n)
            % {"n": n}
        ),
        url=lambda slug: reverse("communities:channels", args=[slug]),
        watch=(Watch(Channel), MANAGERS),
    ),
    WaitingKind(
        key="communities_to_approve",
        section="communities:list",
        items=communities_to_approve,
        group=("slug", "name"),
        label=lambda n: (
            ngettext(
                "%(count)s proposed community waits for your approval",
                "%(count)s proposed communities wait for your approval",
                n,
            )
            % {"count": n}
        ),
        url=lambda slug: reverse("communities:approvals"),
        item=lambda slug, pk: f"{reverse('communities:approvals')}#proposed-{pk}",
        watch=(Watch(Community),),
    ),
]
