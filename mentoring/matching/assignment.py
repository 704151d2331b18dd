"""The assignment with the highest total score, proven optimal."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .blocks import _ALLOWED, _FLOOR, _Scorer
from .scores import (
    BELOW_MINIMUM,
    CAPACITY_EXHAUSTED,
    MAX_SCORE,
    NO_MENTOR_IN_TOPICS,
    NO_SHARED_TOPIC,
    ROLE_LESS_POINTS,
    Names,
    PairScore,
    Person,
    excluded_reason,
    score_pair,
)


@dataclass(slots=True)
class Assignment:
    pairs: list[tuple[int, int, int]]  # (mentor key, protégé key, score)
    unmatched: dict[int, str]  # protégé key -> one of UNMATCHED_REASONS
    total: int = 0
    candidates: int = 0
    # Locked pairs not kept, each with why: (mentor key, protégé key) -> reason in words.
    # A refused lock's protégé is matched like any other.
    refused: dict[tuple[int, int], str] = field(default_factory=dict)


# Why a locked pair is not kept.
LOCK_UNKNOWN = "One of these two is not in the programme's pool"
LOCK_REPEATED = "This pair is locked twice"
LOCK_PROTEGE_TWICE = "The protégé is already locked with another mentor"
LOCK_NO_ROOM = "The mentor has no capacity left for it"


def _unmatched_reason(best: int | None, min_score: int) -> str:
    """Why a protégé is left out, from their best allowed score (None: no allowed pair)."""
    if best is None:
        return NO_MENTOR_IN_TOPICS
    if best < min_score:
        return BELOW_MINIMUM
    return CAPACITY_EXHAUSTED


def _check_keys(mentors: Sequence[Person], proteges: Sequence[Person]) -> None:
    """Keys name enrolments: one key twice would match one enrolment twice."""
    counts: dict[int, int] = {}
    for person in itertools.chain(mentors, proteges):
        counts[person.key] = counts.get(person.key, 0) + 1
    repeated = sorted(key for key, n in counts.items() if n > 1)
    if repeated:
        raise ValueError(f"Keys given more than once: {repeated[:10]}")


def _validated_locks(
    mentors: Sequence[Person],
    proteges: Sequence[Person],
    locked: Iterable[tuple[int, int]],
    excluded: set[tuple[int, int]],
) -> tuple[list[tuple[int, int]], dict[tuple[int, int], str]]:
    """The locked pairs that can be kept, in order, and the others with their reason."""
    by_mentor = {m.key: m for m in mentors}
    by_protege = {p.key: p for p in proteges}
    kept: list[tuple[int, int]] = []
    refused: dict[tuple[int, int], str] = {}
    locked_protege: dict[int, int] = {}
    used: dict[int, int] = {}
    for pair in locked:
        m_key, p_key = pair = (int(pair[0]), int(pair[1]))
        mentor, protege = by_mentor.get(m_key), by_protege.get(p_key)
        if mentor is None or protege is None:
            reason = LOCK_UNKNOWN
        elif locked_protege.get(p_key) == m_key:
            reason = LOCK_REPEATED
        elif p_key in locked_protege:
            reason = LOCK_PROTEGE_TWICE
        elif (why := excluded_reason(mentor, protege, excluded)) and why != NO_SHARED_TOPIC:
            reason = why
        elif used.get(m_key, 0) >= mentor.capacity:
            reason = LOCK_NO_ROOM
        else:
            kept.append(pair)
            locked_protege[p_key] = m_key
            used[m_key] = used.get(m_key, 0) + 1
            continue
        refused.setdefault(pair, reason)
    return kept, refused


def _prepare(
    mentors: Sequence[Person],
    proteges: Sequence[Person],
    locked: list[tuple[int, int]],
) -> tuple[list[Person], list[Person]]:
    """Take (valid) locked pairs out: their protégés leave the pool, their mentors lose a
    slot."""
    locked_proteges = {p for _, p in locked}
    used: dict[int, int] = {}
    for m_key, _ in locked:
        used[m_key] = used.get(m_key, 0) + 1
    free_mentors = [replace(m, capacity=max(m.capacity - used.get(m.key, 0), 0)) for m in mentors]
    free_proteges = [p for p in proteges if p.key not in locked_proteges]
    return free_mentors, free_proteges


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
        scored = score_pair(by_mentor[m_key], by_protege[p_key], excluded=frozenset(excluded))
        pairs.append((m_key, p_key, scored.score if scored else 0))
    return pairs


# The assignment on a few pairs per protégé, proven optimal over all of them.

KEEP_PER_PROTEGE = 8  # pairs per protégé handed to the solver, and added per round
KEEP_PER_SLOT = 8  # each mentor's best protégés kept at first, per unit of capacity
_KEEP_PER_MENTOR = (8, 64)  # ... and at least / at most this many
_LOWEST = np.iinfo(np.int32).min  # below any gain
_UNBOUNDED = np.iinfo(np.int64).max // 4  # a protégé's left-out pairs are not bounded yet


@dataclass(slots=True)
class _Kept:
    """The pairs handed to the solver, and what bounds the others."""

    protege: np.ndarray  # int64 protégé index, one entry per kept pair
    mentor: np.ndarray  # int64 column of the scorer
    score: np.ndarray  # int64
    factor: int  # weight = factor * score + (1 if factor > 1 else 0)
    estimate: np.ndarray  # int64 per mentor: the prices the pairs were chosen at
    # Per protégé: no usable pair left out weighs more than reach + estimate of its mentor
    # (_LOWEST when none is left out).
    reach: np.ndarray

    def weights(self, score: np.ndarray, dtype: type = np.int64) -> np.ndarray:
        """Scores as the solver's weights, ranking assignments by total score first.

        With a minimum of 0 or less, factor is the number of protégés plus one and every
        pair adds 1: the weights then sum to factor * total + pairs, pairs never reaching
        factor, so of two assignments with the same total the one matching more people
        wins, and a pair scoring exactly the minimum is matched, not left out.
        """
        return score.astype(dtype) * self.factor + (1 if self.factor > 1 else 0)

    def gains(
        self,
        score: np.ndarray,
        prices: np.ndarray,
        min_score: int,
        surplus: np.ndarray | None = None,
    ) -> np.ndarray:
        """weight - mentor's price (- protégé's surplus) per cell, _LOWEST where unusable."""
        gain = self.weights(score, np.int32)
        gain -= prices.astype(np.int32)[None, :]
        if surplus is not None:
            gain -= surplus.astype(np.int32)[:, None]
        gain[score < min_score] = _LOWEST
        return gain

    def add(self, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n_m: int) -> None:
        new_p, new_m, new_s = _joined(parts)
        n_m = max(n_m, 1)
        code, first = np.unique(
            np.concatenate([self.protege * n_m + self.mentor, new_p * n_m + new_m]),
            return_index=True,
        )
        self.score = np.concatenate([self.score, new_s])[first]
        self.protege, self.mentor = code // n_m, code % n_m


def _joined(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]):
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return tuple(np.concatenate([part[i] for part in parts]) for i in range(3))


def _top_by_row(values: np.ndarray, count: int, mask: np.ndarray) -> np.ndarray:
    """Mark in `mask` each row's `count` highest values above _LOWEST (ties arbitrarily);
    return each row's highest value left unmarked.

    A few passes of argmax, far quicker than a partition when `count` is small.
    """
    values = np.where(mask, _LOWEST, values)
    rows = np.arange(values.shape[0])
    for _ in range(min(count, values.shape[1])):
        top = values.argmax(axis=1)
        found = values[rows, top] > _LOWEST
        if not found.any():
            break
        mask[rows[found], top[found]] = True
        values[rows, top] = _LOWEST
    if not values.shape[1]:
        return np.full(values.shape[0], _LOWEST, dtype=np.int64)
    return values.max(axis=1).astype(np.int64)


def _solve(capacity: np.ndarray, kept: _Kept, n_p: int) -> tuple[np.ndarray, np.ndarray]:
    """Maximum weight assignment on the kept pairs: (mentor column or -1 per protégé, weights).

    A min-cost flow: protégé -> mentor (cap 1, cost top - weight) -> sink (cap = capacity),
    and protégé -> sink (cap 1, cost top) for staying unmatched. Each protégé supplies one
    unit, so the cheapest flow is the assignment with the highest total weight.
    """
    from ortools.graph.python import min_cost_flow

    n_m = capacity.size
    weight = kept.weights(kept.score)
    top = int(weight.max()) if weight.size else 1
    sink = n_p + n_m
    n_pairs = kept.protege.size
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([kept.protege, np.arange(n_p), n_p + np.arange(n_m)]),
        np.concatenate([n_p + kept.mentor, np.full(n_p + n_m, sink)]),
        np.concatenate([np.ones(n_pairs + n_p, dtype=np.int64), capacity]),
        np.concatenate([top - weight, np.full(n_p, top), np.zeros(n_m, dtype=np.int64)]),
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[:n_p] = 1
    supplies[sink] = -n_p
    flow.set_nodes_supplies(np.arange(sink + 1), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:  # pragma: no cover - the bypass arcs make it feasible
        raise RuntimeError(f"min-cost flow failed with status {status}")
    mate = np.full(n_p, -1, dtype=np.int64)
    if n_pairs:
        used = flow.flows(arcs[:n_pairs]) > 0
        mate[kept.protege[used]] = kept.mentor[used]
    return mate, weight


def _prices(
    capacity: np.ndarray, kept: _Kept, mate: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Prices u (protégés) and v (mentors) proving the kept pairs' assignment optimal.

    The least v meeting u_p + v_m >= w_pm on every kept pair, with u_p = w(p, mate) - v_mate
    for a matched protégé and 0 for the others, is a longest-path problem between mentors:
    a protégé matched to m' who could take m gives v_m >= v_m' + w_pm - w_pm', an unmatched
    one gives v_m >= w_pm. The assignment being optimal, no cycle gains (the lengths settle),
    no path reaches a mentor with room (v = 0 there) and none prices a protégé below zero.
    `_certify` checks all of that rather than trusting it.
    """
    n_p, n_m = mate.size, capacity.size
    mate_of = mate[kept.protege]
    is_own = mate_of == kept.mentor
    own = np.zeros(n_p, dtype=np.int64)
    own[kept.protege[is_own]] = weight[is_own]
    v = np.zeros(n_m, dtype=np.int64)
    alone = mate_of < 0
    np.maximum.at(v, kept.mentor[alone], weight[alone])
    moves = ~alone & ~is_own
    tail, head = mate_of[moves], kept.mentor[moves]
    gain = weight[moves] - own[kept.protege[moves]]
    order = np.argsort(head, kind="stable")
    tail, head, gain = tail[order], head[order], gain[order]
    starts = np.flatnonzero(np.r_[True, head[1:] != head[:-1]]) if head.size else head
    heads = head[starts]
    for _ in range(n_m + 1):
        if not head.size:
            break
        reach = np.maximum.reduceat(v[tail] + gain, starts)
        better = reach > v[heads]
        if not better.any():
            break
        v[heads[better]] = reach[better]
    else:  # pragma: no cover - a gaining cycle would contradict the solver's optimality
        raise RuntimeError("the assignment's prices do not settle")
    u = np.where(mate >= 0, own - v[np.maximum(mate, 0)], 0)
    return u, v


