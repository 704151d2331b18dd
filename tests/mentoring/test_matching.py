"""The matchmaking engine: optimal, within capacities, explained in words."""

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring.matching import (
    BELOW_MINIMUM,
    CAPACITY_EXHAUSTED,
    DIFFERENT,
    LOCK_NO_ROOM,
    LOCK_PROTEGE_TWICE,
    LOCK_REPEATED,
    LOCK_UNKNOWN,
    NO_CANDIDATE,
    NO_MENTOR_IN_TOPICS,
    SAME,
    Names,
    Person,
    assign,
    assign_brute_force,
    candidate_scores,
    score_pair,
    suggest,
)

NAMES = Names(
    topics={1: "Leadership", 2: "Coaching", 3: "Finance"},
    departments={10: "Sales", 11: "Engineering"},
    locations={20: "Paris", 21: "Lyon"},
)


def person(key, *, user=None, topics=(1,), **kwargs):
    return Person(
        key=key, user_id=user if user is not None else key, topic_ids=frozenset(topics), **kwargs
    )


def test_shared_topics_are_named_in_the_reasons():
    mentor = person(1, topics=(1, 2, 3))
    protege = person(2, topics=(1, 2))
    result = score_pair(mentor, protege, names=NAMES)
    assert result.score == 60
    assert result.reasons == ("Covers every topic asked for: Leadership and Coaching",)


def test_partial_topic_overlap_scores_its_share():
    result = score_pair(person(1, topics=(1,)), person(2, topics=(1, 2, 3)), names=NAMES)
    assert result.score == 20
    assert result.reasons[0] == "Shares 1 of 3 topics asked for: Leadership"


def test_more_time_in_role_is_experience_to_pass_on():
    mentor = person(1, years_in_role=3.0, leads_team=True)
    protege = person(2, years_in_role=0.5, leads_team=True)
    result = score_pair(mentor, protege)
    assert result.score == 60 + 20 + 10
    assert "3 years in role against 0.5 years: experience to pass on" in result.reasons
    assert "Both lead a team" in result.reasons


def test_a_mentor_newer_in_role_loses_points():
    result = score_pair(person(1, years_in_role=1.0), person(2, years_in_role=4.0))
    assert result.score == 50
    assert "The mentor has less time in role than the protégé" in result.reasons


def test_location_preferences_count_for_each_side():
    mentor = person(1, location_id=20, location_preference=SAME)
    protege = person(2, location_id=20, location_preference=SAME)
    result = score_pair(mentor, protege, names=NAMES)
    assert result.score == 80
    assert "Both in Paris, as the protégé wished" in result.reasons
    unmet = score_pair(
        person(1, location_id=21), person(2, location_id=20, location_preference=SAME)
    )
    assert unmet.score == 60
    assert "Different locations, though the protégé preferred the same" in unmet.reasons
    wished = score_pair(
        person(1, location_id=21), person(2, location_id=20, location_preference=DIFFERENT)
    )
    assert wished.score == 70


def test_crossing_departments_scores_more_when_wished():
    plain = score_pair(person(1, department_id=10), person(2, department_id=11), names=NAMES)
    assert plain.score == 65
    assert "Crosses departments (Sales and Engineering)" in plain.reasons
    wished = score_pair(
        person(1, department_id=10), person(2, department_id=11, prefer_other_department=True)
    )
    assert wished.score == 75
    same = score_pair(
        person(1, department_id=10), person(2, department_id=10, prefer_other_department=True)
    )
    assert "Same department, though crossing departments was preferred" in same.reasons


def test_never_oneself_nor_ones_manager_nor_an_earlier_pair_nor_no_shared_topic():
    assert score_pair(person(1, user=5), person(2, user=5)) is None
    assert score_pair(person(1, user=5), person(2, user=6, manager_user_id=5)) is None
    assert score_pair(person(1, user=5, manager_user_id=6), person(2, user=6)) is None
    assert score_pair(person(1, user=5), person(2, user=6), excluded={(5, 6)}) is None
    assert score_pair(person(1, topics=(1,)), person(2, topics=(2,))) is None


