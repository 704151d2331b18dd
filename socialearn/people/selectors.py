"""Reads the people pages share: the directory search, profiles, topics and their experts."""

import functools
import heapq
import threading
import time
from collections import Counter, OrderedDict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.utils import timezone

from socialearn.compiled import ForQuerySet, for_queryset, id_array

from .models import NEW_MEMBER, Location, Profile, Topic

User = get_user_model()

DIRECTORY_PAGE_SIZE = 24


def _active_profiles() -> QuerySet:
    """Profiles of people who can still sign in. Departed people are few, so excluding them
    (a small hashed list) lets counting the directory scan profiles alone, without a join."""
    return Profile.objects.exclude(user_id__in=User.objects.filter(is_active=False).values("id"))


def _listing(qs: QuerySet) -> QuerySet:
    return qs.select_related("user", "department", "location").prefetch_related(
        Prefetch("expertise", queryset=Topic.objects.only("id", "name", "slug"))
    )


def _listed(*, ids) -> QuerySet:
    from .evidence import InPlaces

    return Profile.objects.filter(InPlaces("pk", ids)).select_related(
        "user", "department", "location"
    )


LISTED_STAND_INS = {"ids": ([-7_000_000_031], [-7_000_000_032, -7_000_000_033])}


@functools.cache
def _listed_compiled() -> ForQuerySet | None:
    return for_queryset(_listed, LISTED_STAND_INS)


def listed_profiles(ids: list[int]) -> list[Profile]:
    """_listing(Profile.objects.filter(pk__in=ids)), in no order: the profiles with their
    account, department and location through SQL compiled once per process (building and
    compiling the three joins cost more than running them), then their expertise."""
    if not ids:
        return []
    compiled = _listed_compiled()
    if compiled is None:
        profiles = list(_listed(ids=ids))
    else:
        profiles = compiled.results(ids=id_array(frozenset(ids)))
    prefetch_related_objects(
        profiles, Prefetch("expertise", queryset=Topic.objects.only("id", "name", "slug"))
    )
    return profiles


def _topic_with_parent(*, slug) -> QuerySet:
    return Topic.objects.select_related("parent").filter(slug=slug)


@functools.cache
def _topic_compiled() -> ForQuerySet | None:
    # Two values no slug can be (a slug has no spaces).
    return for_queryset(_topic_with_parent, {"slug": ("stand in 1", "stand in 2")})


def topic_with_parent(slug: str) -> Topic | None:
    """The topic with this slug and its parent, through SQL compiled once per process (the
    hub's first query; building it cost more than running it)."""
    compiled = _topic_compiled()
    found = _topic_with_parent(slug=slug) if compiled is None else compiled.results(slug=slug)
    return next(iter(found), None)


# Ranking a common word's matches (ts_rank over every matching profile) read and sorted
# thousands of rows a page: a free-text search ranks at most this many candidates, the first
# matches in directory order, as the one search does (people.search.CANDIDATES).
CANDIDATES = 200


def people_search(
    *,
    q: str = "",
    topic: Topic | None = None,
    department=None,
    location=None,
    viewer=None,
    places: set[int] | None = None,
) -> "QuerySet | RankedIds":
    """People matching a free-text query and filters, best match first.

    Names are indexed without stemming, titles, topics and bios in English; the query is
    matched against both, so "Priya", "engineers" and "python" all find who they should.
    A query ranks the first CANDIDATES matches in directory order (`capped` says when more
    matched, so the page can ask for another word or a filter).

    With a topic ("find an expert") it finds those who declared it and those whose record
    shows it (accepted answers, session answers, tips, mentoring), the most evidence first
    -- counted as the viewer may see it (`places`: their readable places, when read already).
    """
    qs = _active_profiles()
    narrowed = department is not None or location is not None
    if department is not None:
        qs = qs.filter(department=department)
    if location is not None:
        qs = qs.filter(location=location)
    q = q.strip()
    query = None
    if q:
        query = SearchQuery(q, config="simple", search_type="websearch") | SearchQuery(
            q, config="english", search_type="websearch"
        )
        qs = qs.filter(search_vector=query)
    if topic is not None:
        return RankedPeople(
            qs, topic=topic, viewer=viewer, query=query, narrowed=narrowed, places=places
        )
    if query is not None:
        return RankedIds(_ranked_candidates(qs, query))
    return _listing(qs.order_by("display_name", "id"))