def _certify(
    capacity: np.ndarray,
    kept: _Kept,
    mate: np.ndarray,
    weight: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
) -> None:
    """Weak duality: prices feasible on the kept pairs and costing what the assignment earns."""
    load = np.bincount(mate[mate >= 0], minlength=capacity.size)
    earned = int(weight[mate[kept.protege] == kept.mentor].sum())
    priced = int(u.sum() + (capacity * v).sum())
    if (
        (u < 0).any()
        or (v < 0).any()
        or (v[load < capacity] != 0).any()
        or (u[kept.protege] + v[kept.mentor] < weight).any()
        or priced != earned
    ):  # pragma: no cover - would mean the solver's answer is not optimal
        raise RuntimeError("the assignment could not be proven optimal")


def _plan(kept: _Kept, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which mentors to hold to the prices column by column, which protégés row by row.

    A left-out pair (p, m) weighs at most reach_p + estimate_m, so its gain over the prices
    is at most reach_p + drop_m - u_p with drop_m = estimate_m - v_m. Checking the columns
    of the mentors whose price dropped most, the others clear every protégé with
    reach_p + (their largest drop) <= u_p; the rest are checked row by row. The number of
    columns is chosen to score the fewest cells; when that is still a third of all pairs,
    every protégé is checked, and bounded afresh at the new prices.
    """
    n_p, n_m = u.size, v.size
    drop = kept.estimate - v
    order = np.argsort(-drop, kind="stable")
    has = kept.reach > _LOWEST
    best: tuple[int, int, np.ndarray] | None = None
    j = 0
    while True:
        rest = int(drop[order[j]]) if j < n_m else None
        rows = np.flatnonzero(has & (kept.reach + rest > u)) if rest is not None else u[:0]
        cost = n_p * j + n_m * rows.size
        if best is None or cost < best[0]:
            best = (cost, j, rows)
        if j >= n_m or not rows.size:
            break
        j = min(n_m, max(16, 2 * j))
    cost, j, rows = best
    if 3 * cost > n_p * n_m:  # the prices moved too far: hold every protégé to them afresh
        return order[:0], np.arange(n_p)
    return np.sort(order[:j]), rows.astype(np.int64)


def _price_left_out(
    scorer: _Scorer, kept: _Kept, u: np.ndarray, v: np.ndarray, min_score: int, keep: int
) -> bool:
    """Hold the prices against every left-out pair; keep more pairs where they fall short.

    True when some left-out pair is worth more than its prices (solve again), else False:
    the assignment is optimal over all pairs.
    """
    columns, suspects = _plan(kept, u, v)
    if suspects.size == scorer.n_p:  # bound the pairs left out at these prices from now on
        kept.estimate = v.copy()
    short = False
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if columns.size:
        found = []
        for rows, score in scorer.blocks(cols=columns):
            gain = kept.gains(score, v[columns], min_score, u[rows])
            short = short or bool((gain > 0).any())
            # Each such mentor's most underpriced protégés join, `keep` of them per round.
            chosen = np.zeros(score.shape, dtype=bool)
            _top_by_row(gain.T, keep, chosen.T)
            r, c = np.nonzero(chosen)
            found.append((rows[r], c, score[r, c].astype(np.int64), gain[r, c]))
        p, c, s, g = (np.concatenate([f[i] for f in found]) for i in range(4))
        order = np.lexsort((-g.astype(np.int64), c))
        first = np.searchsorted(c[order], np.arange(columns.size))
        pick = order[(np.arange(order.size) - first[c[order]]) < keep]
        parts.append((p[pick], columns[c[pick]], s[pick]))
    if suspects.size:
        is_suspect = np.zeros(scorer.n_p, dtype=bool)
        is_suspect[suspects] = True
        held = is_suspect[kept.protege]
        old_p, old_m = kept.protege[held], kept.mentor[held]
        row_at = np.full(scorer.n_p, -1, dtype=np.int64)
        for rows, score in scorer.blocks(suspects):
            row_at[rows] = np.arange(rows.size)
            mine = row_at[old_p] >= 0
            chosen = np.zeros(score.shape, dtype=bool)
            chosen[row_at[old_p[mine]], old_m[mine]] = True
            row_at[rows] = -1
            gain = kept.gains(score, v, min_score, u[rows])
            short = short or bool((gain > 0).any())
            # Each protégé's best pairs at these prices join, `keep` of them per round.
            _top_by_row(gain, keep, chosen)
            del gain
            left = kept.gains(score, kept.estimate, min_score)
            left[chosen] = _LOWEST
            kept.reach[rows] = left.max(axis=1) if left.shape[1] else _LOWEST
            r, c = np.nonzero(chosen & (score >= min_score))
            parts.append((rows[r], c, score[r, c].astype(np.int64)))
    if short:
        kept.add(parts, scorer.n_m)
    return short


class _ColumnTop:
    """Each mentor's `size` best usable protégés over all blocks, and a bound on the rest.

    Only cells scoring above a mentor's threshold (its size-th best so far) are collected, so
    after the first blocks few are.
    """

    def __init__(self, n_m: int, size: int, min_score: int):
        self.n_m, self.size = n_m, size
        self.threshold = np.full(n_m, min_score - 1, dtype=np.int16)
        self.full = np.zeros(n_m, dtype=bool)
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.pending = 0

    def add(self, rows: np.ndarray, score: np.ndarray) -> None:
        r, c = np.nonzero(score > self.threshold[None, :])
        self.parts.append((rows[r], c, score[r, c]))
        self.pending += r.size
        if self.pending > 4 * self.size * self.n_m + (1 << 16):
            self._compact()

    def _compact(self) -> None:
        p, m, s = _joined(self.parts)
        order = np.lexsort((-s.astype(np.int64), m))
        p, m, s = p[order], m[order], s[order]
        first = np.searchsorted(m, np.arange(self.n_m))
        rank = np.arange(m.size) - first[m]
        keep = rank < self.size
        last = keep & (rank == self.size - 1)
        self.threshold[m[last]] = s[last]
        self.full[m[last]] = True
        self.parts = [(p[keep], m[keep], s[keep])]
        self.pending = int(keep.sum())

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(protégé, mentor, score) of the kept cells, and each mentor's bound."""
        self._compact()
        p, m, s = self.parts[0]
        bound = np.where(self.full, self.threshold, _FLOOR).astype(np.int16)
        return p, m, s.astype(np.int64), bound


def _first_pass(scorer: _Scorer, kept: _Kept, min_score: int, keep: int) -> tuple[np.ndarray, int]:
    """Keep each protégé's and each mentor's best pairs by score; note each protégé's best
    allowed score. Returns (best score per protégé, number of allowed pairs)."""
    n_p, n_m = scorer.n_p, scorer.n_m
    best = np.full(n_p, _FLOOR, dtype=np.int16)
    candidates = 0
    slots = int(scorer.capacity.max(initial=0)) * KEEP_PER_SLOT
    columns = _ColumnTop(n_m, int(np.clip(slots, *_KEEP_PER_MENTOR)), min_score)
    parts = []
    no_prices = np.zeros(n_m, dtype=np.int64)
    for rows, score in scorer.blocks():
        candidates += int(np.count_nonzero(score > _ALLOWED))
        if n_m:
            best[rows] = score.max(axis=1)
        chosen = np.zeros(score.shape, dtype=bool)
        _top_by_row(kept.gains(score, no_prices, min_score), keep, chosen)
        r, c = np.nonzero(chosen)
        parts.append((rows[r], c, score[r, c].astype(np.int64)))
        columns.add(rows, score)
    col_p, col_m, col_s, _ = columns.pairs()
    parts.append((col_p, col_m, col_s))
    kept.add(parts, n_m)
    return best, candidates


def assign(
    mentors: Sequence[Person],
    proteges: Sequence[Person],
    *,
    min_score: int = 0,
    excluded: Iterable[tuple[int, int]] = (),
    locked: Iterable[tuple[int, int]] = (),
    keep: int = KEEP_PER_PROTEGE,
) -> Assignment:
    """The assignment with the highest total score (see the module docstring).

    Handing the solver every pair sharing a topic costs about 150 bytes a pair, and a
    programme of 50,000 protégés and 10,000 mentors has 80 million of them. The solver gets
    `keep` pairs per protégé, and every other pair is proven unable to help, by linear
    programming duality:

    The assignment problem (maximise sum w_pm x_pm, each protégé at most once, each mentor
    at most its capacity c_m, x >= 0) has integral optima: its constraint matrix is the
    incidence matrix of a bipartite graph, totally unimodular. Its dual is: minimise
    sum u_p + sum c_m v_m with u, v >= 0 and u_p + v_m >= w_pm on every usable pair. For any
    assignment x and any feasible (u, v), total(x) <= sum u_p + sum c_m v_m (weak duality).

    So: solve on the kept pairs; price them (`_prices`) so that the prices cost exactly
    what the assignment earns and u_p + v_m >= w_pm on every kept pair (`_certify`). If the
    prices also cover every pair left out, no assignment over all pairs earns more than the
    one found, which is therefore optimal over all pairs.

    The first pairs kept are each protégé's and each mentor's best by score
    (`_first_pass`). The first prices are then held against every pair, and each protégé
    keeps its best pairs at those prices and a bound on the ones left out. Later prices
    are held only where that bound cannot clear the left-out pairs: the protégés, and
    the mentors whose price moved most, are scored again and held to the prices exactly
    (`_plan`). Pairs the prices miss join the kept ones, with their protégé's and mentor's
    best at these prices, and the whole is solved again. Each round proves optimality or
    grows the kept pairs, so it ends, at worst with every pair kept.
    """
    excluded = set(excluded)
    _check_keys(mentors, proteges)
    min_score = int(np.clip(min_score, ROLE_LESS_POINTS, MAX_SCORE + 1))
    keep = max(keep, 1)
    locked, refused = _validated_locks(mentors, proteges, locked, excluded)
    free_mentors, free_proteges = _prepare(mentors, proteges, locked)
    kept_locked = _locked_pairs(mentors, proteges, locked, excluded)
    with_room = [m for m in free_mentors if m.capacity > 0]
    scorer = _Scorer(with_room, free_proteges, excluded)
    n_p, n_m = scorer.n_p, scorer.n_m
    factor = n_p + 1 if min_score <= 0 else 1
    kept = _Kept(
        protege=np.zeros(0, dtype=np.int64),
        mentor=np.zeros(0, dtype=np.int64),
        score=np.zeros(0, dtype=np.int64),
        factor=factor,
        estimate=np.zeros(n_m, dtype=np.int64),
        reach=np.full(n_p, _UNBOUNDED, dtype=np.int64),  # the first prices check everyone
    )
    best, candidates = _first_pass(scorer, kept, min_score, keep)
    full = [m for m in free_mentors if m.capacity <= 0]
    if full:  # they take no one, but tell "capacity exhausted" from "no one fits"
        for rows, score in _Scorer(full, free_proteges, excluded).blocks():
            candidates += int(np.count_nonzero(score > _ALLOWED))
            best[rows] = np.maximum(best[rows], score.max(axis=1))
    mate = np.full(n_p, -1, dtype=np.int64)
    while n_p and n_m:
        mate, weight = _solve(scorer.capacity, kept, n_p)
        u, v = _prices(scorer.capacity, kept, mate, weight)
        _certify(scorer.capacity, kept, mate, weight, u, v)
        if not _price_left_out(scorer, kept, u, v, min_score, keep):
            break
    held = mate[kept.protege] == kept.mentor
    pairs: list[tuple[int, int, int]] = list(kept_locked)
    for p_i, m_i, points in zip(
        kept.protege[held], scorer.order[kept.mentor[held]], kept.score[held], strict=True
    ):
        pairs.append((with_room[m_i].key, free_proteges[p_i].key, int(points)))
    unmatched = {
        free_proteges[i].key: _unmatched_reason(
            int(best[i]) if best[i] > _ALLOWED else None, min_score
        )
        for i in np.flatnonzero(mate < 0)
    }
    return Assignment(
        pairs=pairs,
        unmatched=unmatched,
        total=sum(s for _, _, s in pairs),
        candidates=candidates,
        refused=refused,
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
    locked, refused = _validated_locks(mentors, proteges, locked, set(excluded))
    free_mentors, free_proteges = _prepare(mentors, proteges, locked)
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
    return Assignment(
        pairs=pairs, unmatched=unmatched, total=sum(s for _, _, s in pairs), refused=refused
    )


def suggest(
    mentors: Sequence[Person],
    protege: Person,
    *,
    excluded: Iterable[tuple[int, int]] = (),
    limit: int = 5,
    names: Names | None = None,
    min_score: int | None = None,
) -> list[tuple[Person, PairScore]]:
    """The best mentors for one protégé, best first: mentors without capacity and, when
    `min_score` is given, pairs scoring below it are left out, as `assign` leaves them."""
    excluded = frozenset(excluded)
    scored = []
    for mentor in mentors:
        if mentor.capacity <= 0:
            continue
        result = score_pair(mentor, protege, excluded=excluded, names=names)
        if result is not None and (min_score is None or result.score >= min_score):
            scored.append((mentor, result))
    scored.sort(key=lambda pair: (-pair[1].score, pair[0].key))
    return scored[:limit]
