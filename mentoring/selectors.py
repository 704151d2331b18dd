"""Reads that mentoring pages and services share."""

from collections import defaultdict
from datetime import date

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from socialearn import generations
from socialearn.people.models import Department, Location, Profile, Topic

from . import matching
from .models import AdhocVolunteer, Enrolment, Match, MatchingRun, Meeting, Programme
from .nudges import stalled_matches
from .permissions import (  # noqa: F401 - who may do what, also asked through this module
    can_coordinate,
    can_create_programmes,
)

User = get_user_model()


# Programmes.


# The two counts of the home page's mentoring section, written out in SQL: building and
# compiling the ORM's aggregate over the two enrolments was most of the section's time.
# tests/mentoring/test_dashboard.py holds it equal to that aggregate.
_MATCH_COUNTS_SQL = """
SELECT count(*) FILTER (WHERE m.status = %s
                          AND ((mentor.user_id = %s AND m.mentor_accepted_at IS NULL)
                               OR (protege.user_id = %s AND m.protege_accepted_at IS NULL))),
       count(*) FILTER (WHERE m.status = %s)
  FROM mentoring_match m
  JOIN mentoring_enrolment mentor ON mentor.id = m.mentor_id
  JOIN mentoring_enrolment protege ON protege.id = m.protege_id
 WHERE mentor.user_id = %s OR protege.user_id = %s
"""


def match_counts(user) -> dict[str, int]:
    """{"waiting": the person's offered matches they have not answered yet, "active": their
    active matches}, as mentor or protégé, in one query."""
    params = [Match.Status.OFFERED, user.pk, user.pk, Match.Status.ACTIVE, user.pk, user.pk]
    with connection.cursor() as cursor:
        cursor.execute(_MATCH_COUNTS_SQL, params)
        waiting, active = cursor.fetchone()
    return {"waiting": waiting, "active": active}


def programmes_with_counts() -> QuerySet[Programme]:
    return Programme.objects.prefetch_related("topics").annotate(
        mentors=Count(
            "enrolments",
            filter=Q(enrolments__role=Enrolment.Role.MENTOR, enrolments__status="active"),
            distinct=True,
        ),
        proteges=Count(
            "enrolments",
            filter=Q(enrolments__role=Enrolment.Role.PROTEGE, enrolments__status="active"),
            distinct=True,
        ),
    )


def mentors_with_load(programme: Programme) -> QuerySet[Enrolment]:
    """Active mentor enrolments with `holding` (offered + active) and `proposed` counts.

    A deactivated account (left the organisation) is out of every pool."""
    return (
        Enrolment.objects.filter(
            programme=programme,
            role=Enrolment.Role.MENTOR,
            status="active",
            user__is_active=True,
        )
        .select_related("user__profile")
        .annotate(
            holding=Count("as_mentor", filter=Q(as_mentor__status__in=Match.HOLDING_SLOT)),
            proposed=Count("as_mentor", filter=Q(as_mentor__status=Match.Status.PROPOSED)),
        )
        .order_by("user__profile__display_name", "id")
    )


def enrolment_topic_ids(enrolment_ids) -> dict[int, set[int]]:
    through = Enrolment.topics.through
    topics: dict[int, set[int]] = defaultdict(set)
    for enrolment_id, topic_id in through.objects.filter(
        enrolment_id__in=enrolment_ids
    ).values_list("enrolment_id", "topic_id"):
        topics[enrolment_id].add(topic_id)
    return topics


def engine_names() -> matching.Names:
    return matching.Names(
        topics=dict(Topic.objects.values_list("id", "name")),
        departments=dict(Department.objects.values_list("id", "name")),
        locations=dict(Location.objects.values_list("id", "name")),
    )


def _years(started: date | None, today: date) -> float | None:
    return (today - started).days / 365.25 if started else None


