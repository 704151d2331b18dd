"""What waits for a programme's coordinators: proposed matches to review and publish, and
offers nobody has answered for a week."""

from datetime import timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from socialearn.waiting import WaitingKind, Watch

from .models import Match, Programme

UNANSWERED_AFTER = timedelta(days=7)


def proposals_to_publish(user) -> QuerySet:
    return Match.objects.filter(programme__coordinators=user, status=Match.Status.PROPOSED)


def unanswered_offers(user) -> QuerySet:
    return Match.objects.filter(
        programme__coordinators=user,
        status=Match.Status.OFFERED,
        offered_at__lt=timezone.now() - UNANSWERED_AFTER,
    )


# Matches published, answered, swapped; coordinators named or removed. A matching run writes
# its proposals in bulk (no signal): the coordinator who started it sees them at once (their
# POST forgets their counts), the programme's other coordinators within WAITING_SECONDS.
WATCH = (Watch(Match), Watch(Programme, when=lambda *args: False, m2m=("coordinators",)))


def _coordinate(pk) -> str:
    return reverse("mentoring:coordinate", args=[pk])


WAITING = [
    WaitingKind(
        key="proposals_to_publish",
        section="mentoring:home",
        items=proposals_to_publish,
        group=("programme_id", "programme__name"),
        label=lambda n: (
            ngettext(
                "%(count)s proposed match to review and publish",
                "%(count)s proposed matches to review and publish",
                n,
            )
            % {"count": n}
        ),
        url=_coordinate,
        watch=WATCH,
    ),
    WaitingKind(
        key="unanswered_offers",
        section="mentoring:home",
        items=unanswered_offers,
        group=("programme_id", "programme__name"),
        label=lambda n: (
            ngettext(
                "%(count)s offer unanswered for a week", "%(count)s offers unanswered for a week", n
            )
            % {"count": n}
        ),
        url=_coordinate,
        watch=WATCH,
        reads_clock=True,
    ),
]
