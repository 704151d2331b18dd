"""Mentoring engine benchmark: generated data, the pure engine, no database.

Run standalone with `python -m tests.perf.bench_mentoring`; `run()` returns the rows.
"""

import time

import numpy as np

from mentoring.matching import ANY, DIFFERENT, SAME, Person, assign, candidate_scores

TARGET_SECONDS = 10.0


def generate(
    n_proteges: int, n_mentors: int, *, topics: int = 30, seed: int = 7
) -> tuple[list[Person], list[Person]]:
    rng = np.random.default_rng(seed)
    prefs = [ANY, ANY, SAME, DIFFERENT]

    def person(key: int, user_id: int, n_topics: int, capacity: int) -> Person:
        chosen = rng.choice(topics, size=n_topics, replace=False)
        return Person(
            key=key,
            user_id=user_id,
            topic_ids=frozenset(int(t) + 1 for t in chosen),
            department_id=int(rng.integers(1, 12)),
            location_id=int(rng.integers(1, 8)),
            manager_user_id=int(rng.integers(1, n_proteges + n_mentors)),
            years_in_role=float(rng.uniform(0, 12)),
            leads_team=bool(rng.random() < 0.4),
            location_preference=prefs[int(rng.integers(0, len(prefs)))],
            prefer_other_department=bool(rng.random() < 0.3),
            capacity=capacity,
        )

    mentors = [
        person(i, i, int(rng.integers(1, 5)), int(rng.integers(1, 6))) for i in range(n_mentors)
    ]
    proteges = [
        person(n_mentors + i, n_mentors + i, int(rng.integers(1, 4)), 1) for i in range(n_proteges)
    ]
    return mentors, proteges


def reference_total(mentors: list[Person], proteges: list[Person], min_score: int) -> int:
    """scipy's assignment solver over mentor slots (one column per unit of capacity)."""
    from scipy.optimize import linear_sum_assignment

    cands = candidate_scores(mentors, proteges)
    slot_owner = np.repeat(np.arange(len(mentors)), [m.capacity for m in mentors])
    first_slot = np.r_[0, np.cumsum([m.capacity for m in mentors])[:-1]]
    weights = np.zeros((len(proteges), slot_owner.size), dtype=np.int64)
    ok = cands.score >= min_score
    for offset in range(max(m.capacity for m in mentors)):
        has = ok & (offset < np.array([m.capacity for m in mentors])[cands.mentor_idx])
        weights[cands.protege_idx[has], first_slot[cands.mentor_idx[has]] + offset] = cands.score[
            has
        ]
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return int(weights[rows, cols].sum())


def run() -> list[dict]:
    rows = []
    mentors, proteges = generate(10_000, 2_000)
    started = time.perf_counter()
    result = assign(mentors, proteges, min_score=20)
    elapsed = time.perf_counter() - started
    rows.append(
        {
            "part": "mentoring",
            "measure": "match 10,000 protégés x 2,000 mentors (capacity 1-5, 30 topics)",
            "value": round(elapsed, 2),
            "unit": "s",
            "target": f"< {TARGET_SECONDS:g}",
            "ok": elapsed < TARGET_SECONDS,
        }
    )
    rows.append(
        {
            "part": "mentoring",
            "measure": "candidate pairs scored (10,000 x 2,000)",
            "value": result.candidates,
            "unit": "pairs",
            "target": "every pair sharing a topic",
            "ok": True,
        }
    )
    small_mentors, small_proteges = generate(600, 200, seed=11)
    ours = assign(small_mentors, small_proteges, min_score=20).total
    reference = reference_total(small_mentors, small_proteges, min_score=20)
    rows.append(
        {
            "part": "mentoring",
            "measure": "total score 600 x 200: min-cost flow vs scipy linear_sum_assignment",
            "value": f"{ours} vs {reference}",
            "unit": "points",
            "target": "equal",
            "ok": ours == reference,
        }
    )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