def test_unmatched_people_are_told_why():
    mentors = [person(1, topics=(1,), capacity=1)]
    proteges = [
        person(10, topics=(1,)),
        person(11, topics=(1,)),
        person(12, topics=(3,)),
        person(13, topics=(1, 2, 3), user=99),
    ]
    result = assign(mentors, proteges, min_score=30)
    assert len(result.pairs) == 1
    assert result.unmatched[12] == NO_MENTOR_IN_TOPICS
    assert result.unmatched[13] == BELOW_MINIMUM
    assert CAPACITY_EXHAUSTED in {result.unmatched.get(10), result.unmatched.get(11)}


def test_suggestions_are_ranked_and_skip_full_mentors():
    mentors = [
        person(1, topics=(1,)),
        person(2, topics=(1, 2)),
        person(3, topics=(1, 2), capacity=0),
    ]
    ranked = suggest(mentors, person(10, topics=(1, 2)))
    assert [m.key for m, _ in ranked] == [2, 1]


# Property tests against the brute-force reference.

people_topics = st.frozensets(st.integers(1, 3), min_size=1, max_size=3)


@st.composite
def programmes(draw):
    n_m = draw(st.integers(1, 3))
    n_p = draw(st.integers(1, 5))

    def draw_person(key, capacity):
        return Person(
            key=key,
            user_id=draw(st.integers(1, 9)),
            topic_ids=draw(people_topics),
            department_id=draw(st.sampled_from([None, 10, 11])),
            location_id=draw(st.sampled_from([None, 20, 21])),
            manager_user_id=draw(st.sampled_from([None, 1, 2, 3])),
            years_in_role=draw(st.sampled_from([None, 0.5, 1.0, 2.0, 4.0])),
            leads_team=draw(st.booleans()),
            location_preference=draw(st.sampled_from(["any", "same", "different"])),
            prefer_other_department=draw(st.booleans()),
            capacity=capacity,
        )

    mentors = [draw_person(i, draw(st.integers(0, 3))) for i in range(n_m)]
    proteges = [draw_person(100 + i, 1) for i in range(n_p)]
    excluded = draw(st.sets(st.tuples(st.integers(1, 9), st.integers(1, 9)), max_size=3))
    min_score = draw(st.sampled_from([0, 20, 40, 70]))
    locked = []
    if draw(st.booleans()):
        locked = [(mentors[0].key, proteges[0].key)]
    return mentors, proteges, excluded, min_score, locked


@settings(max_examples=300, deadline=None)
@given(programmes())
def test_assignment_is_optimal_within_capacity_and_keeps_locked_pairs(programme):
    mentors, proteges, excluded, min_score, locked = programme
    result = assign(mentors, proteges, min_score=min_score, excluded=excluded, locked=locked)
    reference = assign_brute_force(
        mentors, proteges, min_score=min_score, excluded=excluded, locked=locked
    )
    assert result.total == reference.total
    load = {}
    for m_key, _, _ in result.pairs:
        load[m_key] = load.get(m_key, 0) + 1
    capacities = {m.key: m.capacity for m in mentors}
    for m_key, n in load.items():
        assert n <= capacities[m_key]
    matched = [p for _, p, _ in result.pairs]
    assert len(matched) == len(set(matched))
    assert set(locked) - set(result.refused) <= {(m, p) for m, p, _ in result.pairs}
    assert set(result.refused) <= set(locked)
    assert set(matched).isdisjoint(result.unmatched)
    assert set(matched) | set(result.unmatched) == {p.key for p in proteges}
    by_key_m = {m.key: m for m in mentors}
    by_key_p = {p.key: p for p in proteges}
    for m_key, p_key, score in result.pairs:
        if (m_key, p_key) in locked:
            continue
        scored = score_pair(by_key_m[m_key], by_key_p[p_key], excluded=frozenset(excluded))
        assert scored is not None
        assert scored.score == score >= min_score