def _ranked_candidates(qs: QuerySet, query: SearchQuery) -> list[tuple[int, float]]:
    """(profile id, rank) of the first CANDIDATES matches in directory order, best first."""
    rows = list(
        qs.order_by("display_name", "id")
        .annotate(rank=SearchRank(F("search_vector"), query))
        .values_list("pk", "display_name", "rank")[:CANDIDATES]
    )
    rows.sort(key=lambda r: (-(r[2] or 0), (r[1] or "").casefold(), r[0]))
    return [(r[0], r[2]) for r in rows]


class RankedIds:
    """Profiles in an order worked out on ids, for a Paginator: only the page asked for is
    loaded (one query, plus the listing's prefetch)."""

    def __init__(self, ranked: list[tuple[int, float]], *, scores: dict[int, int] | None = None):
        self._ids = [pk for pk, _rank in ranked]
        self._scores = scores or {}
        self.capped = len(ranked) >= CANDIDATES

    def __len__(self) -> int:
        return self.count()

    def count(self) -> int:
        return len(self._ids)

    def exists(self) -> bool:
        return self.count() > 0

    def __iter__(self):
        return iter(self[: self.count()])

    def __getitem__(self, key):
        if isinstance(key, int):
            if key < 0:
                key += self.count()
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        return self._load(self._ids[key])

    def _load(self, ids: list[int]) -> list[Profile]:
        found: dict[int, Any] = {p.pk: p for p in listed_profiles(ids)}
        page = [found[i] for i in ids if i in found]
        for profile in page:
            profile.evidence = self._scores.get(profile.pk, 0)
        return page


class RankedPeople(RankedIds):
    """People on a topic, the most evidence first, then by search rank and name.

    Ranking by evidence inside SQL meant a correlated count per candidate: minutes at 100,000
    people; reading every declared expert of a big topic to sort them in Python was still
    0.6 s a page. Here only the people with evidence (the topic's evidence and their names,
    kept for every reader by topic_evidence() and restricted to this one) are sorted in
    Python; counting it for each view was 0.1-0.2 s of SQL at a big topic. Those who only
    declared the topic follow in directory order, a page of them read off the (display_name,
    id) index, and counted from the topic's expertise links. With a free-text query, those
    who only declared are the first CANDIDATES matches, ranked. A page costs the same
    whatever the number of experts.
    """

    def __init__(
        self,
        qs: QuerySet,
        *,
        topic: Topic,
        viewer,
        query,
        narrowed: bool = False,
        places: set[int] | None = None,
    ):
        kept = topic_evidence(topic.pk)
        if places is None:
            from . import evidence

            places = evidence.readable_places(viewer)
        self._qs = qs
        self._topic = topic
        self._narrowed = narrowed
        self._count: int | None = None
        self._others_ranked: list[int] | None = None
        if query is None and not narrowed:  # everyone with evidence, as kept for the topic
            by_evidence = _ranked_by_evidence(kept, places)
            self._ids, self._scores = by_evidence.ids, by_evidence.scores
            self.capped = len(by_evidence.ids) >= CANDIDATES
            self._declared = kept["declared"] - by_evidence.declared
            return
        by_user = visible_evidence(viewer, kept, places)
        links = Profile.expertise.through.objects.filter(topic=topic)
        scored = qs.filter(user_id__in=list(by_user)).annotate(
            declared=Exists(links.filter(profile_id=OuterRef("pk")))
        )
        columns = ["pk", "user_id", "display_name", "declared"]
        if query is not None:
            scored = scored.annotate(rank=SearchRank(F("search_vector"), query))
            columns.append("rank")
        rows = list(scored.values_list(*columns)) if by_user else []
        rows.sort(
            key=lambda r: (
                -by_user[r[1]],
                -(r[4] or 0) if query is not None else 0,
                (r[2] or "").casefold(),
                r[0],
            )
        )
        scores = {r[0]: by_user[r[1]] for r in rows}
        super().__init__([(r[0], 0) for r in rows], scores=scores)
        self._declared = kept["declared"] - sum(1 for r in rows if r[3])
        if query is not None:
            ranked = _ranked_candidates(self._others(), query)
            self._others_ranked = [pk for pk, _rank in ranked]
            self.capped = len(ranked) >= CANDIDATES

    def _others(self) -> QuerySet:
        """Those who declared the topic and have no evidence this reader may see."""
        declared = Profile.expertise.through.objects.filter(topic=self._topic)
        return (
            self._qs.filter(pk__in=declared.values("profile_id"))
            .exclude(pk__in=list(self._scores))
            .order_by("display_name", "id")
        )

    def count(self) -> int:
        if self._count is None:
            self._count = len(self._ids) + self._others_count()
        return self._count

    def _others_count(self) -> int:
        if self._others_ranked is not None:
            return len(self._others_ranked)
        if self._narrowed:
            return self._others().count()
        # The topic's declared experts (kept), less those with evidence.
        return self._declared

    def __getitem__(self, key):
        if isinstance(key, int):
            return super().__getitem__(key)
        start, stop, _step = key.indices(self.count())
        ids = self._ids[start:stop]
        if stop > len(self._ids):
            first, last = max(start - len(self._ids), 0), stop - len(self._ids)
            if self._others_ranked is not None:
                ids += self._others_ranked[first:last]
            elif not ids:  # a page of those who only declared: straight off the index
                return list(_listing(self._others())[first:last])
            else:
                ids += list(self._others().values_list("pk", flat=True)[first:last])
        return self._load(ids)


