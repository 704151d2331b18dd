"""Prepared statements: a page's queries are planned once per connection, with the constants
the code names written in (so partial indexes still serve them) and searches planned with
their words every time."""

import pytest
from django.conf import settings
from django.db import connection

from communities.models import Thread
from socialearn.people import search
from socialearn.prepared import inline_choices, planned_each_time
from tests.communities.conftest import make_community
from tests.factories import UserFactory

RUNS = 12  # past psycopg's threshold and PostgreSQL's five custom plans


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_values_of_choices_are_written_in_and_the_rest_bound():
    query, params = inline_choices(
        'SELECT 1 WHERE "status" IN (%s, %s) AND "title" = %s AND "body" LIKE %s',
        [Thread.Status.HELD, Thread.Status.PENDING, "held", "50%%"],
    )

    assert query == (
        'SELECT 1 WHERE "status" IN (\'held\', \'pending\') AND "title" = %s AND "body" LIKE %s'
    )
    assert params == ["held", "50%%"]


def test_a_query_with_a_literal_percent_keeps_its_placeholders_in_step():
    query, params = inline_choices(
        "SELECT '100%%', %s, %s", [Thread.Status.PUBLISHED, "Robert'); DROP TABLE x;--"]
    )

    assert query == "SELECT '100%%', 'published', %s"
    assert params == ["Robert'); DROP TABLE x;--"]


def test_a_query_without_choices_or_with_named_placeholders_is_left_as_it_is():
    assert inline_choices("SELECT %s", [1]) == ("SELECT %s", [1])
    named = ("SELECT %(a)s, %s", [Thread.Status.HELD, 2])
    assert inline_choices(*named) == named


def test_statements_are_prepared_with_values_bound_on_the_server():
    options = settings.DATABASES["default"]["OPTIONS"]

    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] >= 1


@pytest.mark.django_db
def test_a_repeated_query_is_prepared_with_its_choices_as_literals():
    community = make_community(UserFactory())

    for _ in range(RUNS):
        list(Thread.objects.filter(community=community, status__in=[Thread.Status.HELD]))

    statements = [s for s in _prepared_statements() if "communities_thread" in s]
    assert any("IN ('held')" in s and 'community_id" = $1' in s for s in statements), statements


@pytest.mark.django_db
def test_a_search_is_planned_with_its_words_every_time():
    reader = UserFactory()
    make_community(UserFactory(), members=[reader])

    for _ in range(RUNS):
        search.search(reader, "kube")

    assert not [s for s in _prepared_statements() if "ts_rank" in s or "to_tsquery" in s]


@pytest.mark.django_db
def test_queries_outside_planned_each_time_are_prepared():
    community = make_community(UserFactory())
    with planned_each_time():
        for _ in range(RUNS):
            list(Thread.objects.filter(community=community, title="x"))
    assert not [s for s in _prepared_statements() if '"title" = $' in s]

    for _ in range(RUNS):
        list(Thread.objects.filter(community=community, title="x"))
    assert [s for s in _prepared_statements() if '"title" = $' in s]