@settings(max_examples=200, deadline=None)
@given(programmes())
def test_vectorised_scores_equal_the_explained_scores(programme):
    mentors, proteges, excluded, _, _ = programme
    cands = candidate_scores(mentors, proteges, excluded=excluded)
    vectorised = {
        (int(m), int(p)): int(s)
        for m, p, s in zip(cands.mentor_idx, cands.protege_idx, cands.score, strict=True)
    }
    explained = {}
    for i, mentor in enumerate(mentors):
        for j, protege in enumerate(proteges):
            scored = score_pair(mentor, protege, excluded=frozenset(excluded))
            if scored is not None:
                explained[(i, j)] = scored.score
    assert vectorised == explained
    for j in range(len(proteges)):
        scores = [s for (_, p), s in explained.items() if p == j]
        assert cands.best[j] == (max(scores) if scores else NO_CANDIDATE)


def test_large_programmes_are_chunked_without_losing_pairs():
    rng = np.random.default_rng(3)
    mentors = [person(i, topics=(int(rng.integers(1, 4)),), capacity=2) for i in range(40)]
    proteges = [person(1000 + i, topics=(int(rng.integers(1, 4)),)) for i in range(2100)]
    cands = candidate_scores(mentors, proteges)
    expected = sum(1 for m in mentors for p in proteges if m.topic_ids & p.topic_ids)
    assert cands.score.size == expected
    assert len(assign(mentors, proteges).pairs) == 80


# Scoring in blocks: every part of score_pair, including awkward inputs.

awkward_years = st.sampled_from(
    [None, 0.0, 0.1, 0.3, 1.0, 1.1, 1.3, 2.0, 2.2, 1.0000000000000002, 0.9999999999999999, 7.7]
)


@st.composite
def awkward_programmes(draw):
    n_topics = draw(st.sampled_from([3, 40, 70]))  # one word of topic bits, or two
    topics = st.frozensets(st.integers(1, n_topics), min_size=1, max_size=5)

    def draw_person(key, capacity):
        return Person(
            key=key,
            user_id=draw(st.integers(1, 12)),
            topic_ids=draw(topics),
            department_id=draw(st.sampled_from([None, 10, 11, 12])),
            location_id=draw(st.sampled_from([None, 20, 21])),
            manager_user_id=draw(st.sampled_from([None, 1, 2, 3])),
            years_in_role=draw(awkward_years),
            leads_team=draw(st.booleans()),
            location_preference=draw(st.sampled_from(["any", "same", "different"])),
            prefer_other_department=draw(st.booleans()),
            capacity=capacity,
        )

    mentors = [draw_person(i, draw(st.integers(0, 3))) for i in range(draw(st.integers(1, 8)))]
    proteges = [draw_person(100 + i, 1) for i in range(draw(st.integers(1, 8)))]
    excluded = draw(st.sets(st.tuples(st.integers(1, 12), st.integers(1, 12)), max_size=4))
    return mentors, proteges, excluded


@settings(max_examples=200, deadline=None)
@given(awkward_programmes())
def test_block_scores_equal_the_explained_scores_for_awkward_inputs(programme):
    mentors, proteges, excluded = programme
    cands = candidate_scores(mentors, proteges, excluded=excluded)
    vectorised = {
        (int(m), int(p)): int(s)
        for m, p, s in zip(cands.mentor_idx, cands.protege_idx, cands.score, strict=True)
    }
    explained = {
        (i, j): scored.score
        for i, mentor in enumerate(mentors)
        for j, protege in enumerate(proteges)
        if (scored := score_pair(mentor, protege, excluded=frozenset(excluded))) is not None
    }
    assert vectorised == explained


# The assignment keeps a few pairs per protégé and proves the rest cannot help.


