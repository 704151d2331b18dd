"""Reads the people pages share: the directory search, profiles, topics and their experts."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import (
    BooleanField,
    Count,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import NEW_MEMBER, Profile, Topic

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


def people_search(
    *,
    q: str = "",
    topic: Topic | None = None,
    department=None,
    location=None,
    viewer=None,
) -> "QuerySet | RankedPeople":
    """People matching a free-text query and filters, best match first.

    Names are indexed without stemming, titles, topics and bios in English; the query is
    matched against both, so "Priya", "engineers" and "python" all find who they should.

    With a topic ("find an expert") it finds those who declared it and those whose record
    shows it (accepted answers, session answers, tips, mentoring), the most evidence first
    -- counted as the viewer may see it.
    """
    qs = _active_profiles()
    if department is not None:
        qs = qs.filter(department=department)
    if location is not None:
        qs = qs.filter(location=location)
    q = q.strip()
    if q:
        query = SearchQuery(q, config="simple", search_type="websearch") | SearchQuery(
            q, config="english", search_type="websearch"
        )
        qs = qs.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
        order = ["-rank", "display_name", "id"]
    else:
        order = ["display_name", "id"]
    if topic is not None:
        return RankedPeople(qs, topic=topic, viewer=viewer, by_rank=bool(q))
    return _listing(qs.order_by(*order))


class RankedPeople:
    """People on a topic, the most evidence first, then by search rank and name.

    Ranking by evidence inside SQL meant a correlated count per candidate: minutes at 100,000
    people. Here the order is worked out on ids -- one grouped query for everyone's evidence
    on the topic, one for the candidates' ids and names -- and only the page asked for is
    loaded (one more query, plus the listing's prefetch), so a page costs the same whatever
    the number of experts.
    """

    def __init__(self, qs: QuerySet, *, topic: Topic, viewer, by_rank: bool):
        from . import evidence

        weights = {s.kind: s.weight for s in evidence.sources()}
        scores: dict[int, int] = {}
        for kind, user_id, _topic, n in evidence.evidence_counts(
            viewer=viewer, topic_ids=[topic.pk]
        ):
            scores[user_id] = scores.get(user_id, 0) + n * weights.get(kind, 1)
        declared = Profile.expertise.through.objects.filter(topic=topic).values("profile_id")
        candidates = qs.filter(Q(pk__in=declared) | Q(user_id__in=list(scores)))
        columns = ["pk", "user_id", "display_name"] + (["rank"] if by_rank else [])
        rows = list(candidates.values_list(*columns))
        rows.sort(
            key=lambda r: (
                -scores.get(r[1], 0),
                -(r[3] or 0) if by_rank else 0,
                (r[2] or "").casefold(),
                r[0],
            )
        )
        self._ids = [r[0] for r in rows]
        self._scores = {r[0]: scores.get(r[1], 0) for r in rows}

    def __len__(self) -> int:
        return len(self._ids)

    def count(self) -> int:
        return len(self._ids)

    def exists(self) -> bool:
        return bool(self._ids)

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, key):
        if isinstance(key, int):
            return self[key : key + 1 or None][0] if key >= 0 else list(self)[key]
        ids = self._ids[key]
        found = _listing(Profile.objects.filter(pk__in=ids)).in_bulk(ids)
        page = [found[i] for i in ids if i in found]
        for profile in page:
            profile.evidence = self._scores.get(profile.pk, 0)
        return page


def profile_detail(*, user_id: int) -> QuerySet:
    return (
        Profile.objects.filter(user_id=user_id, user__is_active=True)
        .select_related("user", "department", "location", "manager__profile")
        .prefetch_related(
            Prefetch("expertise", queryset=Topic.objects.order_by("name")),
            Prefetch("interests", queryset=Topic.objects.order_by("name")),
        )
    )


def _count_per_topic(links: QuerySet) -> Coalesce:
    counted = links.filter(topic_id=OuterRef("pk")).values("topic_id").annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n")), 0)


def topics_with_counts() -> QuerySet:
    """Each topic with its experts and followers, each counted from its own link index
    (joining both at once multiplied every expert by every follower: minutes at scale)."""
    from socialearn.notifications.models import TopicFollow

    return Topic.objects.annotate(
        expert_count=_count_per_topic(Profile.expertise.through.objects.all()),
        follower_count=_count_per_topic(TopicFollow.objects.all()),
    ).order_by("name")


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


def newcomers(*, days: int = 30, near: Profile | None = None, limit: int = 5) -> list[Profile]:
    """People who joined in the last `days`, those in the viewer's department or site first.

    The nearby ones are read newest first through the start-date index and the rest only
    when they are too few (one query, two for a small organisation): ranking every newcomer
    by nearness sorted thousands of rows for five.
    """
    since = timezone.localdate() - timedelta(days=days)
    qs = (
        Profile.objects.filter(started_company_on__gte=since, user__is_active=True)
        .select_related("user", "department", "location")
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
    most evidence first: the first-run setup's suggestions. Three queries."""
    from . import evidence

    topic_ids = list(profile.interests.values_list("pk", flat=True)) or list(
        profile.expertise.values_list("pk", flat=True)
    )
    if not topic_ids:
        return []
    declared = Profile.expertise.through.objects.filter(topic_id__in=topic_ids).values("profile_id")
    qs = (
        _active_profiles()
        .filter(Q(pk__in=declared) | evidence.evidence_user_q("user_id", topic_ids=topic_ids))
        .exclude(pk=profile.pk)
        .order_by("display_name", "id")
    )
    found = list(_listing(qs)[: limit * 3])
    totals = evidence.totals_by_user(
        evidence.evidence_counts(
            viewer=profile.user, user_ids=[p.user_id for p in found], topic_ids=topic_ids
        )
    )
    found.sort(key=lambda p: -totals.get(p.user_id, 0))
    return found[:limit]


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
