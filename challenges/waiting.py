"""What waits for a challenge's participants: today's step, while it is not done."""

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from socialearn.waiting import WaitingKind

from .models import Challenge, Completion, Step
from .permissions import readable_challenges_q


def todays_steps(user) -> QuerySet:
    """The latest posted step of each running challenge the person takes, not yet done by them
    (the step the challenge page calls today's)."""
    later = Step.objects.filter(
        challenge_id=OuterRef("challenge_id"),
        posted_at__isnull=False,
        position__gt=OuterRef("position"),
    )
    done = Completion.objects.filter(step_id=OuterRef("pk"), user=user)
    running = Challenge.objects.filter(
        readable_challenges_q(user),
        is_template=False,
        status=Challenge.Status.PUBLISHED,
        participants__user=user,
        participants__left_at__isnull=True,
    )
    return Step.objects.filter(
        challenge_id__in=running.values("pk"), posted_at__isnull=False
    ).filter(~Exists(later), ~Exists(done))


def _participant(pk) -> str:
    return reverse("challenges:participant", args=[pk])


WAITING = [
    WaitingKind(
        key="todays_step",
        section="challenges:list",
        items=todays_steps,
        group=("challenge_id", "challenge__title"),
        label=lambda n: "Today's step waits for your answer",
        url=_participant,
    ),
]
