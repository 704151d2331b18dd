"""A generation names the current state of something kept in the cache; a change starts a new
one, for the transaction that made it and again once it commits."""

import pytest
from django.core.cache import cache

from socialearn import generations

pytestmark = pytest.mark.django_db


def test_a_generation_stays_the_same_until_it_is_bumped():
    first = generations.get("board", 1)
    assert generations.get("board", 1) == first
    generations.bump("board", 1)
    assert generations.get("board", 1) != first


def test_each_object_and_each_kind_has_its_own_generation():
    one, two = generations.get("board", 1), generations.get("board", 2)
    whole = generations.get("board")
    generations.bump("board", 1)
    assert generations.get("board", 2) == two
    assert generations.get("board") == whole
    assert generations.get("board", 1) != one


def test_a_reader_during_the_transaction_keeps_under_a_generation_dropped_at_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        generations.bump("board", 1)
        read_before_commit = generations.get("board", 1)
    assert generations.get("board", 1) != read_before_commit


def test_a_lost_generation_starts_a_new_one_rather_than_an_old_one():
    first = generations.get("board", 1)
    cache.delete("generation:board:1")
    assert generations.get("board", 1) != first