def lsa_total(mentors, proteges, min_score, excluded=()):
    """scipy's assignment solver over mentor slots, one column per unit of capacity."""
    from scipy.optimize import linear_sum_assignment

    cands = candidate_scores(mentors, proteges, excluded=excluded)
    capacity = np.array([max(m.capacity, 0) for m in mentors])
    first_slot = np.r_[0, np.cumsum(capacity)[:-1]]
    weights = np.zeros((len(proteges), max(int(capacity.sum()), 1)), dtype=np.int64)
    ok = cands.score >= min_score
    for offset in range(int(capacity.max(initial=0))):
        has = ok & (offset < capacity[cands.mentor_idx])
        weights[cands.protege_idx[has], first_slot[cands.mentor_idx[has]] + offset] = cands.score[
            has
        ]
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return int(weights[rows, cols].sum())


def generated(seed, n_proteges, n_mentors, n_topics=12):
    rng = np.random.default_rng(seed)

    def draw(key, n_topics_wanted, capacity):
        return Person(
            key=key,
            user_id=key,
            topic_ids=frozenset(
                int(t) + 1 for t in rng.choice(n_topics, size=n_topics_wanted, replace=False)
            ),
            department_id=int(rng.integers(1, 5)) if rng.random() < 0.9 else None,
            location_id=int(rng.integers(1, 4)) if rng.random() < 0.9 else None,
            manager_user_id=int(rng.integers(0, n_proteges + n_mentors)),
            years_in_role=float(rng.uniform(0, 6)) if rng.random() < 0.9 else None,
            leads_team=bool(rng.random() < 0.4),
            location_preference=str(rng.choice(["any", "same", "different"])),
            prefer_other_department=bool(rng.random() < 0.3),
            capacity=capacity,
        )

    mentors = [draw(i, int(rng.integers(1, 5)), int(rng.integers(0, 5))) for i in range(n_mentors)]
    proteges = [draw(n_mentors + i, int(rng.integers(1, 4)), 1) for i in range(n_proteges)]
    return mentors, proteges


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n_proteges=st.integers(20, 400),
    n_mentors=st.integers(1, 80),
    min_score=st.sampled_from([0, 20, 50]),
    keep=st.sampled_from([1, 2, 8]),
)
def test_few_kept_pairs_give_the_optimum_over_all_pairs(
    seed, n_proteges, n_mentors, min_score, keep
):
    mentors, proteges = generated(seed, n_proteges, n_mentors)
    excluded = {(m.user_id, p.user_id) for m, p in zip(mentors[::3], proteges[::5], strict=False)}
    result = assign(mentors, proteges, min_score=min_score, excluded=excluded, keep=keep)
    assert result.total == lsa_total(mentors, proteges, min_score, excluded)
    load = {}
    for m_key, _, _ in result.pairs:
        load[m_key] = load.get(m_key, 0) + 1
    assert all(load[m.key] <= m.capacity for m in mentors if m.key in load)
    assert len({p for _, p, _ in result.pairs}) == len(result.pairs)
    by_key_m = {m.key: m for m in mentors}
    by_key_p = {p.key: p for p in proteges}
    for m_key, p_key, score in result.pairs:
        scored = score_pair(by_key_m[m_key], by_key_p[p_key], excluded=frozenset(excluded))
        assert scored is not None
        assert scored.score == score >= min_score


# Edges found by holding the engine against a reference.


def test_a_protege_whose_pairs_all_score_below_zero_is_told_they_are_below_the_minimum():
    mentor = person(1, topics=(1,), years_in_role=1.0)
    protege = person(10, topics=range(1, 8), years_in_role=4.0)  # 1 of 7 topics, newer mentor
    assert score_pair(mentor, protege).score == -1
    assert candidate_scores([mentor], [protege]).best[0] == -1
    assert assign([mentor], [protege], min_score=0).unmatched == {10: BELOW_MINIMUM}
    assert assign([mentor], [person(11, topics=(9,))]).unmatched == {11: NO_MENTOR_IN_TOPICS}


