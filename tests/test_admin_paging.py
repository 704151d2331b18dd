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
from tests.factories import DepartmentFactory, UserFactory

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


# --- short pages: rows, filter choices, inlines ------------------------------------------------


def _profile_list(admin_client, query: str = ""):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:people_profile_changelist") + query)
    assert response.status_code == 200
    return response, len(queries.captured_queries)


def test_a_changelist_runs_the_same_queries_for_a_few_rows_and_for_more_than_a_page(
    admin_client,
):
    department = DepartmentFactory(name="Data")
    UserFactory.create_batch(3, profile__department=department)
    few, few_queries = _profile_list(admin_client)
    UserFactory.create_batch(
        admin_paging.LIST_PER_PAGE + 10, profile__department=DepartmentFactory()
    )
    many, many_queries = _profile_list(admin_client)
    assert many_queries == few_queries
    assert len(many.context["cl"].result_list) == admin_paging.LIST_PER_PAGE
    assert many.context["cl"].show_full_result_count is False
    assert many.context["cl"].add_facets is False


def _department_filter(response):
    spec = next(s for s in response.context["cl"].filter_specs if s.title == "department")
    # Without "All" and the empty choice.
    choices = list(spec.choices(response.context["cl"]))[1:]
    return spec, [c for c in choices if c["display"] != spec.empty_value_display]


def test_a_relation_filter_lists_every_choice_while_there_are_few(admin_client):
    departments = DepartmentFactory.create_batch(3)
    response, _ = _profile_list(admin_client)
    spec, choices = _department_filter(response)
    assert [c["display"] for c in choices] == sorted(d.name for d in departments)
    assert not spec.has_more
    assert 'class="few-choices-picker"' not in response.content.decode()


def test_a_relation_filter_offers_at_most_its_limit_and_a_picker_for_the_others(admin_client):
    departments = [
        DepartmentFactory(name=f"Department {i:03}")
        for i in range(admin_paging.FILTER_CHOICES + 15)
    ]
    _, few_queries = _profile_list(admin_client)
    last = departments[-1]
    response, queries = _profile_list(admin_client, f"?department__id__exact={last.pk}&q=a")
    spec, choices = _department_filter(response)
    assert spec.has_more
    # The first ones in the admin's order, and the chosen one although it is not among them.
    assert len(choices) == admin_paging.FILTER_CHOICES + 1
    assert [c["display"] for c in choices if c["selected"]] == [last.name]
    page = response.content.decode()
    assert 'class="few-choices-picker"' in page
    assert f'href="{reverse("admin:people_department_changelist")}?_to_field=id"' in page
    # The picker keeps the list's search; it replaces its own choice.
    assert '<input type="hidden" name="q" value="a">' in page
    assert page.count('type="hidden" name="department__id__exact"') == 1  # the search form's
    # One more query for the chosen row than an unfiltered list, not one per department.
    assert queries <= few_queries + 2


def test_a_relation_filter_ignores_a_malformed_choice(admin_client):
    DepartmentFactory.create_batch(admin_paging.FILTER_CHOICES + 2)
    response = admin_client.get(
        reverse("admin:people_profile_changelist") + "?department__id__exact=abc"
    )
    assert response.status_code in (200, 302)  # the admin's own answer to a bad lookup


def _topic_form(admin_client, topic):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:people_topic_change", args=[topic.pk]))
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_a_change_form_edits_a_few_children_inline(admin_client):
    parent = Topic.objects.create(name="Data", slug="data")
    for i in range(3):
        Topic.objects.create(name=f"Data {i}", slug=f"data-{i}", parent=parent)
    page, _ = _topic_form(admin_client, parent)
    assert 'name="children-0-name"' in page
    assert "in their own list" not in page


def test_a_change_form_links_to_many_children_instead_of_inlining_them(admin_client):
    parent = Topic.objects.create(name="Data", slug="data")
    Topic.objects.bulk_create(
        Topic(name=f"Data {i}", slug=f"data-{i}", parent=parent)
        for i in range(admin_paging.INLINE_ROWS + 1)
    )
    page, queries = _topic_form(admin_client, parent)
    url = reverse("admin:people_topic_changelist") + f"?parent__id__exact={parent.pk}"
    assert f'<a href="{url}">All {admin_paging.INLINE_ROWS + 1}, in their own list</a>' in page
    assert 'name="children-0-name"' not in page
    # The form still posts its (empty) management form, so saving the topic works.
    assert 'name="children-TOTAL_FORMS" value="0"' in page
    Topic.objects.bulk_create(
        Topic(name=f"More {i}", slug=f"more-{i}", parent=parent) for i in range(100)
    )
    _, more_queries = _topic_form(admin_client, parent)
    assert more_queries == queries


def test_saving_an_object_whose_children_are_linked_keeps_them(admin_client):
    parent = Topic.objects.create(name="Data", slug="data")
    Topic.objects.bulk_create(
        Topic(name=f"Data {i}", slug=f"data-{i}", parent=parent)
        for i in range(admin_paging.INLINE_ROWS + 1)
    )
    response = admin_client.post(
        reverse("admin:people_topic_change", args=[parent.pk]),
        {
            "name": "Data and analytics",
            "slug": "data",
            "description": "",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
            "children-MIN_NUM_FORMS": "0",
            "children-MAX_NUM_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    parent.refresh_from_db()
    assert parent.name == "Data and analytics"
    assert parent.children.count() == admin_paging.INLINE_ROWS + 1


def _form_selects(model_admin, model):
    """Names of the relations `model_admin`'s form would render as a <select> of every row."""
    picked = {*model_admin.raw_id_fields, *model_admin.autocomplete_fields}
    hidden = {*(model_admin.readonly_fields or ()), *(model_admin.exclude or ())}
    shown = None
    if model_admin.fields:
        shown = set()
        for entry in model_admin.fields:
            shown |= set(entry) if isinstance(entry, (list, tuple)) else {entry}
    for field in model._meta.get_fields():
        if field.auto_created or not (field.many_to_one or field.many_to_many):
            continue
        if not field.editable or field.name in picked | hidden:
            continue
        if shown is not None and field.name not in shown:
            continue
        if field.many_to_many and not field.remote_field.through._meta.auto_created:
            continue  # a relation through its own model has no form field
        yield field


def test_no_admin_form_lists_every_row_of_a_table_that_grows_with_the_organisation():
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    from challenges.models import Challenge, Step
    from communities.models import Community, Membership, Reply, Thread
    from expertqa.models import Question, Session
    from mentoring.models import Enrolment, Match

    growing = {
        get_user_model(),
        Challenge,
        Community,
        Enrolment,
        Match,
        Membership,
        Question,
        Reply,
        Session,
        Step,
        Thread,
    }
    selects = []
    for model, model_admin in admin.site._registry.items():
        admins = [(model_admin, model)]
        admins += [(inline, inline.model) for inline in model_admin.get_inline_instances(None)]
        for each, each_model in admins:
            selects += [
                f"{each_model._meta.label}.{field.name}"
                for field in _form_selects(each, each_model)
                if field.related_model in growing
            ]
    assert selects == []
