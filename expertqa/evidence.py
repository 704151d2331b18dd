"""Answers given in expert sessions count as evidence of expertise on the session's topic
(answers to questions still on the board, in sessions of communities the viewer can read)."""

from typing import cast

from django.db.models import F, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from socialearn.people import evidence
from socialearn.people.search import Hit

from .models import Answer, Question
from .selectors import visible_sessions


def _answers(viewer) -> QuerySet:
    qs = Answer.objects.filter(question__status=Question.Status.VISIBLE)
    if viewer is not None:
        qs = qs.filter(question__session__in=visible_sessions(viewer).values("pk"))
    return qs.annotate(
        ev_user=F("author_id"), ev_topic=F("question__session__topic_id"), ev_object=F("pk")
    )


def _answer_items(viewer, user_id: int, topic_id: int, limit: int) -> list[Hit]:
    answers = (
        _answers(viewer)
        .filter(author_id=user_id, question__session__topic_id=topic_id)
        .select_related("question__session")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        Hit(
            title=a.question.session.title,
            url=a.question.session.get_absolute_url(),
            excerpt=a.question.body[:140],
            meta=date_format(a.created_at, "DATE_FORMAT"),
        )
        for a in answers
    ]


evidence.register(
    "session_answers",
    singular=cast(str, gettext_lazy("answer in an expert session")),
    plural=cast(str, gettext_lazy("answers in expert sessions")),
    order=20,
    weight=2,
    items=_answer_items,
    place="question__session__community_id",
    marker="SELECT max(id) FROM expertqa_answer",
)(_answers)
