"""What challenges make searchable: the challenges the reader may see.

Registered with the core's one search in ChallengesConfig.ready(). visible_challenges keeps
drafts to their designer and guide, and private communities' challenges to their members.
Steps are found once released, as the threads the clock posts; an unreleased step is not a
thread yet, so it cannot be found. One query.
"""

from typing import cast

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from socialearn.people import search
from socialearn.people.search import Hit, Terms

from .models import Challenge
from .selectors import visible_challenges

FRESH = 0.2


def _challenges(user, terms: Terms, *, limit: int, offset: int, excerpts: bool) -> QuerySet:
    v = search.vector("title", "summary", "description")
    return (
        visible_challenges(user)
        .annotate(v=v)
        .filter(Q(v=terms.query()) | search.similar("title", terms))
        .annotate(
            score=search.best(search.rank(v, terms), search.similarity("title", terms))
            + FRESH * search.Freshness(F("created_at")),
            title_hl=search.headline(F("title"), terms, words=40),
            excerpt=search.headline_or_blank(
                search.StripTags(search.text_of("summary", "description_html")),
                terms,
                excerpts=excerpts,
                words=20,
            ),
        )
        .order_by("-score", "title")
        .values("pk", "title_hl", "excerpt", "status", "community__name")[offset : offset + limit]
    )


@search.register("challenges", label=cast(str, _("Challenges")), order=60)
def find_challenges(
    user, terms: Terms, *, limit: int, offset: int = 0, excerpts: bool = True
) -> list[Hit]:
    if not user.is_authenticated:
        return []
    rows = search.rows(user, terms, _challenges, limit=limit, offset=offset, excerpts=excerpts)
    labels = dict(Challenge.Status.choices)
    return [
        Hit(
            title=search.mark(r["title_hl"]),
            url=reverse("challenges:detail", args=[r["pk"]]),
            excerpt=search.mark(r["excerpt"], from_html=True),
            meta=" · ".join(
                x
                for x in (
                    r["community__name"],
                    "" if r["status"] == Challenge.Status.PUBLISHED else str(labels[r["status"]]),
                )
                if x
            ),
        )
        for r in rows
    ]
