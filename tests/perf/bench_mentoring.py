"""Mentoring engine benchmark: generated data, the pure engine, no database.

Run standalone with `python -m tests.perf.bench_mentoring`; `run()` returns the rows.
The 50,000 x 10,000 match runs in a fresh interpreter so that its peak memory is its own.
"""

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from mentoring.matching import ANY, DIFFERENT, SAME, Person, assign, candidate_scores

TARGET_SECONDS = 10.0
LARGE = (50_000, 10_000)  # protégés, mentors
LARGE_TARGET_SECONDS = 60.0
LARGE_TARGET_BYTES = 4 * 1024**3
LARGE_TARGET_BYTES_PER_PAIR = 64
ROOT = Path(__file__).resolve().parents[2]


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


def measure_large(n_proteges: int = LARGE[0], n_mentors: int = LARGE[1]) -> dict:
    """Match a generated programme in a child interpreter: seconds, peak RSS, pairs."""
    code = f"from tests.perf.bench_mentoring import _large; _large({n_proteges}, {n_mentors})"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _large(n_proteges: int, n_mentors: int) -> None:
    mentors, proteges = generate(n_proteges, n_mentors)
    started = time.perf_counter()
    result = assign(mentors, proteges, min_score=20)
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss * 1024  # Linux counts KiB
    figures = {
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),  # generation included
        "peak_bytes": peak,
        "pairs": result.candidates,
        "bytes_per_pair": round(peak / max(result.candidates, 1), 1),
        "total": result.total,
        "matched": len(result.pairs),
    }
    print(json.dumps(figures))


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
    large = measure_large()
    size = f"{LARGE[0]:,} x {LARGE[1]:,}"
    rows += [
        {
            "part": "mentoring",
            "measure": f"match {size} (own process, {large['pairs']:,} candidate pairs)",
            "value": large["seconds"],
            "unit": "s",
            "target": f"< {LARGE_TARGET_SECONDS:g}",
            "ok": large["seconds"] < LARGE_TARGET_SECONDS,
        },
        {
            "part": "mentoring",
            "measure": f"CPU time of that process (generation included; wall time grows when "
            f"the cores are shared, {os.getloadavg()[0]:.1f} load now)",
            "value": large["cpu_seconds"],
            "unit": "s",
            "target": f"< {LARGE_TARGET_SECONDS:g}",
            "ok": large["cpu_seconds"] < LARGE_TARGET_SECONDS,
        },
        {
            "part": "mentoring",
            "measure": f"peak memory, match {size}",
            "value": round(large["peak_bytes"] / 1024**2),
            "unit": "MB",
            "target": f"< {LARGE_TARGET_BYTES // 1024**2:,}",
            "ok": large["peak_bytes"] < LARGE_TARGET_BYTES,
        },
        {
            "part": "mentoring",
            "measure": f"peak memory per candidate pair, match {size}",
            "value": large["bytes_per_pair"],
            "unit": "bytes",
            "target": f"<= {LARGE_TARGET_BYTES_PER_PAIR}",
            "ok": large["bytes_per_pair"] <= LARGE_TARGET_BYTES_PER_PAIR,
        },
    ]
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
