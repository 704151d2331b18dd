"""The large organisation's shape: what the bench seed promises at 100,000 people."""

import random

from communities.bulk_demo import EVERYONE_SLUG, SUBJECTS, _plan


def test_the_large_organisation_has_one_community_everyone_is_in_and_a_long_tail():
    plan = _plan(random.Random(12), 100_000)
    _, slug, _, members, _, _ = plan[0]
    assert slug == EVERYONE_SLUG
    assert members == 100_000
    sizes = [p[3] for p in plan]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] < 1_000
    assert sum(p[4] for p in plan) >= 50_000
    assert sum(p[5] for p in plan) >= 500_000


def test_each_community_talks_about_its_own_subject():
    plan = _plan(random.Random(12), 100_000)
    assert len({p[2] for p in plan}) == len(SUBJECTS)
    assert len({p[0] for p in plan}) == len(plan)