def engine_people(enrolments, topics: dict[int, set[int]]) -> list[matching.Person]:
    """Enrolments (with user__profile loaded, mentors annotated with `free`) as engine people."""
    today = timezone.localdate()
    people = []
    for e in enrolments:
        profile: Profile | None = getattr(e.user, "profile", None)
        people.append(
            matching.Person(
                key=e.pk,
                user_id=e.user_id,
                topic_ids=frozenset(topics.get(e.pk, ())),
                department_id=profile.department_id if profile else None,
                location_id=profile.location_id if profile else None,
                manager_user_id=profile.manager_id if profile else None,
                years_in_role=_years(profile.started_role_on, today) if profile else None,
                leads_team=bool(profile and profile.is_people_manager),
                location_preference=e.location_preference,
                prefer_other_department=e.prefer_other_department,
                capacity=getattr(e, "free", e.capacity),
            )
        )
    return people


def excluded_pairs(programme: Programme) -> set[tuple[int, int]]:
    """(mentor user, protégé user) pairs never proposed again: earlier pairs anywhere, and
    pairs that were declined or expired in this programme."""
    earlier = Match.objects.filter(
        Q(status__in=[Match.Status.ACTIVE, Match.Status.COMPLETED])
        | Q(
            programme=programme,
            status__in=[Match.Status.DECLINED, Match.Status.EXPIRED, Match.Status.OFFERED],
        )
    )
    return set(earlier.values_list("mentor__user_id", "protege__user_id"))


def matching_pool(programme: Programme):
    """Everything a matching run needs, in a fixed number of queries.

    Full mentors stay in the pool with no free slot, so protégés who only fit them are told
    that capacity ran out rather than that nobody offers their topics.
    """
    mentors = list(mentors_with_load(programme).filter(unavailable=""))
    for m in mentors:
        m.free = max(m.capacity - m.holding, 0)  # type: ignore[attr-defined]
    taken = Match.objects.filter(
        protege=OuterRef("pk"),
        status__in=[Match.Status.OFFERED, Match.Status.ACTIVE, Match.Status.COMPLETED],
    )
    proteges = list(
        Enrolment.objects.filter(
            programme=programme,
            role=Enrolment.Role.PROTEGE,
            status="active",
            user__is_active=True,
        )
        .exclude(Exists(taken))
        .select_related("user__profile")
    )
    locked = list(
        Match.objects.filter(
            programme=programme, status=Match.Status.PROPOSED, locked=True
        ).values_list("mentor_id", "protege_id")
    )
    topics = enrolment_topic_ids([e.pk for e in mentors] + [e.pk for e in proteges])
    return mentors, proteges, locked, topics


def suggestions_for(enrolment: Enrolment, *, limit: int = 5) -> list[dict]:
    """Up to `limit` mentors with free capacity for a protégé, best first, with reasons."""
    programme = enrolment.programme
    mentors = list(mentors_with_load(programme).filter(unavailable=""))
    for m in mentors:
        m.free = m.capacity - m.holding  # type: ignore[attr-defined]
    mentors = [m for m in mentors if m.free > 0]  # type: ignore[attr-defined]
    topics = enrolment_topic_ids([e.pk for e in mentors] + [enrolment.pk])
    by_key = {m.pk: m for m in mentors}
    protege = engine_people([enrolment], topics)[0]
    ranked = matching.suggest(
        engine_people(mentors, topics),
        protege,
        excluded=excluded_pairs(programme),
        limit=limit,
        names=engine_names(),
        min_score=programme.minimum_score,
    )
    return [
        {"enrolment": by_key[person.key], "score": scored.score, "reasons": scored.reasons}
        for person, scored in ranked
    ]


