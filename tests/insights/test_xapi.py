import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from socialearn.insights import services, xapi
from socialearn.insights.models import Activity, XapiStatement
from socialearn.insights.services import activity_record, xapi_outbox_send
from socialearn.insights.tasks import send_xapi_outbox
from socialearn.outbox.models import Message

from .conftest import person
from .fake_lrs import FakeLRS

SITE = "https://learn.example.com"


@pytest.fixture
def lrs():
    server = FakeLRS().start()
    yield server
    server.stop()


@pytest.fixture
def configured(settings, lrs):
    settings.XAPI_ENDPOINT = lrs.endpoint
    settings.XAPI_USERNAME = lrs.username
    settings.XAPI_PASSWORD = lrs.password
    settings.SITE_URL = SITE
    return lrs


def record_some(n: int, actor=None) -> list[Activity]:
    actor = actor or person("ann")
    return [
        activity_record(
            verb="replied", actor=actor, community_id=1, thread_id=100 + i, is_question=i % 2 == 0
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_a_question_becomes_an_asked_statement_with_stable_iris(configured):
    ann = person("ann")
    activity = activity_record(
        verb="posted",
        actor=ann,
        community_id=3,
        thread_id=42,
        is_question=True,
        extra={"title": "How do I start?"},
    )
    row = XapiStatement.objects.get(payload__activity_id=activity.pk)
    statement = row.statement
    assert statement["id"] == str(row.statement_id)
    assert uuid.UUID(statement["id"]).version == 4
    assert statement["actor"]["mbox"] == f"mailto:{ann.email}"
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/asked"
    assert statement["object"]["id"] == f"{SITE}/xapi/thread/42"
    assert statement["object"]["definition"]["name"] == {"en-GB": "How do I start?"}
    grouping = statement["context"]["contextActivities"]["grouping"]
    assert grouping == [{"objectType": "Activity", "id": f"{SITE}/xapi/community/3"}]
    assert statement["timestamp"] == activity.occurred_at.isoformat()
    assert FakeLRS.problem(statement) == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("verb", "extra", "iri"),
    [
        ("replied", {}, "http://adlnet.gov/expapi/verbs/commented"),
        ("joined", {}, "http://activitystrea.ms/schema/1.0/join"),
        (
            "step_completed",
            {"challenge_id": 2, "object_id": 9},
            "http://adlnet.gov/expapi/verbs/completed",
        ),
        (
            "session_answered",
            {"session_id": 4, "object_id": 1},
            "http://adlnet.gov/expapi/verbs/answered",
        ),
    ],
)
def test_verbs_come_from_the_xapi_vocabularies(configured, verb, extra, iri):
    activity = activity_record(verb=verb, actor=person("ann"), community_id=1, **extra)
    statement = XapiStatement.objects.get(payload__activity_id=activity.pk).statement
    assert statement["verb"]["id"] == iri
    assert FakeLRS.problem(statement) == ""


@pytest.mark.django_db
def test_step_objects_are_named_after_their_challenge(configured):
    activity = activity_record(
        verb="step_completed", actor=person("ann"), challenge_id=2, object_id=9
    )
    statement = XapiStatement.objects.get(payload__activity_id=activity.pk).statement
    assert statement["object"]["id"] == f"{SITE}/xapi/challenge/2/step/9"
    assert statement["result"] == {"completion": True}


@pytest.mark.django_db
def test_nothing_is_queued_without_an_lrs_or_without_a_person(settings, configured):
    activity_record(verb="flow_item_posted", actor=None, community_id=1)
    assert XapiStatement.objects.count() == 0
    settings.XAPI_ENDPOINT = ""
    record_some(2)
    assert XapiStatement.objects.count() == 0
    assert xapi_outbox_send() == 0


@pytest.mark.django_db
def test_each_statement_is_sent_exactly_once_across_a_failed_batch_and_a_retry(configured):
    lrs = configured
    record_some(7)
    lrs.fail_next = 1
    now = timezone.now() + timedelta(seconds=1)

    assert xapi_outbox_send(batch_size=3, now=now) == 0
    failed = XapiStatement.objects.filter(status=Message.Status.FAILED)
    assert failed.count() == 3
    row = failed.first()
    assert row.attempts == 1
    assert "503" in row.last_error
    assert row.available_at == now + timedelta(seconds=30)
    assert lrs.statements == {}

    # The failed batch waits for its backoff; the others go now.
    assert xapi_outbox_send(batch_size=3, now=now) == 4
    assert XapiStatement.objects.filter(status=Message.Status.FAILED).count() == 3

    later = now + timedelta(seconds=31)
    assert xapi_outbox_send(batch_size=3, now=later) == 3
    assert xapi_outbox_send(batch_size=3, now=later + timedelta(hours=1)) == 0

    ids = {str(i) for i in XapiStatement.objects.values_list("payload__statement_id", flat=True)}
    assert set(lrs.statements) == ids
    assert len(ids) == 7
    assert sum(len(batch) for batch in lrs.batches) == 7
    assert lrs.violations == []
    sent = XapiStatement.objects.filter(status=Message.Status.DONE)
    assert sent.count() == 7
    assert not sent.filter(done_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_lrs_refuses_wrong_credentials_and_the_error_is_kept(settings, configured):
    settings.XAPI_PASSWORD = "wrong"
    record_some(1)
    xapi_outbox_send(now=timezone.now() + timedelta(seconds=1))
    row = XapiStatement.objects.get()
    assert row.status == Message.Status.FAILED
    assert "HTTP 401" in row.last_error


@pytest.mark.django_db
def test_an_unreachable_lrs_is_a_retryable_failure(settings, configured):
    configured.stop()
    record_some(1)
    xapi_outbox_send(now=timezone.now() + timedelta(seconds=1))
    row = XapiStatement.objects.get()
    assert row.status == Message.Status.FAILED
    assert row.last_error


def test_backoff_doubles_and_is_capped():
    assert [services.xapi_backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert services.xapi_backoff(40) == timedelta(hours=6)


@pytest.mark.django_db
def test_after_too_many_attempts_a_statement_is_abandoned_until_retried_from_admin(configured):
    record_some(1)
    configured.fail_next = services.XAPI_MAX_ATTEMPTS
    when = timezone.now() + timedelta(seconds=1)
    for _ in range(services.XAPI_MAX_ATTEMPTS):
        xapi_outbox_send(now=when)
        when = XapiStatement.objects.get().available_at
    row = XapiStatement.objects.get()
    assert (row.status, row.attempts) == (Message.Status.DEAD, services.XAPI_MAX_ATTEMPTS)
    assert xapi_outbox_send(now=when + timedelta(days=1)) == 0
    assert services.xapi_outbox_retry(ids=[row.pk]) == 1
    assert xapi_outbox_send(now=timezone.now() + timedelta(seconds=1)) == 1
    assert len(configured.statements) == 1


@pytest.mark.django_db(transaction=True)
def test_rows_another_sender_holds_are_skipped_not_sent_twice(configured):
    record_some(4)
    held_ids = list(XapiStatement.objects.order_by("id").values_list("id", flat=True)[:2])
    holding, release = threading.Event(), threading.Event()

    def other_sender():
        try:
            with transaction.atomic():
                list(XapiStatement.objects.select_for_update().filter(id__in=held_ids))
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_sender)
    thread.start()
    try:
        assert holding.wait(10)
        assert xapi_outbox_send(now=timezone.now() + timedelta(seconds=1)) == 2
        assert set(
            XapiStatement.objects.filter(status=Message.Status.PENDING).values_list("id", flat=True)
        ) == set(held_ids)
    finally:
        release.set()
        thread.join()
    assert xapi_outbox_send(now=timezone.now() + timedelta(seconds=1)) == 2
    assert len(configured.statements) == 4
    assert configured.violations == []


@pytest.mark.django_db
def test_the_task_sends_the_outbox(configured):
    record_some(2)
    XapiStatement.objects.update(available_at=timezone.now() - timedelta(seconds=1))
    assert send_xapi_outbox() == 2
    assert len(configured.statements) == 2


@pytest.fixture
def lrs_env(monkeypatch, settings, lrs):
    """The LRS settings, also in the environment a worker process starts from."""
    for name, value in (
        ("XAPI_ENDPOINT", lrs.endpoint),
        ("XAPI_USERNAME", lrs.username),
        ("XAPI_PASSWORD", lrs.password),
        ("SITE_URL", SITE),
    ):
        monkeypatch.setenv(name, value)
        setattr(settings, name, value)
    return lrs


@pytest.mark.worker
def test_a_real_worker_sends_the_outbox_once(lrs_env, celery_worker_process):
    record_some(3)
    XapiStatement.objects.update(available_at=timezone.now() - timedelta(seconds=1))
    send_xapi_outbox.delay()
    send_xapi_outbox.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if XapiStatement.objects.filter(status=Message.Status.DONE).count() == 3:
            break
        time.sleep(0.2)
    assert XapiStatement.objects.filter(status=Message.Status.DONE).count() == 3
    assert len(lrs_env.statements) == 3
    assert lrs_env.violations == []


@pytest.mark.django_db
def test_admin_shows_failures_and_keeps_the_activity_record_read_only(admin_client, configured):
    record_some(1)
    XapiStatement.objects.update(status=Message.Status.FAILED, last_error="HTTP 503: busy")
    changelist = reverse("admin:insights_xapistatement_changelist")
    response = admin_client.get(changelist + "?status__exact=failed")
    assert response.status_code == 200
    assert b"HTTP 503: busy" in response.content
    assert admin_client.get(reverse("admin:insights_activity_add")).status_code == 403
    activity = Activity.objects.get()
    assert (
        admin_client.get(reverse("admin:insights_activity_change", args=[activity.pk])).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:insights_scope_changelist")).status_code == 200


def test_statement_without_actor_is_not_built():
    activity = Activity(verb="flow_item_posted", occurred_at=timezone.now())
    assert xapi.statement_for(activity, statement_id=uuid.uuid4()) is None
