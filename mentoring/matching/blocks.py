"""Scoring every pair of a programme, block by block, as `score_pair` would."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from .scores import (
    _PREF_CODE,
    BOTH_LEAD_POINTS,
    CROSS_POINTS,
    CROSS_WISHED_POINTS,
    LOCATION_POINTS,
    ROLE_LESS_POINTS,
    ROLE_MORE_POINTS,
    Person,
    _topic_points,
)

# Scoring every pair, block by block.
#
# A programme of 50,000 protégés and 10,000 mentors has 500 million pairs, 80 million of them
# sharing a topic. None is kept: a block of protégés is scored against every mentor at once in
# int16, and only what the assignment needs is kept from the block (see `assign`). A block's
# temporaries stay near 50 MB whatever the programme's size.
#
# Each part of `score_pair` becomes a few whole-block operations: topics shared are the bit
# count of two topic masks, turned into points by a table; the terms that depend on one side
# only are one row of a small table per kind of protégé; time in role is a slice of each row,
# mentors being sorted by time in role.

_FLOOR = -16384  # the score of a pair that may not form; real scores lie in -10..115
_ALLOWED = _FLOOR // 2  # every allowed pair scores more than this
_BLOCK_CELLS = 1 << 21  # pairs scored at once
# No allowed pair: far below any score, negative ones included.
NO_CANDIDATE = np.iinfo(np.int64).min


def _codes(values: Iterable[int | None]) -> dict[int, int]:
    return {v: i for i, v in enumerate(sorted({v for v in values if v is not None}))}


def _coded(people: Sequence[Person], attribute: str, table: dict[int, int], unknown: int):
    values = (getattr(p, attribute) for p in people)
    return np.fromiter(
        (table[v] if v is not None else unknown for v in values), dtype=np.int64, count=len(people)
    )


def _topic_masks(people: Sequence[Person], table: dict[int, int]) -> np.ndarray:
    """One bit per topic, in as many 64-bit words as the topics need."""
    words = max(1, (len(table) + 63) // 64)
    masks = np.zeros((len(people), words), dtype=np.uint64)
    for i, person in enumerate(people):
        value = 0
        for topic in person.topic_ids:
            value |= 1 << table[topic]
        for w in range(words):
            masks[i, w] = (value >> (64 * w)) & 0xFFFF_FFFF_FFFF_FFFF
    if len(table) <= 32:  # half the memory traffic for the common case
        return masks.astype(np.uint32)
    return masks


class _Scorer:
    """Scores any rows of protégés against every mentor, exactly as `score_pair` would.

    Columns are the mentors sorted by time in role (unknown last): `order[j]` is the index
    in the mentor list of column j.
    """

    def __init__(
        self,
        mentors: Sequence[Person],
        proteges: Sequence[Person],
        excluded: Iterable[tuple[int, int]] = (),
    ):
        years = np.array(
            [m.years_in_role if m.years_in_role is not None else np.inf for m in mentors],
            dtype=np.float64,
        )
        self.order = np.argsort(years, kind="stable")
        mentors = [mentors[i] for i in self.order]
        self.n_m, self.n_p = len(mentors), len(proteges)
        everyone = list(itertools.chain(mentors, proteges))
        topics = _codes(t for p in everyone for t in p.topic_ids)
        self.m_topics = _topic_masks(mentors, topics)
        self.p_topics = _topic_masks(proteges, topics)
        wanted = np.fromiter((len(p.topic_ids) for p in proteges), dtype=np.int64, count=self.n_p)
        most = int(wanted.max(initial=0))
        points = np.full((most + 1, most + 1), _FLOOR, dtype=np.int16)  # 0 shared: no pair
        for w in range(1, most + 1):
            for s in range(1, w + 1):
                points[w, s] = _topic_points(s, w)
        self.points = points.ravel()
        self.points_row = wanted * (most + 1)
        self.capacity = np.fromiter((m.capacity for m in mentors), dtype=np.int64, count=self.n_m)

        # Time in role: mentors [0, before) have less than the protégé, [after, known) a year
        # or more; computed with the same float subtraction as score_pair.
        m_years = years[self.order]
        self.known_years = int(np.count_nonzero(np.isfinite(m_years)))
        sorted_years = m_years[: self.known_years]
        p_years = np.array(
            [p.years_in_role if p.years_in_role is not None else np.nan for p in proteges],
            dtype=np.float64,
        )
        self.p_years_known = ~np.isnan(p_years)
        safe = np.where(self.p_years_known, p_years, 0.0)
        self.before = np.searchsorted(sorted_years, safe, side="left")
        after = np.searchsorted(sorted_years, safe + 1.0, side="left")
        last = self.known_years - 1
        for _ in range(8 if last >= 0 else 0):  # correct the rounding of safe + 1.0
            down = (after > 0) & (sorted_years[np.clip(after - 1, 0, last)] - safe >= 1.0)
            up = (after <= last) & (sorted_years[np.clip(after, 0, last)] - safe < 1.0)
            if not (down.any() or up.any()):
                break
            after = after - down + up
        self.after = after

        # Location: +10 for each side whose wish (same / different) is met.
        places = _codes(p.location_id for p in everyone)
        m_loc = _coded(mentors, "location_id", places, -2)
        p_loc = _coded(proteges, "location_id", places, -1)
        dtype = np.int16 if len(places) < 30_000 else np.int64
        self.m_loc, self.p_loc = m_loc.astype(dtype), p_loc.astype(dtype)
        m_known = (m_loc >= 0).astype(np.int16)
        m_pref = np.array([_PREF_CODE.get(m.location_preference, 0) for m in mentors])
        p_pref = np.array([_PREF_CODE.get(p.location_preference, 0) for p in proteges])
        m_same = np.where(m_pref == 1, LOCATION_POINTS, 0).astype(np.int16)
        m_other = (np.where(m_pref == 2, LOCATION_POINTS, 0) * m_known).astype(np.int16)
        # bonus = same * (points if same) + (1 - same) * (points if different), where "same"
        # is only ever true for two known places; per kind of protégé (wish, place known):
        # rows of "points if different" and of the difference.
        # Leads: +10 when both lead a team, one more row per kind of protégé.
        m_leads = np.array([m.leads_team for m in mentors], dtype=bool)
        base_rows, same_rows = [], []
        for pref in range(3):
            for known in (0, 1):
                p_same = LOCATION_POINTS if pref == 1 else 0
                p_other = LOCATION_POINTS if pref == 2 else 0
                if_other = (p_other * m_known + m_other) * known
                if_same = (p_same + m_same) * known
                for leads in (0, 1):
                    base_rows.append(if_other + leads * BOTH_LEAD_POINTS * m_leads)
                same_rows.append(if_same - if_other)
        self.base_rows = np.array(base_rows, dtype=np.int16).reshape(len(base_rows), self.n_m)
        self.same_rows = np.array(same_rows, dtype=np.int16).reshape(len(same_rows), self.n_m)
        p_known = (p_loc >= 0).astype(np.int64)
        p_leads = np.array([p.leads_team for p in proteges], dtype=np.int64)
        self.p_base = (p_pref * 2 + p_known) * 2 + p_leads
        self.p_same = p_pref * 2 + p_known

        # Departments: +5 for crossing, +10 more when either side wished it.
        departments = _codes(p.department_id for p in everyone)
        m_dept = _coded(mentors, "department_id", departments, -2)
        p_dept = _coded(proteges, "department_id", departments, -1)
        dtype = np.int16 if len(departments) < 30_000 else np.int64
        self.m_dept, self.p_dept = m_dept.astype(dtype), p_dept.astype(dtype)
        m_dept_known = (m_dept >= 0).astype(np.int16)
        m_cross = np.array([m.prefer_other_department for m in mentors], dtype=np.int16)
        self.cross_rows = np.array(
            [
                np.zeros(self.n_m, dtype=np.int16),
                (CROSS_POINTS + CROSS_WISHED_POINTS * m_cross) * m_dept_known,
                (CROSS_POINTS + CROSS_WISHED_POINTS) * m_dept_known,
            ],
            dtype=np.int16,
        ).reshape(3, self.n_m)
        p_cross = np.array([p.prefer_other_department for p in proteges], dtype=np.int64)
        self.p_cross = np.where(p_dept >= 0, 1 + p_cross, 0)

        self.forbidden = _forbidden_pairs(mentors, proteges, excluded)

    def blocks(
        self, rows: np.ndarray | None = None, cols: np.ndarray | None = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(protégé indexes, their scores against the mentors), block by block."""
        if rows is None:
            rows = np.arange(self.n_p)
        width = self.n_m if cols is None else cols.size
        per_block = max(1, _BLOCK_CELLS // max(width, 1))
        for start in range(0, rows.size, per_block):
            chunk = rows[start : start + per_block]
            yield chunk, self.score_rows(chunk, cols)

    def score_rows(self, rows: np.ndarray, cols: np.ndarray | None = None) -> np.ndarray:
        """An int16 (rows x cols) matrix of scores; at most _ALLOWED where no pair may form.

        `cols` (ascending) are some of the mentors' columns, all of them when None.
        """
        m_topics, m_loc, m_dept = self.m_topics, self.m_loc, self.m_dept
        base_rows, same_rows, cross_rows = self.base_rows, self.same_rows, self.cross_rows
        if cols is not None:
            m_topics, m_loc, m_dept = m_topics[cols], m_loc[cols], m_dept[cols]
            base_rows, same_rows = base_rows[:, cols], same_rows[:, cols]
            cross_rows = cross_rows[:, cols]
        p_topics = self.p_topics[rows]
        shared = np.bitwise_count(p_topics[:, None, 0] & m_topics[None, :, 0])
        for w in range(1, p_topics.shape[1]):
            shared += np.bitwise_count(p_topics[:, None, w] & m_topics[None, :, w])
        index = shared.astype(np.intp)
        del shared
        index += self.points_row[rows][:, None]
        score = self.points.take(index)
        del index
        score += base_rows[self.p_base[rows]]
        same = self.p_loc[rows][:, None] == m_loc[None, :]
        bonus = same_rows[self.p_same[rows]]
        bonus *= same
        score += bonus
        del same
        crossing = self.p_dept[rows][:, None] != m_dept[None, :]
        bonus = cross_rows[self.p_cross[rows]]
        bonus *= crossing
        score += bonus
        del crossing, bonus
        known, befores, afters = self.known_years, self.before[rows], self.after[rows]
        if cols is not None:  # the same cuts, counted in the chosen columns
            known = int(np.searchsorted(cols, known))
            befores, afters = np.searchsorted(cols, befores), np.searchsorted(cols, afters)
        for i, (row, before, after) in enumerate(zip(rows, befores, afters, strict=True)):
            if self.p_years_known[row]:
                score[i, :before] += ROLE_LESS_POINTS
                score[i, after:known] += ROLE_MORE_POINTS
        f_p, f_m = self.forbidden
        if f_p.size:
            row_at = np.full(self.n_p, -1, dtype=np.int64)
            row_at[rows] = np.arange(rows.size)
            col_at = np.arange(self.n_m)
            if cols is not None:
                col_at = np.full(self.n_m, -1, dtype=np.int64)
                col_at[cols] = np.arange(cols.size)
            hit = (row_at[f_p] >= 0) & (col_at[f_m] >= 0)
            score[row_at[f_p[hit]], col_at[f_m[hit]]] = _FLOOR
        return score


def _forbidden_pairs(
    mentors: Sequence[Person], proteges: Sequence[Person], excluded: Iterable[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """(protégé index, mentor index) of pairs sharing a topic may still not form: one person
    twice, a person and their manager either way round, a pair matched before. There are
    about as many as people, so they are listed rather than tested on every pair."""
    by_user: dict[int, list[int]] = {}
    by_manager: dict[int, list[int]] = {}
    for i, mentor in enumerate(mentors):
        by_user.setdefault(mentor.user_id, []).append(i)
        if mentor.manager_user_id is not None:
            by_manager.setdefault(mentor.manager_user_id, []).append(i)
    proteges_by_user: dict[int, list[int]] = {}
    pairs: set[tuple[int, int]] = set()
    for j, protege in enumerate(proteges):
        proteges_by_user.setdefault(protege.user_id, []).append(j)
        pairs.update((j, i) for i in by_user.get(protege.user_id, ()))
        pairs.update((j, i) for i in by_manager.get(protege.user_id, ()))
        if protege.manager_user_id is not None:
            pairs.update((j, i) for i in by_user.get(protege.manager_user_id, ()))
    for mentor_user, protege_user in excluded:
        for i in by_user.get(mentor_user, ()):
            pairs.update((j, i) for j in proteges_by_user.get(protege_user, ()))
    if not pairs:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    both = np.array(sorted(pairs), dtype=np.int64)
    return both[:, 0], both[:, 1]


@dataclass(slots=True)
class Candidates:
    """Every allowed pair (indexes into the mentor and protégé lists) with its score.

    For tests and references on small programmes: `assign` never lists every pair.
    """

    mentor_idx: np.ndarray
    protege_idx: np.ndarray
    score: np.ndarray
    best: np.ndarray  # best score per protégé over allowed pairs, NO_CANDIDATE when none


def candidate_scores(
    mentors: Sequence[Person],
    proteges: Sequence[Person],
    *,
    excluded: Iterable[tuple[int, int]] = (),
) -> Candidates:
    """Score every allowed pair, the same as score_pair would, vectorised."""
    scorer = _Scorer(mentors, proteges, excluded)
    best = np.full(len(proteges), NO_CANDIDATE, dtype=np.int64)
    out_m, out_p, out_s = [], [], []
    for rows, score in scorer.blocks():
        r, c = np.nonzero(score > _ALLOWED)
        out_p.append(rows[r])
        out_m.append(scorer.order[c])
        out_s.append(score[r, c].astype(np.int64))
        if score.shape[1]:
            row_best = score.max(axis=1)
            best[rows] = np.where(row_best > _ALLOWED, row_best.astype(np.int64), NO_CANDIDATE)
    if not out_m:
        empty = np.zeros(0, dtype=np.int64)
        return Candidates(empty, empty, empty, best)
    return Candidates(
        np.concatenate(out_m).astype(np.int64),
        np.concatenate(out_p).astype(np.int64),
        np.concatenate(out_s),
        best,
    )