# The directory's headcount changes only when someone joins, leaves or first signs in (their
# profile is made then); counting every profile on each page view read the whole table.
DIRECTORY_COUNT_SECONDS = 10 * 60


def kept_while(markers_sql: str, *, prefix: str, seconds: int, compute):
    """`compute()`, cached under a key naming the markers `markers_sql` reads off indexes, so
    a change that moves a marker shows at once and any other within `seconds`."""
    from django.core.cache import cache
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(markers_sql)
        markers = cursor.fetchone()
    return cache.get_or_set(":".join([prefix, *map(str, markers)]), compute, seconds)


# Everyone's evidence on a topic, whoever may see it: 0.1-0.2 s for a big topic, counted on
# every view of its hub before it was kept.
TOPIC_EVIDENCE_SECONDS = 10 * 60


def topics_evidence(topic_ids: list[int]) -> dict[int, dict]:
    """Everything on each topic that counts as evidence, for every reader:

    weighted  (user id, community id, weighted count): restrict it with visible_evidence()
    people    (profile id, user id, display name, declared the topic) of the active people
              with any evidence
    declared  how many active people declared the topic

    Kept under a key naming each source's newest object, the newest expertise link, the
    departed count and the evidence generation (an answer accepted, a post hidden), so new
    evidence shows at once and anything else (a renamed person) within ten minutes. Two
    queries when kept (the markers, one read of the cache), three more for those that are
    not, however many topics."""
    from django.core.cache import cache
    from django.db import connection

    from . import evidence

    markers = evidence.markers_sql().removeprefix("SELECT ")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {markers}, (SELECT max(id) FROM people_profile_expertise),"  # noqa: S608 - the sources' fixed markers
            " (SELECT count(*) FROM auth_user WHERE NOT is_active)"
        )
        found = ":".join(map(str, cursor.fetchone()))
    prefix = f"people:topic-evidence:{evidence.generation()}:{found}"
    keys = {topic_id: f"{prefix}:{topic_id}" for topic_id in topic_ids}
    result = {t: d for t, key in keys.items() if (d := _decoded.get(key)) is not None}
    unread = [keys[t] for t in topic_ids if t not in result]
    kept = cache.get_many(unread) if unread else {}
    result.update((t, kept[key]) for t, key in keys.items() if key in kept)
    missing = [t for t in topic_ids if t not in result]
    if missing:
        result.update(_count_topics_evidence(missing))
        cache.set_many({keys[t]: result[t] for t in missing}, TOPIC_EVIDENCE_SECONDS)
    for t, key in keys.items():
        if key in unread:
            _decoded.put(key, result[t])
    return result


