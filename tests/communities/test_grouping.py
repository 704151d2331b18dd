"""The cohort split: every participant exactly once, sizes near the target, shared interests."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from communities.grouping import affinity, group_sizes, split_into_groups

rosters = st.dictionaries(
    keys=st.integers(min_value=1, max_value=10_000),
    values=st.frozensets(st.integers(min_value=1, max_value=12), max_size=4),
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(participants=rosters, target=st.integers(min_value=1, max_value=40))
def test_every_participant_is_in_exactly_one_group(participants, target):
    groups = split_into_groups(participants, target)
    placed = [person for group in groups for person in group.members]
    assert sorted(placed) == sorted(participants)


@settings(max_examples=150, deadline=None)
@given(n=st.integers(min_value=1, max_value=400), target=st.integers(min_value=1, max_value=60))
def test_sizes_are_an_even_split_as_near_the_target_as_any_number_of_groups_allows(n, target):
    participants = {i: {i % 7} for i in range(n)}
    groups = split_into_groups(participants, target)
    best = min(max(abs(-(-n // j) - target), abs(n // j - target)) for j in range(1, n + 1))
    assert max(abs(len(g.members) - target) for g in groups) == best
    k = len(groups)
    sizes = [len(g.members) for g in groups]
    assert set(sizes) <= {n // k, -(-n // k)}
    assert max(sizes) - min(sizes) <= 1
    assert sum(sizes) == n


@settings(max_examples=100, deadline=None)
@given(k=st.integers(min_value=1, max_value=8), target=st.integers(min_value=2, max_value=30))
def test_sizes_are_within_one_of_the_target_when_the_roster_is_close_to_k_groups(k, target):
    n = k * target + random.Random(k * target).randint(-k, k)  # noqa: S311
    sizes = group_sizes(n, target)
    assert all(abs(size - target) <= 1 for size in sizes)


def test_a_roster_between_two_multiples_splits_rather_than_overfilling_one_group():
    assert group_sizes(25, 17) == [13, 12]
    assert group_sizes(34, 17) == [17, 17]
    assert group_sizes(40, 17) == [20, 20]


def test_empty_roster_gives_no_groups():
    assert split_into_groups({}, 17) == []


def test_a_small_roster_is_one_group():
    groups = split_into_groups({"a": {"x"}, "b": set(), "c": {"y"}}, 17)
    assert [sorted(g.members) for g in groups] == [["a", "b", "c"]]


def test_people_sharing_an_interest_land_together():
    rng = random.Random(3)
    participants = {}
    for i in range(17):
        participants[f"data{i}"] = {"data"}
    for i in range(17):
        participants[f"lead{i}"] = {"leadership"}
    shuffled = list(participants.items())
    rng.shuffle(shuffled)
    groups = split_into_groups(shuffled, 17)
    assert sorted(g.main_topic for g in groups) == ["data", "leadership"]
    for group in groups:
        assert all(person.startswith(group.main_topic[:4]) for person in group.members)


def test_balancing_never_does_worse_than_plain_chunking_in_roster_order():
    rng = random.Random(11)
    topics = ["python", "sql", "coaching", "design", "finance", "safety"]
    participants = {i: set(rng.sample(topics, rng.randint(0, 3))) for i in range(90)}
    groups = split_into_groups(participants, 15)
    sizes = [len(g.members) for g in groups]
    naive, start = [], 0
    order = list(participants)
    for size in sizes:
        naive.append(order[start : start + size])
        start += size
    ours = affinity([g.members for g in groups], participants)
    assert ours > affinity(naive, participants)


def test_main_topic_is_the_one_most_members_share():
    groups = split_into_groups({1: {"a", "b"}, 2: {"b"}, 3: {"b", "c"}}, 17)
    assert groups[0].main_topic == "b"
    assert groups[0].main_topic_count == 3


def test_a_participant_listed_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        split_into_groups([(1, {"a"}), (1, {"b"})], 17)
