"""What waits for a person: the counts in the menu and the cards on the home page.

Each feature lists the kinds of work it can hand someone in its `waiting.py` as `WAITING`,
a list of `WaitingKind`. A kind names the QuerySet of the items waiting for one person (held
posts in the communities they manage, answers an expert owes...); that one QuerySet is both
counted for the menu and grouped for the home page's cards, so the two always agree.

The menu counts every kind inside the menu's single query (one uncorrelated subquery per
kind); the home page runs one grouped query per kind that has something waiting. The project
package may import features (it sits on top); the core apps never do.
"""

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce

FEATURE_WAITING = [
    "communities.waiting",
    "expertqa.waiting",
    "mentoring.waiting",
    "challenges.waiting",
]


@dataclass(frozen=True)
class WaitingKind:
    key: str
    # The menu entry (url name) whose badge adds this count.
    section: str
    # The items waiting for one person.
    items: Callable[..., QuerySet]
    # What the home page groups by: a key and the name of the place to act (a community...).
    group: tuple[str, str]
    # "3 posts held for review", from the count.
    label: Callable[[int], str]
    # Where to act, from the group's key.
    url: Callable[[object], str]


@dataclass(frozen=True)
class Waiting:
    key: str
    count: int
    label: str
    place: str
    url: str


class SubqueryCount(Subquery):
    """COUNT(*) of a QuerySet, as an expression another query can select."""

    template = "(SELECT count(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def waiting_kinds() -> list[WaitingKind]:
    kinds: list[WaitingKind] = []
    for module_name in FEATURE_WAITING:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        kinds.extend(module.WAITING)
    return kinds


def waiting_count_expressions(user) -> dict[str, Coalesce]:
    """{kind key: an expression counting that kind's items}, to select in one query."""
    return {
        f"waiting_{kind.key}": Coalesce(
            SubqueryCount(kind.items(user).order_by().values("pk").distinct()), 0
        )
        for kind in waiting_kinds()
    }


def section_counts(facts: dict) -> dict[str, int]:
    """{menu url name: how many items wait there}, from a row selecting the expressions."""
    counts: dict[str, int] = {}
    for kind in waiting_kinds():
        n = facts.get(f"waiting_{kind.key}", 0)
        if n:
            counts[kind.section] = counts.get(kind.section, 0) + n
    return counts


def waiting_for(user, counts: dict[str, int] | None = None) -> list[Waiting]:
    """Every place where something waits for `user`, one grouped query per kind.

    With `counts` ({kind key: n}, e.g. from the menu's query), kinds with nothing waiting
    are not asked again."""
    rows: list[Waiting] = []
    for kind in waiting_kinds():
        if counts is not None and not counts.get(kind.key):
            continue
        key_field, name_field = kind.group
        groups = (
            kind.items(user)
            .order_by()
            .values(key_field, name_field)
            .annotate(n=Count("pk", distinct=True))
            .order_by(name_field, key_field)
        )
        rows.extend(
            Waiting(
                key=kind.key,
                count=g["n"],
                label=kind.label(g["n"]),
                place=g[name_field],
                url=kind.url(g[key_field]),
            )
            for g in groups
        )
    return rows
