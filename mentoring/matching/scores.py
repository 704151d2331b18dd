"""Scoring one pair of people, and explaining the score in words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

TOPIC_POINTS = 60
ROLE_MORE_POINTS = 20
ROLE_LESS_POINTS = -10
BOTH_LEAD_POINTS = 10
LOCATION_POINTS = 10
CROSS_POINTS = 5
CROSS_WISHED_POINTS = 10
MAX_SCORE = TOPIC_POINTS + ROLE_MORE_POINTS + BOTH_LEAD_POINTS + 2 * LOCATION_POINTS
MAX_SCORE += CROSS_POINTS + CROSS_WISHED_POINTS

SAME, ANY, DIFFERENT = "same", "any", "different"
_PREF_CODE = {ANY: 0, SAME: 1, DIFFERENT: 2}

# Why a protégé is left without a mentor.
NO_MENTOR_IN_TOPICS = "no_mentor_in_topics"
BELOW_MINIMUM = "below_minimum_score"
CAPACITY_EXHAUSTED = "capacity_exhausted"
UNMATCHED_REASONS = {
    NO_MENTOR_IN_TOPICS: "No eligible mentor offers their topics",
    BELOW_MINIMUM: "Every possible mentor scores below the programme's minimum",
    CAPACITY_EXHAUSTED: "The mentors who fit them have no capacity left",
}

_CHUNK = 2048  # protégés scored at once: bounds memory to chunk x mentors


@dataclass(frozen=True, slots=True)
class Person:
    """One enrolment as the engine sees it. `key` is the enrolment's id."""

    key: int
    user_id: int
    topic_ids: frozenset[int]
    department_id: int | None = None
    location_id: int | None = None
    manager_user_id: int | None = None
    years_in_role: float | None = None
    leads_team: bool = False
    location_preference: str = ANY
    prefer_other_department: bool = False
    capacity: int = 1


@dataclass(frozen=True, slots=True)
class Names:
    """Optional names used in the reasons (ids are used when a name is missing)."""

    topics: Mapping[int, str] = field(default_factory=dict)
    departments: Mapping[int, str] = field(default_factory=dict)
    locations: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PairScore:
    score: int
    reasons: tuple[str, ...]


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _years(value: float) -> str:
    rounded = round(value, 1)
    if rounded == int(rounded):
        rounded = int(rounded)
    return f"{rounded} year" + ("" if rounded == 1 else "s")


def _topic_points(shared: int, wanted: int) -> int:
    # round(60 * shared / wanted), half up, in integers so numpy agrees exactly.
    return (2 * TOPIC_POINTS * shared + wanted) // (2 * wanted)


NO_SHARED_TOPIC = "They share no topic"


def excluded_reason(
    mentor: Person, protege: Person, excluded: Iterable[tuple[int, int]] | None = None
) -> str | None:
    """Why this pair may never be matched, or None."""
    if mentor.user_id == protege.user_id:
        return "A person cannot mentor themselves"
    if protege.manager_user_id == mentor.user_id or mentor.manager_user_id == protege.user_id:
        return "A person cannot be matched with their own manager"
    if excluded and (mentor.user_id, protege.user_id) in excluded:
        return "These two were paired before"
    if not mentor.topic_ids & protege.topic_ids:
        return NO_SHARED_TOPIC
    return None


def score_pair(
    mentor: Person,
    protege: Person,
    *,
    excluded: frozenset[tuple[int, int]] | set[tuple[int, int]] = frozenset(),
    names: Names | None = None,
) -> PairScore | None:
    """Score one pair and explain it in words; None when the pair may never be matched."""
    if excluded_reason(mentor, protege, excluded):
        return None
    names = names or Names()
    reasons: list[str] = []
    shared = sorted(mentor.topic_ids & protege.topic_ids)
    wanted = len(protege.topic_ids)
    score = _topic_points(len(shared), wanted)
    topic_words = _join([names.topics.get(t, f"topic {t}") for t in shared])
    if len(shared) == wanted:
        reasons.append(f"Covers every topic asked for: {topic_words}")
    else:
        reasons.append(f"Shares {len(shared)} of {wanted} topics asked for: {topic_words}")

    if mentor.years_in_role is not None and protege.years_in_role is not None:
        diff = mentor.years_in_role - protege.years_in_role
        if diff >= 1.0:
            score += ROLE_MORE_POINTS
            reasons.append(
                f"{_years(mentor.years_in_role)} in role against "
                f"{_years(protege.years_in_role)}: experience to pass on"
            )
        elif diff < 0:
            score += ROLE_LESS_POINTS
            reasons.append("The mentor has less time in role than the protégé")
    if mentor.leads_team and protege.leads_team:
        score += BOTH_LEAD_POINTS
        reasons.append("Both lead a team")

    same_place = (
        mentor.location_id is not None
        and protege.location_id is not None
        and mentor.location_id == protege.location_id
    )
    other_place = (
        mentor.location_id is not None
        and protege.location_id is not None
        and mentor.location_id != protege.location_id
    )
    place = names.locations.get(mentor.location_id or 0, "the same place")
    for who, person in (("the protégé", protege), ("the mentor", mentor)):
        if person.location_preference == SAME:
            if same_place:
                score += LOCATION_POINTS
                reasons.append(f"Both in {place}, as {who} wished")
            elif other_place:
                reasons.append(f"Different locations, though {who} preferred the same")
        elif person.location_preference == DIFFERENT:
            if other_place:
                score += LOCATION_POINTS
                reasons.append(f"Different locations, as {who} wished")
            elif same_place:
                reasons.append(f"Same location, though {who} preferred a different one")

    if mentor.department_id is not None and protege.department_id is not None:
        wished = mentor.prefer_other_department or protege.prefer_other_department
        if mentor.department_id != protege.department_id:
            score += CROSS_POINTS + (CROSS_WISHED_POINTS if wished else 0)
            a = names.departments.get(mentor.department_id, "one department")
            b = names.departments.get(protege.department_id, "another")
            reasons.append(f"Crosses departments ({a} and {b})" + (", as wished" if wished else ""))
        elif wished:
            reasons.append("Same department, though crossing departments was preferred")
    return PairScore(score=score, reasons=tuple(reasons))