def coordinator_view(programme: Programme) -> dict:
    matches = list(
        Match.objects.filter(programme=programme)
        .exclude(status=Match.Status.CANCELLED)
        .select_related("mentor__user__profile", "protege__user__profile")
        .order_by("status", "-score", "id")
    )
    run = MatchingRun.objects.filter(programme=programme).first()
    mentors = list(mentors_with_load(programme))
    for m in mentors:
        m.free = m.capacity - m.holding - m.proposed  # type: ignore[attr-defined]
    by_status: dict[str, list[Match]] = defaultdict(list)
    for match in matches:
        by_status[match.status].append(match)
    # Same rule as the nudge both sides get: no meeting for the programme's weeks. Stalled
    # matches are active ones, already read above with their two people.
    by_id = {match.pk: match for match in matches}
    stalled = []
    for match_id, quiet_since in (
        stalled_matches(timezone.localdate())
        .filter(programme=programme)
        .order_by("quiet_since", "id")
        .values_list("id", "quiet_since")
    ):
        quiet = by_id.get(match_id)
        if quiet is not None:  # else it was written between the two reads
            quiet.quiet_since = quiet_since  # type: ignore[attr-defined]
            stalled.append(quiet)
    counts = Enrolment.objects.filter(programme=programme, status="active").aggregate(
        mentors=Count("id", filter=Q(role=Enrolment.Role.MENTOR)),
        proteges=Count("id", filter=Q(role=Enrolment.Role.PROTEGE)),
    )
    return {
        "proposed": by_status[Match.Status.PROPOSED],
        "offered": by_status[Match.Status.OFFERED],
        "active": by_status[Match.Status.ACTIVE],
        "completed": by_status[Match.Status.COMPLETED],
        "declined": by_status[Match.Status.DECLINED] + by_status[Match.Status.EXPIRED],
        "run": run,
        "stalled": stalled,
        "mentors": mentors,
        "counts": counts,
    }


def my_matches(user) -> list[Match]:
    return list(
        Match.objects.filter(Q(mentor__user=user) | Q(protege__user=user))
        .exclude(status__in=[Match.Status.PROPOSED, Match.Status.CANCELLED])
        .select_related(
            "programme",
            "mentor__user__profile__department",
            "mentor__user__profile__location",
            "protege__user__profile__department",
            "protege__user__profile__location",
        )
        .prefetch_related(Prefetch("meetings"))
        .order_by("-created_at")
    )


def my_enrolments(user) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(user=user)
        .select_related("programme")
        .prefetch_related("topics")
        .order_by("-created_at")
    )


# The recruitment scoreboard.