def test_a_pair_scoring_exactly_the_minimum_of_zero_is_matched():
    mentor = person(1, topics=(1,), years_in_role=1.0)
    protege = person(10, topics=range(1, 7), years_in_role=4.0)  # 1 of 6 topics, newer mentor
    assert score_pair(mentor, protege).score == 0
    result = assign([mentor], [protege], min_score=0)
    assert result.pairs == [(1, 10, 0)]
    assert result.unmatched == {}


def test_of_two_assignments_with_the_same_total_the_one_matching_more_wins():
    mentor = person(1, topics=(1,), years_in_role=1.0, capacity=2)
    zero = person(10, topics=range(1, 7), years_in_role=4.0)
    sixty = person(11, topics=(1,))
    result = assign([mentor], [zero, sixty], min_score=0)
    assert sorted(result.pairs) == [(1, 10, 0), (1, 11, 60)]


def test_locks_beyond_capacity_are_refused_and_their_protege_is_matched_like_anyone():
    full = person(1, topics=(1,), capacity=1)
    closed = person(2, topics=(1,), capacity=0)
    spare = person(3, topics=(1,), capacity=1)
    proteges = [person(10), person(11), person(12)]
    result = assign([full, closed, spare], proteges, locked=[(1, 10), (1, 11), (2, 12)])
    assert result.refused == {(1, 11): LOCK_NO_ROOM, (2, 12): LOCK_NO_ROOM}
    assert (1, 10, 60) in result.pairs
    assert (3, 11, 60) in result.pairs or (3, 12, 60) in result.pairs
    load = [m for m, _, _ in result.pairs]
    assert load.count(1) == 1
    assert load.count(2) == 0


def test_a_protege_locked_twice_or_a_lock_repeated_is_kept_once():
    mentors = [person(1, capacity=2), person(2, capacity=2)]
    result = assign(mentors, [person(10), person(11)], locked=[(1, 10), (1, 10), (2, 10)])
    assert result.refused == {(1, 10): LOCK_REPEATED, (2, 10): LOCK_PROTEGE_TWICE}
    assert [p for _, p, _ in result.pairs].count(10) == 1
    assert (1, 10, 60) in result.pairs


def test_locks_with_ones_manager_a_pair_matched_before_or_an_unknown_key_are_refused():
    boss = person(1, user=50)
    report = person(10, user=60, manager_user_id=50)
    earlier = person(2, user=51)
    mentee = person(11, user=61)
    result = assign(
        [boss, earlier],
        [report, mentee],
        excluded={(51, 61)},
        locked=[(1, 10), (2, 11), (99, 11), (2, 98)],
    )
    assert result.refused == {
        (1, 10): "A person cannot be matched with their own manager",
        (2, 11): "These two were paired before",
        (99, 11): LOCK_UNKNOWN,
        (2, 98): LOCK_UNKNOWN,
    }
    assert sorted(result.pairs) == [(1, 11, 60), (2, 10, 60)]


def test_a_lock_on_a_pair_sharing_no_topic_is_kept_as_the_coordinator_chose():
    result = assign([person(1, topics=(1,))], [person(10, topics=(2,))], locked=[(1, 10)])
    assert result.pairs == [(1, 10, 0)]
    assert result.refused == {}


def test_duplicate_keys_are_refused():
    with pytest.raises(ValueError, match="more than once"):
        assign([person(1), person(1)], [person(10)])
    with pytest.raises(ValueError, match="more than once"):
        assign([person(1)], [person(1, user=7)])


