"""What expert sessions make searchable: sessions, and the answers given on their boards.

Registered with the core's one search in ExpertqaConfig.ready(). Sessions are those of the
communities the reader may see (visible_sessions); answers only to questions still on the
board (not hidden or merged). An anonymous asker's question is found by its words and shown
without any name. One query (a UNION) for the whole kind.
"""

from typing import cast

from django.contrib.postgres.search import SearchVector
from django.db.models import CharField, F, IntegerField, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from socialearn.people import search
from socialearn.people.search import Hit, Terms

from .models import Answer, Question, question_address
from .selectors import visible_sessions

FRESH = 0.2
COLUMNS = (
    "what",
    "session_pk",
    "question_pk",
    "title_hl",
    "session_title",
    "topic_name",
    "excerpt",
    "when",
    "cancelled",
    "score",
)


def _session_rows(user, terms: Terms, *, excerpts: bool):
    v = SearchVector("title", "description", "topic__name", config="english")
    return (
        visible_sessions(user)
        .annotate(v=v)
        .filter(Q(v=terms.query()) | search.similar("title", terms))
        .annotate(
            what=Value("session", output_field=CharField()),
            session_pk=F("pk"),
            question_pk=Value(None, output_field=IntegerField()),
            title_hl=search.headline(F("title"), terms, words=40),
            session_title=F("title"),
            topic_name=F("topic__name"),
            excerpt=search.headline_or_blank(
                search.StripTags(F("description_html")), terms, excerpts=excerpts
            ),
            when=F("starts_at"),
            cancelled=F("cancelled_at"),
            score=search.best(search.rank(v, terms), search.similarity("title", terms))
            + FRESH * search.Freshness(F("starts_at")),
        )
        .values(*COLUMNS)
    )


def _answer_rows(user, terms: Terms, *, excerpts: bool):
    v = SearchVector("body", "question__body", config="english")
    return (
        Answer.objects.filter(
            question__session__in=visible_sessions(user).values("pk"),
            question__status=Question.Status.VISIBLE,
        )
        .annotate(v=v)
        .filter(v=terms.query())
        .annotate(
            what=Value("answer", output_field=CharField()),
            session_pk=F("question__session_id"),
            question_pk=F("question_id"),
            title_hl=search.headline(F("question__body"), terms, words=30),
            session_title=F("question__session__title"),
            topic_name=F("question__session__topic__name"),
            excerpt=search.headline_or_blank(
                search.StripTags(F("body_html")), terms, excerpts=excerpts
            ),
            when=F("created_at"),
            cancelled=F("question__session__cancelled_at"),
            score=search.rank(v, terms) + FRESH * search.Freshness(F("created_at")),
        )
        .values(*COLUMNS)
    )


def _sessions_and_answers(
    user, terms: Terms, *, limit: int, offset: int, excerpts: bool
) -> QuerySet:
    return (
        _session_rows(user, terms, excerpts=excerpts)
        .union(_answer_rows(user, terms, excerpts=excerpts), all=True)
        .order_by("-score", "-when")[offset : offset + limit]
    )


# The label is translated when the results are shown, in the reader's language.
@search.register("sessions", label=cast(str, gettext_lazy("Expert sessions and answers")), order=50)
def find_sessions(
    user, terms: Terms, *, limit: int, offset: int = 0, excerpts: bool = True
) -> list[Hit]:
    rows = search.rows(
        user, terms, _sessions_and_answers, limit=limit, offset=offset, excerpts=excerpts
    )
    hits = []
    for r in rows:
        url = reverse("expertqa:detail", args=[r["session_pk"]])
        when = date_format(timezone.localtime(r["when"]), "DATE_FORMAT")
        if r["what"] == "answer":
            hits.append(
                Hit(
                    title=search.mark(r["title_hl"]),
                    url=question_address(r["session_pk"], r["question_pk"]),
                    excerpt=search.mark(r["excerpt"], from_html=True),
                    meta=f"{r['session_title']} · {when}",
                    label=pgettext("noun", "Answer"),
                )
            )
        else:
            meta = f"{r['topic_name']} · {when}" + (
                " · " + _("cancelled") if r["cancelled"] else ""
            )
            hits.append(
                Hit(
                    title=search.mark(r["title_hl"]),
                    url=url,
                    excerpt=search.mark(r["excerpt"], from_html=True),
                    meta=meta,
                )
            )
    return hits
