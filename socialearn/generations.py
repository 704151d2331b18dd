"""Generations: the name of the current state of something that pages keep a copy of.

A page that keeps figures in the cache names them with the generation of what they are
computed from (a challenge's scoreboard, the mentoring scoreboard); the services that change
that source bump the generation, so the next reader computes the figures afresh and the old
copy is never read again (it expires on its own).

A generation is an opaque token rather than a counter: should Redis evict or lose one, the
next reader starts a new token instead of counting again from a number an old copy may
already be kept under.
"""

from uuid import uuid4

from django.core.cache import cache
from django.db import transaction


def _key(name: str, object_id: int | None) -> str:
    return f"generation:{name}" if object_id is None else f"generation:{name}:{object_id}"


def get(name: str, object_id: int | None = None) -> str:
    """The current generation of `name` (of one object of that kind when `object_id` is given)."""
    key = _key(name, object_id)
    found = cache.get(key)
    if found is None:
        cache.add(key, uuid4().hex, None)
        found = cache.get(key)
    # Without a cache at all, every read is its own generation: nothing is kept.
    return found or uuid4().hex


def bump(name: str, object_id: int | None = None) -> None:
    """Start a new generation now (the rest of this transaction reads its own changes) and
    again once the caller's transaction commits: a reader in between still saw the old state in
    the database, and whatever it kept is named with a generation nobody reads after that."""
    key = _key(name, object_id)
    cache.set(key, uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(key, uuid4().hex, None))