def test_user_ids_beyond_two_to_the_31_never_collide():
    big = 2**31
    mentor = person(1, user=2)
    protege = person(10, user=5)
    # Coded as mentor * 2**31 + protégé, (1, 2**31 + 5) and (2, 5) were one pair.
    result = assign([mentor], [protege], excluded={(1, big + 5)})
    assert result.pairs == [(1, 10, 60)]
    huge = assign([person(1, user=big + 1)], [person(10, user=3 * big)], excluded={(big, 3 * big)})
    assert huge.pairs == [(1, 10, 60)]
    assert assign(
        [person(1, user=big + 1)], [person(10, user=3 * big)], excluded={(big + 1, 3 * big)}
    ).unmatched == {10: NO_MENTOR_IN_TOPICS}


def reference_locks(mentors, proteges, locked, excluded):
    """The locks that may be kept, by the rules stated plainly."""
    by_m = {m.key: m for m in mentors}
    by_p = {p.key: p for p in proteges}
    kept, taken, used = [], set(), {}
    for m_key, p_key in locked:
        mentor, protege = by_m.get(m_key), by_p.get(p_key)
        if mentor is None or protege is None or p_key in taken:
            continue
        if mentor.user_id == protege.user_id or (mentor.user_id, protege.user_id) in excluded:
            continue
        if protege.manager_user_id == mentor.user_id or mentor.manager_user_id == protege.user_id:
            continue
        if used.get(m_key, 0) >= mentor.capacity:
            continue
        kept.append((m_key, p_key))
        taken.add(p_key)
        used[m_key] = used.get(m_key, 0) + 1
    return kept


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n_mentors=st.integers(1, 20),
    n_proteges=st.integers(1, 60),
    min_score=st.sampled_from([0, 20, 50]),
    n_locks=st.integers(0, 12),
    keep=st.sampled_from([1, 8]),
)
def test_locks_and_exclusions_against_an_exact_reference(
    seed, n_mentors, n_proteges, min_score, n_locks, keep
):
    mentors, proteges = generated(seed, n_proteges, n_mentors, n_topics=6)
    rng = np.random.default_rng(seed + 1)
    users = [p.user_id for p in mentors + proteges]
    excluded = {
        (int(rng.choice(users)), int(rng.choice(users))) for _ in range(int(rng.integers(0, 30)))
    }
    locked = [
        (int(rng.integers(0, n_mentors + 2)), int(rng.integers(n_mentors, n_mentors + n_proteges)))
        for _ in range(n_locks)
    ]
    result = assign(mentors, proteges, min_score=min_score, excluded=excluded, locked=locked)
    kept = reference_locks(mentors, proteges, locked, excluded)
    assert set(result.refused) == set(locked) - set(kept) or all(
        pair in kept for pair in set(locked) - set(result.refused)
    )
    assert {(m, p) for m, p, _ in result.pairs} >= set(kept)
    # Reference: the kept locks' scores, plus scipy's optimum over the rest.
    by_m = {m.key: m for m in mentors}
    by_p = {p.key: p for p in proteges}
    locked_total = 0
    for m_key, p_key in kept:
        scored = score_pair(by_m[m_key], by_p[p_key], excluded=frozenset(excluded))
        locked_total += scored.score if scored else 0
    used = {}
    for m_key, _ in kept:
        used[m_key] = used.get(m_key, 0) + 1
    rest_m = [replace(m, capacity=max(m.capacity - used.get(m.key, 0), 0)) for m in mentors]
    rest_p = [p for p in proteges if p.key not in {k for _, k in kept}]
    expected = locked_total + lsa_total(rest_m, rest_p, min_score, excluded)
    assert result.total == expected
    assert (
        assign(
            mentors, proteges, min_score=min_score, excluded=excluded, locked=locked, keep=keep
        ).total
        == expected
    )
    load = {}
    for m_key, _, _ in result.pairs:
        load[m_key] = load.get(m_key, 0) + 1
    assert all(n <= by_m[m].capacity for m, n in load.items())
    matched = [p for _, p, _ in result.pairs]
    assert len(matched) == len(set(matched))
    assert set(matched) | set(result.unmatched) == set(by_p)
