"""Admin changelists of big tables page without counting the whole table: an unfiltered list
takes its count from PostgreSQL's estimate, a filtered one (or a small table) is counted."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socialearn import admin_paging
from socialearn.insights.models import Activity
from socialearn.people.models import Topic

pytestmark = pytest.mark.django_db

ROWS = 60


@pytest.fixture
def big_record(monkeypatch):
    """ROWS activity rows, analysed, in a table counted as big (the threshold lowered)."""
    monkeypatch.setattr(admin_paging, "EXACT_BELOW", 50)
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(
            verb=Activity.Verb.POSTED if i % 3 else Activity.Verb.REPLIED,
            occurred_at=now - timedelta(hours=i),
        )
        for i in range(ROWS)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Activity._meta.db_table}")


def _counts(queries, table: str) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].upper().startswith("SELECT COUNT(") and f'"{table}"' in q["sql"]
    ]


def test_an_unfiltered_big_list_shows_the_estimate_without_counting(admin_client, big_record):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:insights_activity_changelist"))
    assert response.status_code == 200
    assert _counts(queries, Activity._meta.db_table) == []
    # After an ANALYZE the estimate is close, not exact: rows other tests wrote and rolled
    # back still take room in the table's pages, which the estimate scales by.
    shown = response.context["cl"].result_count
    assert abs(shown - ROWS) <= ROWS // 10
    assert f"{shown} activities" in response.content.decode()


def test_a_filtered_big_list_is_counted_exactly(admin_client, big_record):
    url = reverse("admin:insights_activity_changelist") + "?verb__exact=replied"
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(_counts(queries, Activity._meta.db_table)) == 1
    assert response.context["cl"].result_count == ROWS // 3


def test_a_table_never_analysed_or_small_is_counted_exactly(admin_client):
    Topic.objects.create(name="Kubernetes", slug="kubernetes")
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:people_topic_changelist"))
    assert response.status_code == 200
    assert len(_counts(queries, Topic._meta.db_table)) == 1
    assert response.context["cl"].result_count == Topic.objects.count()


def test_only_a_whole_table_is_estimated(big_record):
    estimate = admin_paging.table_row_estimate(Activity)
    assert abs(estimate - ROWS) <= ROWS // 10  # close: see above
    assert admin_paging.is_unfiltered(Activity.objects.all())
    assert not admin_paging.is_unfiltered(Activity.objects.filter(verb="posted"))
    assert not admin_paging.is_unfiltered(Activity.objects.all()[:10])


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def test_the_thread_list_reads_its_default_order_from_an_index(admin_client):
    """20,000 threads: the admin's first page is an index range, not a sort of every thread."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO communities_community (name, slug, kind, purpose, rules, visibility, "
            "anonymity, status, created_at) VALUES ('Seeded', 'seeded', 'practice', '', '', "
            "'public', 'off', 'active', now())"
        )
        cursor.execute(
            "INSERT INTO communities_thread (community_id, kind, title, body, body_html, url, "
            "is_anonymous, status, is_locked, is_pinned, is_system, posted_late, created_at, "
            "last_activity_at, reply_count, reaction_count, help_departments, help_reached, "
            "hold_reason) "
            "SELECT c.id, 'discussion', 'Thread ' || g, '', '', '', false, 'published', false, "
            "g % 500 = 0, false, false, now(), now() - g * interval '1 minute', 0, 0, 0, 0, '' "
            "FROM communities_community c CROSS JOIN generate_series(1, 20000) g "
            "WHERE c.slug = 'seeded'"
        )
        cursor.execute("ANALYZE communities_thread")
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(reverse("admin:communities_thread_changelist"))
    assert response.status_code == 200
    listing = [q["sql"] for q in captured.captured_queries if "ORDER BY" in q["sql"]]
    listing = [sql for sql in listing if 'FROM "communities_thread"' in sql]
    assert listing
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + listing[0])
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes = list(_plan_nodes(plan[0]["Plan"]))
    assert "thread_default_order" in {n.get("Index Name") for n in nodes}
    assert not [
        n
        for n in nodes
        if n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "communities_thread"
    ]
