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

The menu's facts are kept per person for WAITING_SECONDS: building the subqueries cost some
20 ms of Python on every page. A kind names in `watch` the models whose writes change it; a
write of one (as its predicate says) makes everyone's facts be asked again, or only its own
person's (`person`), and a person's own POST forgets theirs, so what someone just did shows at
once. What changes with time alone (an answer falling due) shows within WAITING_SECONDS.
"""

import importlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Min, Model, QuerySet, Subquery, TextField
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import get_script_prefix, get_urlconf, reverse

from socialearn.compiled import ForReader, for_reader
from socialearn.people.permissions import LD_ADMIN

WAITING_SECONDS = 60
GENERATION_KEY = "waiting:generation"

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
    # Writes that change this kind's counts (see `Watch`).
    watch: tuple["Watch", ...] = ()
    # Whether `items` reads the clock (a moment or today's date) in Python: such a kind's SQL
    # holds the time, so the home page builds it for each reader instead of compiling it once.
    # tests/test_waiting.py holds every kind's declaration to what its SQL does.
    reads_clock: bool = False


@dataclass(frozen=True)
class Watch:
    """A model whose saves and deletes change some waiting counts.

    `when(instance, created, update_fields)` says whether this write matters (a new thread
    matters only when it is held); `person(instance)` names the one person whose counts it
    changes (their own completion), otherwise everyone's are asked again."""

    model: type[Model]
    when: Callable[..., bool] | None = None
    person: Callable[[Model], int | None] | None = None
    m2m: tuple[str, ...] = field(default=())


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
    """{menu url name: (how many items wait there, where to act on them)}.

    Worked out once per process for each set of summaries (every page's header asks it, and
    decoding and reversing them cost about a tenth of a small page); the address depends on
    nothing else but the URL configuration and the script prefix, also in the key."""
    kinds = tuple(waiting_kinds())
    raw = tuple(facts.get(f"waiting_{kind.key}") for kind in kinds)
    try:
        return dict(_section_links(kinds, raw, get_script_prefix(), get_urlconf()))
    except TypeError:  # a summary that cannot be a key: worked out as it is
        return _section_links.__wrapped__(kinds, raw, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=4096)
def _section_links(
    kinds: tuple[WaitingKind, ...], raw: tuple, _prefix: str, _urlconf
) -> dict[str, tuple[int, str]]:
    by_section: dict[str, list[tuple[WaitingKind, Summary]]] = {}
    found = summaries(
        {f"waiting_{kind.key}": value for kind, value in zip(kinds, raw, strict=True)}
    )
    for kind in kinds:
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
        groups = _groups(kind, user)
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


def _grouped(kind: WaitingKind, user) -> QuerySet:
    """The kind's items for `user` by place: its key and name, how many, the first item."""
    key_field, name_field = kind.group
    return (
        kind.items(user)
        .order_by()
        .values(key_field, name_field)
        .annotate(n=Count("pk", distinct=True), first=Min("pk"))
        .order_by(name_field, key_field)
    )


# --- the home page's grouped queries, compiled once where they can be ----------------------------
#
# Building and compiling a kind's grouped query was most of the home page's "Waiting for you"
# card. A kind whose SQL depends on the reader's id alone (and their superuser flag, in the
# key) is compiled once per process, for two ids no account has, and run with each reader's id
# in the places where the two differ. A kind that reads the clock (`reads_clock`: an answer
# falling due) or that reads the database while it is built is built for each reader as before.

# Each kind's SQL for any reader, and the names of its columns (None: built for each reader).
_compiled: dict[tuple[WaitingKind, bool], tuple[ForReader, tuple[str, ...]] | None] = {}


class _BuiltFromTheDatabase(Exception):
    pass


def _refuse(*args, **kwargs):
    raise _BuiltFromTheDatabase


def _compile(kind: WaitingKind, is_superuser: bool) -> tuple[ForReader, tuple[str, ...]] | None:
    if kind.reads_clock:
        return None
    User = get_user_model()
    names: tuple[str, ...] = ()

    def build(pk: int) -> tuple[str, tuple]:
        nonlocal names
        query = _grouped(kind, User(pk=pk, is_superuser=is_superuser)).query
        names = (*query.values_select, *query.annotation_select)
        return query.sql_with_params()

    try:
        with connection.execute_wrapper(_refuse):
            compiled = for_reader(build)
    except _BuiltFromTheDatabase:
        return None
    return (compiled, names) if compiled is not None else None


def _groups(kind: WaitingKind, user) -> list[dict]:
    """list(_grouped(kind, user)), from the SQL compiled once when the kind allows it."""
    key = (kind, bool(user.is_superuser))
    if key not in _compiled:
        _compiled[key] = _compile(kind, key[1])
    kept = _compiled[key]
    if kept is None:
        return list(_grouped(kind, user))
    compiled, names = kept
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params_for(user.pk))
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# --- the menu's counts, kept per person -------------------------------------------------------


def _person_key(user_id: int) -> str:
    return f"waiting:person:{user_id}"


def cached_counts(user_id: int) -> dict[str, Any] | None:
    """{"waiting_<kind>": its summary} kept for this person, or None when they must be counted."""
    found = cache.get_many([_person_key(user_id), GENERATION_KEY])
    entry = found.get(_person_key(user_id))
    if entry is None or entry["generation"] != found.get(GENERATION_KEY, ""):
        return None
    return entry["counts"]


def keep_counts(user_id: int, counts: dict[str, Any]) -> None:
    generation = cache.get(GENERATION_KEY, "")
    cache.set(_person_key(user_id), {"generation": generation, "counts": counts}, WAITING_SECONDS)


def waiting_changed(*, user_ids: Iterable[int] | None = None) -> None:
    """Forget the kept counts of these people, or of everyone (a new generation).

    Now, so the writer's next page shows it, and again after the commit, so a page that
    counted meanwhile (still seeing the old rows) does not keep its figures."""

    def forget() -> None:
        if user_ids is None:
            cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
        else:
            cache.delete_many([_person_key(pk) for pk in ids])

    ids = list(user_ids) if user_ids is not None else []
    forget()
    transaction.on_commit(forget)


def _on_write(watch: Watch):
    def receiver(sender, instance, created=False, update_fields=None, **kwargs):
        if watch.when is not None and not watch.when(instance, created, update_fields):
            return
        person = watch.person(instance) if watch.person is not None else None
        waiting_changed(user_ids=[person] if person is not None else None)

    return receiver


def _on_m2m(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        waiting_changed()


_receivers: list = []  # signals hold receivers weakly


def connect_signals() -> None:
    """Watch every kind's models (from the project's AppConfig.ready)."""
    watches = {watch for kind in waiting_kinds() for watch in kind.watch}  # kinds share some
    for watch in watches:
        receiver = _on_write(watch)
        _receivers.append(receiver)
        post_save.connect(receiver, sender=watch.model)
        post_delete.connect(receiver, sender=watch.model)
        for name in watch.m2m:
            m2m_changed.connect(_on_m2m, sender=getattr(watch.model, name).through)


class ForgetOwnCountsMiddleware:
    """After a person's POST (they answered, approved, published...), their menu counts are
    asked again on the next page: what they just did shows at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST":
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                cache.delete(_person_key(user.pk))
        return response
