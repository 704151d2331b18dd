"""Split a course roster into groups of people who share interests. No Django in here.

What it optimises: the number of (pair of people, topic) incidences inside groups, that is
for every group and every topic, how many pairs of its members both list that topic
(sum over groups and topics of C(count, 2)). Sizes are fixed first, so the objective never
trades size for affinity:

1. The number of groups k is floor(n / target) or ceil(n / target), whichever keeps every
   group nearest the target (25 people with a target of 17 make two groups of 13 and 12,
   not one of 25); the n % k first groups get ceil(n / k) people, the others floor(n / k).
   Sizes therefore differ by at most one, and when n allows it every size is within one of
   the target.
2. Seeding: everyone is sorted by their topic signature (their topics, most common in the
   roster first) and the sorted list is cut into the groups, so people with the same
   dominant topic sit next to each other and mostly land together.
3. Balancing: pairwise swaps between groups that raise the objective are applied until
   none is left (or a few passes have run). A swap keeps every size as it is.

The result is deterministic for a given input (ties are broken by the participants' order
and by the topic keys), which keeps uploads reproducible and tests stable.
"""

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

MAX_PASSES = 6


@dataclass
class Group:
    members: list[Hashable] = field(default_factory=list)
    # The topic most members share (None when nobody in the group lists a topic).
    main_topic: Hashable | None = None
    # How many members list the main topic.
    main_topic_count: int = 0


def _deviation(n: int, k: int, target: int) -> int:
    base, extra = divmod(n, k)
    largest = base + (1 if extra else 0)
    return max(abs(largest - target), abs(base - target))


def group_count(n: int, target: int) -> int:
    """How many groups: floor or ceil of n / target, whichever keeps sizes nearest the target."""
    candidates = {max(1, n // target), max(1, -(-n // target))}
    return min(sorted(candidates), key=lambda k: (_deviation(n, k, target), k))


def group_sizes(n: int, target: int) -> list[int]:
    """Sizes of an even split of n people whose sizes stay nearest the target, largest first."""
    if n <= 0:
        return []
    if target < 1:
        raise ValueError("The target group size must be at least 1.")
    k = group_count(n, target)
    base, extra = divmod(n, k)
    return [base + 1] * extra + [base] * (k - extra)


def _sort_key(value: Hashable) -> tuple[str, str]:
    # Topic keys may be ints or strings; order them without comparing across types.
    return (type(value).__name__, str(value).zfill(20) if isinstance(value, int) else str(value))


def _main_topic(members: Iterable[Hashable], topics: Mapping) -> tuple[Hashable | None, int]:
    counts: Counter = Counter()
    for person in members:
        counts.update(topics[person])
    if not counts:
        return None, 0
    topic = min(counts, key=lambda t: (-counts[t], _sort_key(t)))
    return topic, counts[topic]


def split_into_groups(
    participants: Mapping[Hashable, Iterable[Hashable]] | Sequence[tuple[Hashable, Iterable]],
    target: int = 17,
) -> list[Group]:
    """Split participants ({person: topics} or [(person, topics)]) into groups near `target`.

    Every participant is in exactly one group; group sizes are given by group_sizes().
    """
    items = list(participants.items()) if isinstance(participants, Mapping) else participants
    order: list[Hashable] = []
    topics: dict[Hashable, frozenset] = {}
    for person, person_topics in items:
        if person in topics:
            raise ValueError(f"{person!r} is listed twice.")
        order.append(person)
        topics[person] = frozenset(person_topics)
    sizes = group_sizes(len(order), target)
    if not sizes:
        return []

    popularity: Counter = Counter()
    for person in order:
        popularity.update(topics[person])

    def signature(person: Hashable) -> tuple:
        ranked = sorted(topics[person], key=lambda t: (-popularity[t], _sort_key(t)))
        # People without topics go last; they fill whatever room is left.
        return (
            0 if ranked else 1,
            tuple((-popularity[t], _sort_key(t)) for t in ranked),
        )

    position = {person: i for i, person in enumerate(order)}
    seeded = sorted(order, key=lambda p: (signature(p), position[p]))
    assignment: list[list[Hashable]] = []
    start = 0
    for size in sizes:
        assignment.append(seeded[start : start + size])
        start += size

    _balance(assignment, topics)

    groups = []
    for members in assignment:
        members.sort(key=position.__getitem__)
        main, count = _main_topic(members, topics)
        groups.append(Group(members=members, main_topic=main, main_topic_count=count))
    return groups


def affinity(groups: Iterable[Iterable[Hashable]], topics: Mapping) -> int:
    """The objective: pairs of members sharing a topic, counted once per shared topic."""
    total = 0
    for members in groups:
        counts: Counter = Counter()
        for person in members:
            counts.update(topics[person])
        total += sum(c * (c - 1) // 2 for c in counts.values())
    return total


def _balance(assignment: list[list[Hashable]], topics: Mapping) -> None:
    """Swap people between groups while a swap raises the objective (sizes never change)."""
    if len(assignment) < 2:
        return
    counts: list[Counter] = [Counter() for _ in assignment]
    where: dict[Hashable, int] = {}
    for g, members in enumerate(assignment):
        for person in members:
            counts[g].update(topics[person])
            where[person] = g

    def pull(person: Hashable, g: int) -> int:
        """How many topic-sharing pairs `person` forms with the members of group g."""
        own = where[person] == g
        return sum(counts[g][t] - (1 if own else 0) for t in topics[person])

    people = [p for members in assignment for p in members if topics[p]]
    for _ in range(MAX_PASSES):
        improved = False
        for p in people:
            a = where[p]
            stay_p = pull(p, a)
            best: tuple[int, Hashable | None] = (0, None)
            for b, members in enumerate(assignment):
                if b == a:
                    continue
                gain_p = pull(p, b) - stay_p
                # A swap gains only if one side gains; looking from p's side is enough,
                # since every person with topics gets their turn as p.
                if gain_p <= 0:
                    continue
                for q in members:
                    shared = len(topics[p] & topics[q])
                    gain_q = pull(q, a) - pull(q, b)
                    delta = gain_p + gain_q - 2 * shared
                    if delta > best[0]:
                        best = (delta, q)
            q = best[1]
            if q is None:
                continue
            b = where[q]
            assignment[a][assignment[a].index(p)] = q
            assignment[b][assignment[b].index(q)] = p
            counts[a].subtract(topics[p])
            counts[a].update(topics[q])
            counts[b].subtract(topics[q])
            counts[b].update(topics[p])
            where[p], where[q] = b, a
            improved = True
        if not improved:
            break
