"""The clock posts every due step and flow item exactly once (real PostgreSQL)."""

import threading
import time as clock_time
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from challenges import services
from challenges.models import FlowItem, Participant, Step
from challenges.services import posting
from challenges.tasks import post_due_items
from communities.models import Thread
from communities.services import community_create, membership_join
from socialearn.notifications.models import Notification
from tests.factories import UserFactory

from .conftest import make_challenge


def setup_due(steps: int = 5, items: int = 5):
    designer = UserFactory()
    community = community_create(created_by=designer, name="Clockwork", purpose="x")
    challenge = make_challenge(
        community=community, designer=designer, start=date(2026, 1, 5), steps=steps
    )
    flow = services.flow_create(community=community, curator=designer, name="Tips")
    for n in range(items):
        services.flow_item_add(flow=flow, kind=FlowItem.Kind.TIP, title=f"Tip {n}", body="b")
    services.flow_reschedule(flow=flow, now=datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    return challenge, flow


@pytest.mark.django_db
def test_a_due_step_is_posted_as_a_system_thread_and_participants_are_told(
    django_capture_on_commit_callbacks, celery_eager
):
    challenge, _ = setup_due(steps=2, items=0)
    member = UserFactory()
    membership_join(community=challenge.community, user=member)
    Participant.objects.create(challenge=challenge, user=member, joined_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.post_due(now=datetime(2026, 1, 5, 9, 0, 30, tzinfo=UTC))
    assert counts["steps"] == 1
    step = challenge.steps.get(position=1)
    assert step.thread.is_system
    assert not step.posted_late
    assert "Prompt 1" in step.thread.body
    note = Notification.objects.get(recipient=member)
    assert note.dedupe_key == f"challenge-step:{step.pk}"
    assert challenge.steps.get(position=2).posted_at is None  # tomorrow's


@pytest.mark.django_db
def test_after_an_outage_missed_items_are_posted_late_once_in_order():
    challenge, flow = setup_due(steps=3, items=3)
    after_outage = datetime(2026, 1, 9, 12, 0, tzinfo=UTC)  # four days of silence
    first = services.post_due(now=after_outage)
    second = services.post_due(now=after_outage + timedelta(minutes=1))
    assert (first["steps"], first["flow_items"]) == (3, 3)
    assert (second["steps"], second["flow_items"]) == (0, 0)
    steps = list(challenge.steps.order_by("position"))
    assert all(s.posted_late and s.thread.posted_late for s in steps)
    thread_ids = [s.thread_id for s in steps]
    assert thread_ids == sorted(thread_ids)  # posted oldest first
    items = list(flow.items.order_by("position"))
    assert [i.thread_id for i in items] == sorted(i.thread_id for i in items)
    assert Thread.objects.filter(is_system=True).count() == 6


@pytest.mark.django_db
def test_a_draft_or_template_challenge_is_never_posted():
    challenge, _ = setup_due(steps=1, items=0)
    challenge.status = "draft"
    challenge.save()
    assert services.post_due(now=datetime(2026, 2, 1, tzinfo=UTC))["steps"] == 0


class WorkerKilled(BaseException):
    """Stands for the process dying: nothing in the run catches it."""


@pytest.mark.django_db(transaction=True)
def test_a_run_that_dies_after_locking_leaves_the_item_for_the_next_run():
    challenge, _ = setup_due(steps=1, items=0)
    now = datetime(2026, 1, 5, 9, 1, tzinfo=UTC)
    real_post = posting._post_step

    def post_then_die(step, at):
        real_post(step, at)  # thread created and step stamped, not committed
        raise WorkerKilled

    with mock.patch.object(posting, "_post_step", post_then_die), pytest.raises(WorkerKilled):
        services.post_due(now=now)
    step = Step.objects.get(challenge=challenge)
    assert step.posted_at is None
    assert not Thread.objects.exists()
    assert services.post_due(now=now)["steps"] == 1
    assert Thread.objects.count() == 1
    assert Step.objects.get(challenge=challenge).thread is not None


@pytest.mark.django_db(transaction=True)
def test_a_failing_item_rolls_back_and_the_others_are_still_posted():
    challenge, _ = setup_due(steps=3, items=0)
    real_create = posting.thread_create

    def fail_on_step_two(**kwargs):
        if "step 2" in kwargs["title"]:
            raise RuntimeError("database hiccup")
        return real_create(**kwargs)

    with mock.patch.object(posting, "thread_create", fail_on_step_two):
        assert services.post_due(now=datetime(2026, 2, 1, tzinfo=UTC))["steps"] == 2
    assert services.post_due(now=datetime(2026, 2, 1, tzinfo=UTC))["steps"] == 1
    assert Thread.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_post_each_item_once():
    challenge, flow = setup_due(steps=6, items=6)
    now = datetime(2026, 2, 1, tzinfo=UTC)
    barrier = threading.Barrier(2)
    real_create = posting.thread_create
    results, errors = [], []

    def slow_create(**kwargs):
        thread = real_create(**kwargs)
        clock_time.sleep(0.02)  # hold the row lock a moment so the runs overlap
        return thread

    def run():
        try:
            barrier.wait()
            results.append(services.post_due(now=now))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    with mock.patch.object(posting, "thread_create", slow_create):
        workers = [threading.Thread(target=run) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)
    assert not errors
    assert sum(r["steps"] for r in results) == 6
    assert sum(r["flow_items"] for r in results) == 6
    assert all(r["steps"] + r["flow_items"] > 0 for r in results)  # both runs took a share
    assert Thread.objects.count() == 12
    assert Step.objects.filter(thread__isnull=True).count() == 0
    assert FlowItem.objects.filter(thread__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_the_real_worker_posts_a_due_item(celery_worker_process):
    designer = UserFactory()
    community = community_create(created_by=designer, name="Worker", purpose="x")
    flow = services.flow_create(
        community=community,
        curator=designer,
        name="Tips",
        weekdays=[1, 2, 3, 4, 5, 6, 7],
        post_time=time(0, 0),
    )
    item = services.flow_item_add(flow=flow, kind=FlowItem.Kind.TIP, title="Due now", body="b")
    FlowItem.objects.filter(pk=item.pk).update(scheduled_for=timezone.now() - timedelta(seconds=5))
    post_due_items.delay()
    deadline = clock_time.monotonic() + 30
    while clock_time.monotonic() < deadline:
        item.refresh_from_db()
        if item.thread_id:
            break
        clock_time.sleep(0.2)
    assert item.thread_id is not None
    assert Thread.objects.get(pk=item.thread_id).title == "Due now"
