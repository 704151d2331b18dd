"""What waits for a person: the counts in the menu and the cards on the home page.

Each feature lists the kinds of work it can hand someone in its `waiting.py` as `WAITING`,
a list of `WaitingKind`. A kind names the QuerySet of the items waiting for one person (held
posts in the communities they manage, answers an expert owes...); that one QuerySet is both
counted for the menu and grouped for the home page's cards, so the two always agree.

Every badge and card links to the place to act: the item itself when exactly one waits
(`item`), else the list of them at their place (`url`, e.g. a community's moderation queue at
its review section); a menu badge whose items wait in several places opens the home page's
card, which lists them by place.

The menu reads every kind inside the menu's single query (one uncorrelated subquery per
kind, giving its count, its first item and its places); the home page runs one grouped query
per kind that has something waiting. The project package may import features (it sits on
top); the core apps never do.
"""

import importlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models import Count, Exists, F, Min, QuerySet, Subquery, TextField
from django.urls import reverse

from socialearn.people.permissions import LD_ADMIN

FEATURE_WAITING = [
    "socialearn.insights.waiting",
    "socialearn.insights.admin_waiting",
    "communities.waiting",
    "communities.admin_waiting",
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
    # Where to act on them: the list at their place, from the group's key.
    url: Callable[[object], str]
    # Where to act on one of them, from the group's key and the item's pk (None: the list).
    item: Callable[[object, object], str] | None = None


@dataclass(frozen=True)
class Waiting:
    key: str
    count: int
    label: str
    place: str
    url: str


class WaitingSummary(Subquery):
    """[count, first item's pk, number of places, first place's key] of a QuerySet selecting
    `w_pk` and `w_group`, as one expression another query can select (JSON text)."""

    template = (
        "(SELECT json_build_array(count(*), min(_w.w_pk), count(DISTINCT _w.w_group), "
        "min(_w.w_group))::text FROM (%(subquery)s) _w)"
    )
    output_field = TextField()


def lnd_admins_only(user, items: QuerySet) -> QuerySet:
    """`items` for an L&D admin (or a superuser), none for anyone else: the group is tested
    inside the query, so the menu asks nothing more."""
    if not user.is_authenticated:
        return items.none()
    if user.is_superuser:
        return items
    return items.filter(Exists(Group.objects.filter(name=LD_ADMIN, user=user.pk)))


def waiting_kinds() -> list[WaitingKind]:
    kinds: list[WaitingKind] = []
    for module_name in FEATURE_WAITING:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        kinds.extend(module.WAITING)
    return kinds


def waiting_count_expressions(user) -> dict[str, WaitingSummary]:
    """{"waiting_<kind key>": an expression summing up that kind's items}, for one query."""
    return {
        f"waiting_{kind.key}": WaitingSummary(
            kind.items(user).order_by().values(w_pk=F("pk"), w_group=F(kind.group[0])).distinct()
        )
        for kind in waiting_kinds()
    }


@dataclass(frozen=True)
class Summary:
    count: int = 0
    first: object = None
    places: int = 0
    place: object = None


def summaries(facts: dict) -> dict[str, Summary]:
    """{kind key: its Summary}, from a row selecting the expressions."""
    found = {}
    for kind in waiting_kinds():
        raw = facts.get(f"waiting_{kind.key}")
        found[kind.key] = Summary(*json.loads(raw)) if raw else Summary()
    return found


def _at(kind: WaitingKind, place, item=None) -> str:
    if item is not None and kind.item is not None:
        return kind.item(place, item)
    return kind.url(place)


def section_links(facts: dict) -> dict[str, tuple[int, str]]:
    """{menu url name: (how many items wait there, where to act on them)}."""
    by_section: dict[str, list[tuple[WaitingKind, Summary]]] = {}
    found = summaries(facts)
    for kind in waiting_kinds():
        summary = found[kind.key]
        if summary.count:
            by_section.setdefault(kind.section, []).append((kind, summary))
    links = {}
    for section, waiting in by_section.items():
        total = sum(s.count for _, s in waiting)
        one_place = {_at(k, s.place).split("#")[0] for k, s in waiting if s.places == 1}
        if total == 1:
            kind, summary = waiting[0]
            url = _at(kind, summary.place, summary.first)
        elif len(waiting) == 1 and waiting[0][1].places == 1:
            kind, summary = waiting[0]
            url = _at(kind, summary.place)  # the list of them at their place
        elif len(one_place) == 1 and all(s.places == 1 for _, s in waiting):
            url = one_place.pop()  # several kinds at one place: its page
        else:
            url = reverse("home") + "#waiting"  # several places: the card lists them
        links[section] = (total, url)
    return links


def section_counts(facts: dict) -> dict[str, int]:
    """{menu url name: how many items wait there}, from a row selecting the expressions."""
    return {section: n for section, (n, _url) in section_links(facts).items()}


def waiting_for(user, counts: dict[str, int] | None = None) -> list[Waiting]:
    """Every place where something waits for `user`, one grouped query per kind.

    With `counts` ({kind key: n}, e.g. from the menu's query), kinds with nothing waiting
    are not asked again. A place with one item links to the item itself."""
    rows: list[Waiting] = []
    for kind in waiting_kinds():
        if counts is not None and not counts.get(kind.key):
            continue
        key_field, name_field = kind.group
        groups = (
            kind.items(user)
            .order_by()
            .values(key_field, name_field)
            .annotate(n=Count("pk", distinct=True), first=Min("pk"))
            .order_by(name_field, key_field)
        )
        rows.extend(
            Waiting(
                key=kind.key,
                count=g["n"],
                label=kind.label(g["n"]),
                place=g[name_field],
                url=_at(kind, g[key_field], g["first"] if g["n"] == 1 else None),
            )
            for g in groups
        )
    return rows
