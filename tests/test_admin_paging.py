"""Admin changelists of big tables page without counting the whole table: an unfiltered list
takes its count from PostgreSQL's estimate, a filtered one (or a small table) is counted."""

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
    # After an ANALYZE of a small table the estimate is exact.
    assert response.context["cl"].result_count == ROWS
    assert f"{ROWS} activities" in response.content.decode()


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
    assert estimate == ROWS
    assert admin_paging.is_unfiltered(Activity.objects.all())
    assert not admin_paging.is_unfiltered(Activity.objects.filter(verb="posted"))
    assert not admin_paging.is_unfiltered(Activity.objects.all()[:10])
