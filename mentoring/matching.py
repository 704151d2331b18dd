"""The matchmaking engine: scores mentor/protégé pairs and finds the best assignment.

Pure Python and numpy (no Django), so it can be tested and benchmarked on its own.

Scores are whole points, so the min-cost flow works on exact integer costs:

    topics            up to 60  share of the protégé's topics the mentor also offers
    time in role      +20 when the mentor has at least a year more in role, -10 when less
    both lead teams   +10
    location          +10 for each side whose preference (same / different) is met
    departments       +5 for crossing departments, +10 more when either side asked for it

A pair is never a candidate when it shares no topic, is one person twice, is a person and
their own manager (either way round), or was paired before (earlier matches, declines).

`assign` maximises the programme's total score over candidate pairs scoring at least the
minimum, with mentor capacities and locked pairs kept, as a min-cost flow:

    source -> protégé (cap 1) -> mentor (cap 1, cost MAX - score) -> sink (cap = capacity)
                      protégé -> sink (cap 1, cost MAX)   "stays unmatched"

Every protégé sends one unit, so the flow's cost is n * MAX - total score: the cheapest flow
is the assignment with the highest total. It is optimal, not greedy.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

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


@dataclass(slots=True)
class Assignment:
    pairs: list[tuple[int, int, int]]  # (mentor key, protégé key, score)
    unmatched: dict[int, str]  # protégé key -> one of UNMATCHED_REASONS
    total: int = 0
    candidates: int = 0


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
        return "They share no topic"
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


class _Pool:
    """A list of people as numpy columns."""

    def __init__(self, people: Sequence[Person], topic_index: dict[int, int]):
        n = len(people)
        self.people = people
        self.keys = np.fromiter((p.key for p in people), dtype=np.int64, count=n)
        self.user = np.fromiter((p.user_id for p in people), dtype=np.int64, count=n)
        self.manager = np.fromiter(
            (p.manager_user_id if p.manager_user_id is not None else -1 for p in people),
            dtype=np.int64,
            count=n,
        )
        self.dept = np.fromiter(
            (p.department_id if p.department_id is not None else -1 for p in people),
            dtype=np.int64,
            count=n,
        )
        self.loc = np.fromiter(
            (p.location_id if p.location_id is not None else -1 for p in people),
            dtype=np.int64,
            count=n,
        )
        self.years = np.fromiter(
            (p.years_in_role if p.years_in_role is not None else np.nan for p in people),
            dtype=np.float64,
            count=n,
        )
        self.leads = np.fromiter((p.leads_team for p in people), dtype=bool, count=n)
        self.loc_pref = np.fromiter(
            (_PREF_CODE.get(p.location_preference, 0) for p in people), dtype=np.int8, count=n
        )
        self.cross = np.fromiter((p.prefer_other_department for p in people), dtype=bool, count=n)
        self.capacity = np.fromiter((p.capacity for p in people), dtype=np.int64, count=n)
        self.topics = np.zeros((n, max(len(topic_index), 1)), dtype=np.float32)
        rows = [i for i, p in enumerate(people) for _ in p.topic_ids]
        cols = [topic_index[t] for p in people for t in p.topic_ids]
        if rows:
            self.topics[rows, cols] = 1.0
        self.n_topics = self.topics.sum(axis=1).astype(np.int64)


def _pair_codes(mentor_users: np.ndarray, protege_users: np.ndarray) -> np.ndarray:
    return mentor_users.astype(np.int64) * (1 << 31) + protege_users.astype(np.int64)


@dataclass(slots=True)
class Candidates:
    """Every allowed pair (indexes into the mentor and protégé lists) with its score."""

    mentor_idx: np.ndarray
    protege_idx: np.ndarray
    score: np.ndarray
    best: np.ndarray  # best score per protégé over allowed pairs, -1 when there is none


def candidate_scores(
    mentors: Sequence[Person],
    proteges: Sequence[Person],
    *,
    excluded: Iterable[tuple[int, int]] = (),
) -> Candidates:
    """Score every allowed pair at once, the same as score_pair would, vectorised.

    Topic overlap for a block of protégés against every mentor is one matrix product; only
    pairs sharing a topic are kept and scored on flat arrays.
    """
    topic_ids = sorted({t for p in itertools.chain(mentors, proteges) for t in p.topic_ids})
    topic_index = {t: i for i, t in enumerate(topic_ids)}
    m = _Pool(mentors, topic_index)
    p = _Pool(proteges, topic_index)
    excluded_codes = np.array(
        sorted(_pair_codes(np.array([a]), np.array([b]))[0] for a, b in set(excluded)),
        dtype=np.int64,
    )
    best = np.full(len(proteges), -1, dtype=np.int64)
    out_m, out_p, out_s = [], [], []
    mentor_topics_t = m.topics.T.copy()
    for start in range(0, len(proteges), _CHUNK):
        stop = min(start + _CHUNK, len(proteges))
        overlap = p.topics[start:stop] @ mentor_topics_t
        pi, mi = np.nonzero(overlap > 0.5)
        shared = overlap[pi, mi].astype(np.int64)
        pi = pi + start
        keep = (m.user[mi] != p.user[pi]) & (p.manager[pi] != m.user[mi])
        keep &= m.manager[mi] != p.user[pi]
        if excluded_codes.size:
            keep &= ~np.isin(_pair_codes(m.user[mi], p.user[pi]), excluded_codes)
        pi, mi, shared = pi[keep], mi[keep], shared[keep]
        wanted = p.n_topics[pi]
        score = (2 * TOPIC_POINTS * shared + wanted) // (2 * wanted)
        diff = m.years[mi] - p.years[pi]  # nan when either is unknown: both tests false
        with np.errstate(invalid="ignore"):
            score += np.where(diff >= 1.0, ROLE_MORE_POINTS, 0)
            score += np.where(diff < 0, ROLE_LESS_POINTS, 0)
        score += np.where(m.leads[mi] & p.leads[pi], BOTH_LEAD_POINTS, 0)
        known = (m.loc[mi] >= 0) & (p.loc[pi] >= 0)
        same = known & (m.loc[mi] == p.loc[pi])
        other = known & (m.loc[mi] != p.loc[pi])
        for pref in (p.loc_pref[pi], m.loc_pref[mi]):
            score += np.where(((pref == 1) & same) | ((pref == 2) & other), LOCATION_POINTS, 0)
        crossing = (m.dept[mi] >= 0) & (p.dept[pi] >= 0) & (m.dept[mi] != p.dept[pi])
        wished = m.cross[mi] | p.cross[pi]
        score += np.where(crossing, CROSS_POINTS, 0)
        score += np.where(crossing & wished, CROSS_WISHED_POINTS, 0)
        if pi.size:
            # pi is sorted (row-major nonzero), so each protégé's pairs form one segment.
            starts = np.flatnonzero(np.r_[True, pi[1:] != pi[:-1]])
            best[pi[starts]] = np.maximum.reduceat(score, starts)
        out_m.append(mi)
        out_p.append(pi)
        out_s.append(score.astype(np.int64))
    if not out_m:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty, empty, best)
    return Candidates(
        np.concatenate(out_m).astype(np.int64),
        np.concatenate(out_p).astype(np.int64),
        np.concatenate(out_s),
        best,
    )


def _unmatched_reason(best: int, min_score: int) -> str:
    if best < 0:
        return NO_MENTOR_IN_TOPICS
    if best < min_score:
        return BELOW_MINIMUM
    return CAPACITY_EXHAUSTED


def _prepare(
    mentors: Sequence[Person],
    proteges: Sequence[Person],
    locked: Iterable[tuple[int, int]],
) -> tuple[list[Person], list[Person], list[tuple[int, int]]]:
    """Take locked pairs out: their protégés leave the pool, their mentors lose a slot."""
    locked = list(locked)
    locked_proteges = {p for _, p in locked}
    used: dict[int, int] = {}
    for m_key, _ in locked:
        used[m_key] = used.get(m_key, 0) + 1
    free_mentors = [replace(m, capacity=max(m.capacity - used.get(m.key, 0), 0)) for m in mentors]
    free_proteges = [p for p in proteges if p.key not in locked_proteges]
    return free_mentors, free_proteges, locked


def _locked_pairs(
    mentors: Sequence[Person],
    proteges: Sequence[Person],
    locked: list[tuple[int, int]],
    excluded: Iterable[tuple[int, int]],
) -> list[tuple[int, int, int]]:
    by_mentor = {m.key: m for m in mentors}
    by_protege = {p.key: p for p in proteges}
    pairs = []
    for m_key, p_key in locked:
        mentor, protege = by_mentor.get(m_key), by_protege.get(p_key)
        scored = (
            score_pair(mentor, protege, excluded=frozenset(excluded))
            if mentor is not None and protege is not None
            else None
        )
        pairs.append((m_key, p_key, scored.score if scored else 0))
    return pairs


def assign(
    mentors: Sequence[Person],
    proteges: Sequence[Person],
    *,
    min_score: int = 0,
    excluded: Iterable[tuple[int, int]] = (),
    locked: Iterable[tuple[int, int]] = (),
) -> Assignment:
    """The assignment with the highest total score (see the module docstring)."""
    from ortools.graph.python import min_cost_flow

    excluded = set(excluded)
    free_mentors, free_proteges, locked = _prepare(mentors, proteges, locked)
    kept = _locked_pairs(mentors, proteges, locked, excluded)
    cands = candidate_scores(free_mentors, free_proteges, excluded=excluded)
    n_p, n_m = len(free_proteges), len(free_mentors)
    mentor_capacity = np.array([m.capacity for m in free_mentors], dtype=np.int64)
    usable = (cands.score >= min_score) & (mentor_capacity[cands.mentor_idx] > 0)
    mi, pi, sc = cands.mentor_idx[usable], cands.protege_idx[usable], cands.score[usable]

    source, sink = 0, n_p + n_m + 1
    protege_nodes = np.arange(1, n_p + 1, dtype=np.int64)
    mentor_nodes = np.arange(n_p + 1, n_p + n_m + 1, dtype=np.int64)
    ones_p = np.ones(n_p, dtype=np.int64)
    tails = np.concatenate(
        [np.zeros(n_p, dtype=np.int64), protege_nodes[pi], mentor_nodes, protege_nodes]
    )
    heads = np.concatenate(
        [protege_nodes, mentor_nodes[mi], np.full(n_m, sink), np.full(n_p, sink)]
    )
    caps = np.concatenate([ones_p, np.ones(pi.size, dtype=np.int64), mentor_capacity, ones_p])
    costs = np.concatenate(
        [np.zeros(n_p, dtype=np.int64), MAX_SCORE - sc, np.zeros(n_m, dtype=np.int64)]
        + [np.full(n_p, MAX_SCORE, dtype=np.int64)]
    )
    pairs: list[tuple[int, int, int]] = list(kept)
    matched = np.zeros(n_p, dtype=bool)
    if n_p:
        flow = min_cost_flow.SimpleMinCostFlow()
        arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        supplies = np.zeros(sink + 1, dtype=np.int64)
        supplies[source], supplies[sink] = n_p, -n_p
        flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supplies)
        status = flow.solve()
        if status != flow.OPTIMAL:  # pragma: no cover - the bypass arcs make it feasible
            raise RuntimeError(f"min-cost flow failed with status {status}")
        pair_arcs = arcs[n_p : n_p + pi.size]
        used = flow.flows(pair_arcs) > 0 if pi.size else np.zeros(0, dtype=bool)
        for m_i, p_i, s in zip(mi[used], pi[used], sc[used], strict=True):
            pairs.append((free_mentors[m_i].key, free_proteges[p_i].key, int(s)))
        matched[pi[used]] = True
    unmatched = {
        free_proteges[i].key: _unmatched_reason(int(cands.best[i]), min_score)
        for i in np.flatnonzero(~matched)
    }
    return Assignment(
        pairs=pairs,
        unmatched=unmatched,
        total=sum(s for _, _, s in pairs),
        candidates=int(cands.score.size),
    )


def assign_brute_force(
    mentors: Sequence[Person],
    proteges: Sequence[Person],
    *,
    min_score: int = 0,
    excluded: Iterable[tuple[int, int]] = (),
    locked: Iterable[tuple[int, int]] = (),
) -> Assignment:
    """Try every assignment (for tests on small programmes): the reference for `assign`."""
    excluded = frozenset(excluded)
    free_mentors, free_proteges, locked = _prepare(mentors, proteges, locked)
    kept = _locked_pairs(mentors, proteges, locked, excluded)
    options: list[list[tuple[int | None, int]]] = []
    for protege in free_proteges:
        choices: list[tuple[int | None, int]] = [(None, 0)]
        for j, mentor in enumerate(free_mentors):
            scored = score_pair(mentor, protege, excluded=excluded)
            if scored is not None and scored.score >= min_score and mentor.capacity > 0:
                choices.append((j, scored.score))
        options.append(choices)
    best_total, best_combo = -1, None
    for combo in itertools.product(*options):
        load: dict[int, int] = {}
        total = 0
        for chosen, points in combo:
            if chosen is not None:
                load[chosen] = load.get(chosen, 0) + 1
                total += points
        if any(n > free_mentors[index].capacity for index, n in load.items()):
            continue
        if total > best_total:
            best_total, best_combo = total, combo
    pairs = list(kept)
    unmatched: dict[int, str] = {}
    for protege, (chosen, points) in zip(free_proteges, best_combo or (), strict=False):
        if chosen is None:
            unmatched[protege.key] = ""
        else:
            pairs.append((free_mentors[chosen].key, protege.key, points))
    return Assignment(pairs=pairs, unmatched=unmatched, total=sum(s for _, _, s in pairs))


def suggest(
    mentors: Sequence[Person],
    protege: Person,
    *,
    excluded: Iterable[tuple[int, int]] = (),
    limit: int = 5,
    names: Names | None = None,
) -> list[tuple[Person, PairScore]]:
    """The best mentors for one protégé, best first (mentors without capacity left out)."""
    excluded = frozenset(excluded)
    scored = []
    for mentor in mentors:
        if mentor.capacity <= 0:
            continue
        result = score_pair(mentor, protege, excluded=excluded, names=names)
        if result is not None:
            scored.append((mentor, result))
    scored.sort(key=lambda pair: (-pair[1].score, pair[0].key))
    return scored[:limit]
