"""What waits for a challenge's participants: today's step, while it is not done."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from communities.models import Community, Membership
from socialearn.waiting import WaitingKind, Watch

from .models import Challenge, Completion, Participant, Step


def todays_steps(user) -> QuerySet:
    """The latest posted step of each running challenge the person takes, not yet done by them
    (the step the challenge page calls today's)."""
    later = Step.objects.filter(
        challenge_id=OuterRef("challenge_id"),
        posted_at__isnull=False,
        position__gt=OuterRef("position"),
    )
    done = Completion.objects.filter(step_id=OuterRef("pk"), user=user)
    # Published challenges the person takes, in a community they may still read: a public
    # one, or one they are an active member of (readable_challenges_q, narrowed to what a
    # participant can be, is too costly to build on every page's menu).
    member_of = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
    running = Challenge.objects.filter(
        Q(community__visibility=Community.Visibility.PUBLIC)
        | Q(community_id__in=member_of.values("community_id")),
        is_template=False,
        status=Challenge.Status.PUBLISHED,
        community__status__in=[Community.Status.ACTIVE, Community.Status.ARCHIVED],
        participants__user=user,
        participants__left_at__isnull=True,
    )
    return Step.objects.filter(
        challenge_id__in=running.values("pk"), posted_at__isnull=False
    ).filter(~Exists(later), ~Exists(done))


def _own(instance) -> int | None:
    return instance.user_id


# A step posted or a challenge published or closed changes it for every participant; a
# completion, joining or leaving for that person only.
WATCH = (
    Watch(Step, when=lambda step, created, fields: step.posted_at is not None),
    Watch(Challenge, when=lambda challenge, created, fields: not created),
    Watch(Completion, person=_own),
    Watch(Participant, person=_own),
)


def _participant(pk) -> str:
    return reverse("challenges:participant", args=[pk])


WAITING = [
    WaitingKind(
        key="todays_step",
        section="challenges:list",
        items=todays_steps,
        group=("challenge_id", "challenge__title"),
        label=lambda n: gettext("Today's step waits for your answer"),
        url=_participant,
        watch=WATCH,
    ),
]