class _Decoded:
    """The topics' kept evidence this process read last, decoded, each for a minute at most,
    under the same keys as the shared cache (so new evidence, which changes the key, shows at
    once): a big topic's is some 200 KB, which reading and unpickling again on each view cost
    more than the rest of the first-run page. A few topics only, the least recently used
    going first."""

    SECONDS = 60
    SIZE = 32

    def __init__(self) -> None:
        self._entries: OrderedDict[str, tuple[float, dict]] = OrderedDict()

    def get(self, key: str) -> dict | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, key: str, value: dict) -> None:
        self._entries[key] = (time.monotonic() + self.SECONDS, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.SIZE:
            self._entries.popitem(last=False)


_decoded = _Decoded()


def _people_by_user(kept: dict) -> dict[int, tuple[int, str]]:
    """A topic's kept people as {user id: (profile id, display name)}, made once per decoded
    topic (kept beside it)."""
    found = kept.get("_by_user")
    if found is None:
        found = kept["_by_user"] = {u: (pk, name) for pk, u, name, _declared in kept["people"]}
    return found


@dataclass(frozen=True)
class _Ranked:
    ids: list[int]  # profile ids, the most evidence first, then in directory order
    scores: dict[int, int]  # profile id -> weighted evidence
    declared: int  # how many of them declared the topic


_ranked_lock = threading.Lock()
RANKED_READERS = 8


def _ranked_by_evidence(kept: dict, places: set[int]) -> _Ranked:
    """The people with evidence on a kept topic that a reader of these communities sees,
    ranked: kept beside the decoded topic (as its directory order is) for the last few
    readable sets. It depends on the kept evidence and the set alone, so it is exactly as
    fresh as the kept evidence; restricting and sorting some thousands of people was a third
    of a big topic's hub."""
    key = frozenset(places)
    with _ranked_lock:
        kept_sets = kept.setdefault("_ranked", OrderedDict())
        found = kept_sets.get(key)
        if found is not None:
            kept_sets.move_to_end(key)
            return found
    from . import evidence

    by_user = evidence.visible_totals(kept["weighted"], places)
    # Already by name: a stable sort by total alone keeps names in order among equals (the
    # full key cost a third of the hub's own work at a big topic).
    rows = [r for r in _people_by_name(kept) if r[1] in by_user]
    rows.sort(key=lambda r: by_user[r[1]], reverse=True)
    found = _Ranked(
        ids=[r[0] for r in rows],
        scores={r[0]: by_user[r[1]] for r in rows},
        declared=sum(1 for r in rows if r[3]),
    )
    with _ranked_lock:
        kept_sets[key] = found
        while len(kept_sets) > RANKED_READERS:
            kept_sets.popitem(last=False)
    return found


def _people_by_name(kept: dict) -> list[tuple[int, int, str, bool]]:
    """A topic's kept people in directory order (name, then profile id), sorted once per
    decoded topic (kept beside it)."""
    found = kept.get("_by_name")
    if found is None:
        found = kept["_by_name"] = sorted(
            kept["people"], key=lambda p: ((p[2] or "").casefold(), p[0])
        )
    return found


def _count_topics_evidence(topic_ids: list[int]) -> dict[int, dict]:
    from . import evidence

    rows = evidence.place_rows(topic_ids=topic_ids)
    weighted = evidence.weighted_by_place(rows)
    links = Profile.expertise.through.objects.filter(topic_id__in=topic_ids)
    people = list(
        _active_profiles()
        .filter(user_id__in={r[2] for r in rows})
        .values_list("pk", "user_id", "display_name")
    )
    declared_by: dict[int, set[int]] = {}
    for topic_id, profile_id in links.filter(profile_id__in=[p[0] for p in people]).values_list(
        "topic_id", "profile_id"
    ):
        declared_by.setdefault(topic_id, set()).add(profile_id)
    departed = Profile.objects.filter(user__is_active=False).values("id")
    counts = {
        row["topic_id"]: row["n"]
        for row in links.exclude(profile_id__in=departed)
        .values("topic_id")
        .annotate(n=Count("*"))
        .order_by()
    }
    result = {}
    for topic_id in topic_ids:
        on_topic = weighted.get(topic_id, [])
        users = {r[0] for r in on_topic}
        declared = declared_by.get(topic_id, set())
        result[topic_id] = {
            "weighted": on_topic,
            "people": [(*p, p[0] in declared) for p in people if p[1] in users],
            "declared": counts.get(topic_id, 0),
        }
    return result


def topic_evidence(topic_id: int) -> dict:
    """topics_evidence() of one topic."""
    return topics_evidence([topic_id])[topic_id]


def visible_evidence(viewer, kept: dict, places: set[int] | None = None) -> dict[int, int]:
    """Each person's weighted evidence in a topic's topics_evidence() as this reader may
    see it (user id -> total, those with none left out): one query for the communities
    they may read, unless given."""
    from . import evidence

    if places is None:
        places = evidence.readable_places(viewer)
    return evidence.visible_totals(kept["weighted"], places)


def directory_count() -> int:
    """How many people the unfiltered directory lists, kept under a key naming the newest
    profile and the number of departed people (both read off indexes), so a newcomer or a
    departure counts at once; anything else (a deleted account) within ten minutes."""
    return kept_while(
        "SELECT (SELECT max(id) FROM people_profile),"
        " (SELECT count(*) FROM auth_user WHERE NOT is_active)",
        prefix="people:directory-count",
        seconds=DIRECTORY_COUNT_SECONDS,
        compute=lambda: _active_profiles().count(),
    )


def profile_named(*, user_id: int) -> QuerySet:
    """A signed-in person's profile with their account, for pages that name them (a chip, a
    title) and show nothing else of the profile."""
    return Profile.objects.filter(user_id=user_id, user__is_active=True).select_related("user")


def profile_detail(*, user_id: int) -> QuerySet:
    return (
        Profile.objects.filter(user_id=user_id, user__is_active=True)
        .select_related("user", "department", "location", "manager__profile")
        .prefetch_related(
            Prefetch("expertise", queryset=Topic.objects.order_by("name")),
            Prefetch("interests", queryset=Topic.objects.order_by("name")),
        )
    )


# Experts and followers per topic: some 300,000 links at a large organisation, counted on
# every view of the topic list cost more than the rest of the page.
TOPIC_COUNTS_SECONDS = 2 * 60
# Bumped by people.services.profile_refresh_search, which every change of a person's
# expertise calls (the directory's search follows their topics).
EXPERTISE_GENERATION = "people:expertise"


def topic_counts() -> dict[int, tuple[int, int]]:
    """Each topic's (experts, followers), kept under a key naming the newest link of each
    kind (read off their primary keys) and the expertise generation, so a new expert or
    follower counts at once, and so does an expertise taken away; any other removal (an
    unfollow, a person deleted) within two minutes."""
    from socialearn import generations
    from socialearn.notifications.models import TopicFollow

    def count() -> dict[int, tuple[int, int]]:
        experts = {
            row["topic_id"]: row["n"]
            for row in Profile.expertise.through.objects.values("topic_id").annotate(n=Count("*"))
        }
        followers = {
            row["topic_id"]: row["n"]
            for row in TopicFollow.objects.values("topic_id").annotate(n=Count("*"))
        }
        return {
            topic_id: (experts.get(topic_id, 0), followers.get(topic_id, 0))
            for topic_id in experts.keys() | followers.keys()
        }

    return kept_while(
        "SELECT (SELECT max(id) FROM people_profile_expertise),"
        " (SELECT max(id) FROM notifications_topicfollow)",
        prefix=f"people:topic-counts:{generations.get(EXPERTISE_GENERATION)}",
        seconds=TOPIC_COUNTS_SECONDS,
        compute=count,
    )


def topics_with_counts() -> list[Topic]:
    """Every topic by name, each with `expert_count` and `follower_count`."""
    counts = topic_counts()
    topics = list(Topic.objects.order_by("name"))
    for topic in topics:
        experts, followers = counts.get(topic.pk, (0, 0))
        topic.expert_count = experts  # type: ignore[attr-defined]
        topic.follower_count = followers  # type: ignore[attr-defined]
    return topics


class TopicExperts:
    """A topic's experts by name, for a Paginator.

    A page walks the directory's (display_name, id) index; the total counts the topic's
    expertise links, leaving out the few departed people by id, instead of joining every
    profile (a topic with 17,000 experts read all 100,000 profiles to count them)."""

    def __init__(self, topic: Topic):
        self._listing = _listing(
            _active_profiles().filter(expertise=topic).order_by("display_name", "id")
        )
        departed = Profile.objects.filter(user__is_active=False).values("id")
        self._links = Profile.expertise.through.objects.filter(topic=topic).exclude(
            profile_id__in=departed
        )

    def count(self) -> int:
        return self._links.count()

    def __getitem__(self, bounds: slice) -> list[Profile]:
        return list(self._listing[bounds])


def topic_experts(*, topic: Topic) -> TopicExperts:
    return TopicExperts(topic)


# What the home page shows of a newcomer: name, avatar, job, place and start date.
NEWCOMER_COLUMNS = (
    "display_name",
    "job_title",
    "started_company_on",
    "photo_updated_at",
    "user__first_name",
    "user__last_name",
    "location__name",
)


def newcomers(*, days: int = 30, near: Profile | None = None, limit: int = 5) -> list[Profile]:
    """People who joined in the last `days`, those in the viewer's department or site first.

    The nearby ones are read newest first through the start-date index and the rest only
    when they are too few (one query, two for a small organisation): ranking every newcomer
    by nearness sorted thousands of rows for five.
    """
    since = timezone.localdate() - timedelta(days=days)
    qs = (
        Profile.objects.filter(started_company_on__gte=since, user__is_active=True)
        .select_related("user", "location")
        .only(*NEWCOMER_COLUMNS)
        .order_by("-started_company_on", "id")
    )
    if near is None:
        return list(qs[:limit])
    qs = qs.exclude(pk=near.pk)
    close = Q()
    if near.department_id:
        close |= Q(department_id=near.department_id)
    if near.location_id:
        close |= Q(location_id=near.location_id)
    if not close:
        return list(qs[:limit])
    found = list(qs.filter(close)[:limit])
    if len(found) < limit:
        found += list(qs.exclude(close)[: limit - len(found)])
    return found


# newcomers() for the home page in one statement: the nearby part and the rest, each walking
# the start-date index for `limit` rows, with only what the section shows.
# tests/people/test_newcomers.py holds the two equal; change them together. Building and
# compiling the ORM's query (and a second one when the nearby were too few) was most of the
# section's time.
_NEWCOMERS_PART = """
(SELECT {part}, p.id, p.user_id, p.display_name, p.job_title, p.started_company_on,
        p.photo_updated_at, u.first_name, u.last_name, l.id, l.name
   FROM people_profile p
   JOIN auth_user u ON u.id = p.user_id
   LEFT JOIN people_location l ON l.id = p.location_id
  WHERE p.started_company_on >= %s AND u.is_active AND p.id IS DISTINCT FROM %s
    AND {near}
  ORDER BY p.started_company_on DESC, p.id LIMIT %s)
"""
_CLOSE = "(p.department_id = %s OR p.location_id = %s)"
_NEWCOMERS_SQL = (
    _NEWCOMERS_PART.format(part=0, near=_CLOSE)
    + "UNION ALL"
    + _NEWCOMERS_PART.format(part=1, near=f"NOT COALESCE({_CLOSE}, FALSE)")
)


def newcomers_near(*, days: int = 30, near: Profile | None = None, limit: int = 5) -> list:
    """newcomers(days=, near=, limit=) in one query, each with its name, job title, start
    date, photo stamp and place (a user and a location with only those read)."""
    since = timezone.localdate() - timedelta(days=days)
    me = near.pk if near is not None else None
    department = near.department_id if near is not None else None
    location = near.location_id if near is not None else None
    params = [since, me, department, location, limit] * 2
    with connection.cursor() as cursor:
        cursor.execute(_NEWCOMERS_SQL, params)
        found = sorted(cursor.fetchall(), key=lambda r: (r[0], -r[5].toordinal(), r[1]))
    people = []
    for _part, pk, user_pk, name, job, started, photo, first, last, place_pk, place in found:
        profile = Profile(
            id=pk,
            display_name=name,
            job_title=job,
            started_company_on=started,
            photo_updated_at=photo,
        )
        # One-to-one: the user's `profile` points back at this profile, no query.
        profile.user = get_user_model()(id=user_pk, first_name=first, last_name=last)
        profile.location = Location(id=place_pk, name=place) if place_pk is not None else None
        people.append(profile)
    return people[:limit]


def profile_evidence(*, viewer, user_id: int) -> list:
    """The person's expertise from evidence, per topic, as this viewer may see it."""
    from . import evidence

    return evidence.person_evidence(viewer=viewer, user_id=user_id)


EVIDENCE_ITEMS = 20


def evidence_items(*, viewer, user_id: int, topic: Topic) -> list[tuple]:
    """(source, hits) for one person and topic: one bounded query per source."""
    from . import evidence

    return [
        (s, s.items(viewer, user_id, topic.pk, EVIDENCE_ITEMS))
        for s in evidence.sources()
        if s.items is not None
    ]


def experts_to_follow(*, profile: Profile, limit: int = 8) -> list[Profile]:
    """People who know what this person wants to learn (declared, or shown by their record),
    most evidence first: the first-run setup's suggestions. A fixed number of queries.

    The candidates are those with the most evidence on the topics this person may see (from
    the topics' kept evidence, topics_evidence()) and the first few in directory order of
    those who declared them (read off the (display_name, id) index): asking SQL for "declared
    or with evidence" in one query made the planner read every profile.

    Only the candidates' totals are compared in full: names are looked at for those tied at
    the last place kept, and SQL orders them and reads the `limit` shown, not every
    candidate (sorting thousands of people with evidence by total and name, then reading
    all 48 candidates with their topics for 8 shown, was most of the page at a large
    organisation)."""
    from . import evidence

    topic_ids = list(profile.interests.values_list("pk", flat=True)) or list(
        profile.expertise.values_list("pk", flat=True)
    )
    if not topic_ids:
        return []
    wanted = limit * 3
    places = evidence.readable_places(profile.user)
    totals: Counter[int] = Counter()
    active: dict[int, tuple[int, str]] = {}  # user id -> (profile id, name)
    for kept in topics_evidence(topic_ids).values():
        totals.update(visible_evidence(profile.user, kept, places))
        active.update(_people_by_user(kept))
    best = _most_evidence(totals, active, wanted, leave_out=profile.user_id)
    declared = Profile.expertise.through.objects.filter(topic_id__in=topic_ids).values("profile_id")
    first_declared = (
        _active_profiles()
        .exclude(pk=profile.pk)
        .filter(pk__in=declared)
        .order_by("display_name", "id")
        .values_list("pk", "user_id")[:wanted]
    )
    scores = {active[u][0]: totals[u] for u in best}
    scores.update((pk, totals.get(user_id, 0)) for pk, user_id in first_declared)
    return list(
        _listing(Profile.objects.filter(pk__in=list(scores)))
        .annotate(evidence_total=_MappedValue(F("pk"), scores))
        .order_by("-evidence_total", "display_name", "id")[:limit]
    )


class _MappedValue(Func):
    """`mapping[expression]`, 0 for a key it does not hold, as one SQL expression (two array
    parameters) whatever the mapping's size: a CASE of one WHEN a key cost more to build
    than the query it was in."""

    output_field = IntegerField()

    def __init__(self, expression, mapping: dict[int, int]):
        super().__init__(expression)
        self.keys, self.values = list(mapping), list(mapping.values())

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        template = "COALESCE((%s::integer[])[array_position(%s::integer[], {})], 0)"
        return template.format(sql), (self.values, self.keys, *params)


def _most_evidence(
    totals: Counter[int], active: dict[int, tuple[int, str]], wanted: int, *, leave_out: int
) -> list[int]:
    """The `wanted` active people (user ids) with the highest totals, ties by name and
    profile id; names are compared only among those tied at the last place kept."""
    eligible = [u for u in totals if u in active and u != leave_out]
    if len(eligible) <= wanted:
        tied = eligible
    else:
        last = heapq.nlargest(wanted, (totals[u] for u in eligible))[-1]
        tied = [u for u in eligible if totals[u] >= last]
    return sorted(tied, key=lambda u: (-totals[u], (active[u][1] or "").casefold(), active[u][0]))[
        :wanted
    ]


MENTION_SUGGESTIONS = 8


def mention_suggestions(*, prefix: str, exclude_user_id: int | None = None) -> list[dict]:
    """People whose name or @handle (the part of the email before the @) starts with the
    prefix, for @mention autocomplete: name and handle only, one query."""
    from django.db.models import Value
    from django.db.models.functions import Left, Lower, StrIndex

    prefix = prefix.strip().lstrip("@").lower()[:64]
    if not prefix:
        return []
    handle = Lower(Left("user__email", StrIndex("user__email", Value("@")) - 1))
    qs = (
        _active_profiles()
        .annotate(handle=handle)
        .filter(
            Q(handle__startswith=prefix)
            | Q(display_name__istartswith=prefix)
            | Q(display_name__icontains=f" {prefix}")
        )
        .exclude(user_id=exclude_user_id)
        .order_by("display_name", "id")
        .values("display_name", "handle", "user__first_name", "user__last_name")
    )[:MENTION_SUGGESTIONS]
    return [
        {
            "handle": r["handle"],
            "name": r["display_name"]
            or f"{r['user__first_name']} {r['user__last_name']}".strip()
            or str(NEW_MEMBER),
        }
        for r in qs
        if r["handle"]
    ]


TOPIC_SUGGESTIONS = 10


class _ILike(Func):
    """`name ILIKE pattern`: answered from the trigram index on topic names (an UPPER() LIKE,
    Django's istartswith, would read every row)."""

    arg_joiner = " ILIKE "
    template = "%(expressions)s"
    output_field = BooleanField()


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def topic_suggestions(*, prefix: str) -> list[dict]:
    """Topics for the tag picker as a name is typed, in one bounded query on the trigram
    index of their names: those whose name or one of its words starts with the text first,
    then the names a typo away ("kubernets" finds Kubernetes), best match first."""
    from .search import parse, similar, similarity

    text = " ".join(prefix.replace("\x00", "").split())[:100]
    if not text:
        return []
    escaped = _like_escaped(text)
    starts = _ILike(F("name"), Value(f"{escaped}%"))
    matches = Q(starts) | Q(_ILike(F("name"), Value(f"% {escaped}%")))
    terms = parse(text)
    score: object = Value(0.0)
    if terms is not None:
        matches |= similar("name", terms)
        score = similarity("name", terms)
    rows = (
        Topic.objects.filter(matches)
        .annotate(starts=starts, score=score)
        .order_by("-starts", "-score", "name")
        .values("pk", "name")[:TOPIC_SUGGESTIONS]
    )
    return [{"id": r["pk"], "name": r["name"]} for r in rows]
