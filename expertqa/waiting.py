"""What waits for an expert: answers owed (the window closed, or the promised date passed)
and deferred answers falling due within the week."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from communities.models import Community, Membership
from socialearn.waiting import WaitingKind, Watch

from .models import Question, Session, TalkProposal, org_today, question_address

DUE_WITHIN = timedelta(days=7)


def _unanswered(user) -> QuerySet:
    return Question.objects.on_board().filter(session__experts=user, answered_at__isnull=True)


def owed_answers(user) -> QuerySet:
    """As Question.commitment() says "owed" or "overdue", in SQL."""
    now = timezone.now()
    window_closed = Q(
        deferred_to__isnull=True, session__ends_at__lte=now, session__cancelled_at__isnull=True
    )
    return _unanswered(user).filter(window_closed | Q(deferred_to__lt=org_today(now)))


def due_answers(user) -> QuerySet:
    today = org_today()
    return _unanswered(user).filter(deferred_to__gte=today, deferred_to__lte=today + DUE_WITHIN)


def proposals_to_review(user) -> QuerySet:
    """Talks proposed in the learning networks the person manages."""
    return TalkProposal.objects.filter(
        status=TalkProposal.Status.PENDING,
        community__kind=Community.Kind.NETWORK,
        community__memberships__user=user,
        community__memberships__role=Membership.Role.MANAGER,
        community__memberships__status=Membership.Status.ACTIVE,
    )


def _network(slug) -> str:
    return reverse("expertqa:network", args=[slug])


def _question_changed(instance, created, update_fields) -> bool:
    """Questions are asked while a session runs, owed only once it closed: a new one matters
    only when it arrives already deferred or after the window."""
    return not created or instance.deferred_to is not None


# Answering, deferring or hiding a question; a session's window, cancellation or experts.
WATCH = (Watch(Question, when=_question_changed), Watch(Session, m2m=("experts",)))


def _session(pk) -> str:
    return reverse("expertqa:detail", args=[pk])


def _question(session_pk, pk) -> str:
    return question_address(session_pk, pk)


WAITING = [
    WaitingKind(
        key="owed_answers",
        section="expertqa:list",
        items=owed_answers,
        group=("session_id", "session__title"),
        label=lambda n: (
            ngettext("You owe %(count)s answer", "You owe %(count)s answers", n) % {"count": n}
        ),
        url=_session,
        item=_question,
        watch=WATCH,
        reads_clock=True,
    ),
    WaitingKind(
        key="due_answers",
        section="expertqa:list",
        items=due_answers,
        group=("session_id", "session__title"),
        label=lambda n: (
            ngettext(
                "%(count)s deferred answer due this week",
                "%(count)s deferred answers due this week",
                n,
            )
            % {"count": n}
        ),
        url=_session,
        item=_question,
        watch=WATCH,
        reads_clock=True,
    ),
    WaitingKind(
        key="proposals_to_review",
        section="expertqa:list",
        items=proposals_to_review,
        group=("community__slug", "community__name"),
        label=lambda n: (
            ngettext("%(n)d proposal to review", "%(n)d proposals to review", n) % {"n": n}
        ),
        url=_network,
        watch=(Watch(TalkProposal),),
    ),
]
