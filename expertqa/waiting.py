"""What waits for an expert: answers owed (the window closed, or the promised date passed)
and deferred answers falling due within the week."""

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from socialearn.waiting import WaitingKind

from .models import Question, org_today

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


def _session(pk) -> str:
    return reverse("expertqa:detail", args=[pk])


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
    ),
]
