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

    protégé -> mentor (cap 1, cost top - weight) -> sink (cap = capacity)
    protégé -> sink (cap 1, cost top)   "stays unmatched"

Every protégé sends one unit, so the cheapest flow is the assignment with the highest total.
It is optimal, not greedy. The flow is given only a few pairs per protégé; linear
programming duality proves that none of the others could raise the total (see `assign`).
Nothing is stored per pair: pairs are scored block by block in int16 (see `_Scorer`), so
50,000 protégés x 10,000 mentors (80 million candidate pairs) fit in a few hundred MB.
"""

from .assignment import (
    LOCK_NO_ROOM,
    LOCK_PROTEGE_TWICE,
    LOCK_REPEATED,
    LOCK_UNKNOWN,
    Assignment,
    assign,
    assign_brute_force,
    suggest,
)
from .blocks import NO_CANDIDATE, Candidates, candidate_scores
from .scores import (
    ANY,
    BELOW_MINIMUM,
    CAPACITY_EXHAUSTED,
    DIFFERENT,
    MAX_SCORE,
    NO_MENTOR_IN_TOPICS,
    SAME,
    UNMATCHED_REASONS,
    Names,
    PairScore,
    Person,
    excluded_reason,
    score_pair,
)

__all__ = [
    "ANY",
    "BELOW_MINIMUM",
    "CAPACITY_EXHAUSTED",
    "DIFFERENT",
    "LOCK_NO_ROOM",
    "LOCK_PROTEGE_TWICE",
    "LOCK_REPEATED",
    "LOCK_UNKNOWN",
    "MAX_SCORE",
    "NO_CANDIDATE",
    "NO_MENTOR_IN_TOPICS",
    "SAME",
    "UNMATCHED_REASONS",
    "Assignment",
    "Candidates",
    "Names",
    "PairScore",
    "Person",
    "assign",
    "assign_brute_force",
    "candidate_scores",
    "excluded_reason",
    "score_pair",
    "suggest",
]