def _topic_location_counts(queryset: QuerySet[Enrolment]) -> dict[tuple[int, int | None], int]:
    rows = (
        queryset.values("topics", "user__profile__location")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    return {(r["topics"], r["user__profile__location"]): r["n"] for r in rows if r["topics"]}


def _per_topic(queryset: QuerySet[Enrolment]) -> dict[int, int]:
    rows = queryset.values("topics").annotate(n=Count("user", distinct=True)).order_by()
    return {r["topics"]: r["n"] for r in rows if r["topics"]}


def scoreboard() -> dict:
    """Demand and supply per topic and location, programme progress, protégés turned mentors.

    Wanting: active protégé enrolments in programmes whose enrolment is open or which still
    have people waiting, without an active or completed match. Available: active mentor
    enrolments, not marked unavailable, with a free slot. People are counted once per topic
    (and location) even when enrolled in several programmes.
    """
    matched = Match.objects.filter(
        protege=OuterRef("pk"), status__in=[Match.Status.ACTIVE, Match.Status.COMPLETED]
    )
    wanting = Enrolment.objects.filter(role=Enrolment.Role.PROTEGE, status="active").exclude(
        Exists(matched)
    )
    holding = (
        Match.objects.filter(mentor=OuterRef("pk"), status__in=Match.HOLDING_SLOT)
        .order_by()
        .values("mentor")
        .annotate(n=Count("id"))
        .values("n")
    )
    from django.db.models import F, IntegerField, Subquery, Value
    from django.db.models.functions import Coalesce

    available = (
        Enrolment.objects.filter(role=Enrolment.Role.MENTOR, status="active", unavailable="")
        .annotate(held=Coalesce(Subquery(holding, output_field=IntegerField()), Value(0)))
        .filter(capacity__gt=F("held"))
    )
    want_tl = _topic_location_counts(wanting)
    have_tl = _topic_location_counts(available)
    want_t = _per_topic(wanting)
    have_t = _per_topic(available)

    # Protégés who later became mentors in the same topic.
    through = Enrolment.topics.through
    earlier_protege = through.objects.filter(
        enrolment__user=OuterRef("enrolment__user"),
        topic=OuterRef("topic"),
        enrolment__role=Enrolment.Role.PROTEGE,
        enrolment__created_at__lt=OuterRef("enrolment__created_at"),
    )
    grown_rows = (
        through.objects.filter(enrolment__role=Enrolment.Role.MENTOR)
        .filter(Exists(earlier_protege))
        .values("topic")
        .annotate(n=Count("enrolment__user", distinct=True))
        .order_by()
    )
    grown_t = {r["topic"]: r["n"] for r in grown_rows}
    grown_total = (
        through.objects.filter(enrolment__role=Enrolment.Role.MENTOR)
        .filter(Exists(earlier_protege))
        .values("enrolment__user")
        .distinct()
        .count()
    )

    topic_ids = set(want_t) | set(have_t) | set(grown_t)
    topics = {t.pk: t for t in Topic.objects.filter(pk__in=topic_ids)}
    locations: dict[int | None, str] = dict(Location.objects.values_list("id", "name"))
    rows = []
    for topic_id in sorted(topic_ids, key=lambda t: topics[t].name):
        want, have = want_t.get(topic_id, 0), have_t.get(topic_id, 0)
        places = sorted(
            {loc for (t, loc) in (set(want_tl) | set(have_tl)) if t == topic_id},
            key=lambda loc: (loc is None, locations.get(loc, "")),
        )
        rows.append(
            {
                "topic": topics[topic_id],
                "want": want,
                "have": have,
                "gap": want - have,
                "grown": grown_t.get(topic_id, 0),
                "locations": [
                    {
                        "name": locations.get(loc, _("No location given")),
                        "want": want_tl.get((topic_id, loc), 0),
                        "have": have_tl.get((topic_id, loc), 0),
                        "gap": want_tl.get((topic_id, loc), 0) - have_tl.get((topic_id, loc), 0),
                    }
                    for loc in places
                ],
            }
        )
    programmes = list(
        programmes_with_counts().annotate(
            active_matches=Count(
                "matches", filter=Q(matches__status=Match.Status.ACTIVE), distinct=True
            ),
            completed_matches=Count(
                "matches", filter=Q(matches__status=Match.Status.COMPLETED), distinct=True
            ),
            waiting_matches=Count(
                "matches", filter=Q(matches__status=Match.Status.OFFERED), distinct=True
            ),
        )
    )
    for p in programmes:
        p.matched = p.active_matches + p.completed_matches  # type: ignore[attr-defined]
    totals = Match.objects.aggregate(
        active=Count("id", filter=Q(status=Match.Status.ACTIVE)),
        completed=Count("id", filter=Q(status=Match.Status.COMPLETED)),
    )
    return {
        "rows": rows,
        "programmes": programmes,
        "totals": totals,
        "grown_total": grown_total,
        "chart": bar_chart(rows),
    }


SCOREBOARD_GENERATION = "mentoring:scoreboard"
# What no mentoring service changes (a person moving to another location, a topic renamed, an
# edit in the admin) shows on the kept scoreboard within this time.
SCOREBOARD_SECONDS = 5 * 60


def scoreboard_generation() -> str:
    return generations.get(SCOREBOARD_GENERATION)


def scoreboard_kept() -> dict:
    """scoreboard(), the same for every reader, kept per language (a location's "none given")
    under the scoreboard's generation: the services that enrol, withdraw, match or change a
    programme start a new one (services.scoreboard_changed)."""
    key = f"mentoring:scoreboard:{scoreboard_generation()}:{get_language()}"
    board = cache.get(key)
    if board is None:
        board = scoreboard()
        cache.set(key, board, SCOREBOARD_SECONDS)
    return board


def bar_chart(rows: list[dict], *, width: int = 520, bar: int = 14) -> dict:
    """Geometry for a server-rendered SVG: two bars per topic (want, available). The labels
    have room for fourteen characters at the phone's larger type (mentoring.css)."""
    label_w, gap = 160, 10
    biggest = max([max(r["want"], r["have"]) for r in rows] or [1]) or 1
    scale = (width - label_w - 50) / biggest
    items = []
    for i, r in enumerate(rows):
        y = i * (2 * bar + gap) + 4
        items.append(
            {
                "label": r["topic"].name,
                "y": y,
                "label_y": y + bar + 4,
                "want_w": round(r["want"] * scale, 1),
                "have_w": round(r["have"] * scale, 1),
                "want": r["want"],
                "have": r["have"],
                "want_text_x": label_w + round(r["want"] * scale, 1) + 4,
                "have_text_x": label_w + round(r["have"] * scale, 1) + 4,
                "have_y": y + bar,
                "want_text_y": y + bar - 2,
                "have_text_y": y + 2 * bar - 2,
            }
        )
    return {
        "items": items,
        "width": width,
        "height": len(rows) * (2 * bar + gap) + 8,
        "label_w": label_w,
        "label_x": label_w - 6,
        "bar": bar,
    }


def willing_mentor_ids(*, topic_id: int) -> QuerySet:
    """People enrolled as mentors in the topic in an open programme, or open to ad-hoc."""
    today = timezone.localdate()
    enrolled = Enrolment.objects.filter(
        role=Enrolment.Role.MENTOR,
        status="active",
        unavailable="",
        topics=topic_id,
        programme__enrolment_opens_on__lte=today,
        programme__enrolment_closes_on__gte=today,
    ).values("user_id")
    volunteers = AdhocVolunteer.objects.filter(topic_id=topic_id).values("user_id")
    return User.objects.filter(Q(pk__in=enrolled) | Q(pk__in=volunteers), is_active=True).values(
        "id"
    )


def volunteer_call_ids(
    *,
    topic_ids: list[int],
    min_years_in_role: float | None = None,
    manages_people: bool = False,
    require_expertise: bool = True,
    location_id: int | None = None,
    exclude_programme_id: int | None = None,
) -> QuerySet:
    """The audience of a call for volunteers, as a QuerySet of user ids."""
    profiles = Profile.objects.filter(user__is_active=True)
    if require_expertise and topic_ids:
        profiles = profiles.filter(expertise__in=topic_ids)
    if manages_people:
        profiles = profiles.filter(is_people_manager=True)
    if min_years_in_role:
        today = timezone.localdate()
        cutoff = date.fromordinal(today.toordinal() - round(min_years_in_role * 365.25))
        profiles = profiles.filter(started_role_on__lte=cutoff)
    if location_id:
        profiles = profiles.filter(location_id=location_id)
    if exclude_programme_id:
        profiles = profiles.exclude(
            user__mentoring_enrolments__programme_id=exclude_programme_id,
            user__mentoring_enrolments__role=Enrolment.Role.MENTOR,
        )
    return User.objects.filter(pk__in=profiles.values("user_id")).values("id")


def programme_stored_conversations(programme: Programme) -> dict[str, int]:
    """What pairs wrote that switching the programme to offline-and-unrecorded deletes."""
    return {
        "notes": Meeting.objects.filter(match__programme=programme).exclude(notes="").count(),
        "messages": Match.objects.filter(programme=programme).exclude(message="").count(),
        "words": _relationship_words(programme),
    }


def _relationship_words(programme: Programme) -> int:
    """Goal wordings, agendas, the pairs' own notes and survey comments."""
    from .models import CheckIn, Goal, MatchNote

    of = {"match__programme": programme}
    return (
        Goal.objects.filter(**of).exclude(title="").count()
        + Meeting.objects.filter(**of).exclude(agenda="").count()
        + MatchNote.objects.filter(**of).count()
        + CheckIn.objects.filter(**of).exclude(comment="").count()
    )
