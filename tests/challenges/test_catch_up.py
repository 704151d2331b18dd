"""The clock after an outage, and its edges: one due-time order, lateness at the moment of
posting, titles that always fit, relative flows that reach everyone, a broker that is down."""

import time as clock_time
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges import services
from challenges.models import Challenge, Flow, FlowItem, FlowItemSkip, Participant, Step
from challenges.services import posting
from communities.models import Membership, Thread
from communities.services import community_create, membership_join
from socialearn.notifications.models import Notification
from socialearn.outbox.models import Message
from socialearn.outbox.services import outbox_relay
from tests.factories import UserFactory
from tests.notifications.test_outbox import broker_unreachable

from .conftest import make_challenge

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def world(*, steps: int = 0, items: int = 0, title: str = "Thirty days of feedback"):
    designer = UserFactory()
    community = community_create(created_by=designer, name="Clockwork", purpose="x")
    challenge = make_challenge(
        community=community, designer=designer, start=date(2026, 3, 2), steps=steps, title=title
    )
    flow = services.flow_create(community=community, curator=designer, name="Tips")
    for n in range(items):
        services.flow_item_add(flow=flow, kind=FlowItem.Kind.TIP, title=f"Tip {n}", body="b")
    return designer, community, challenge, flow


def test_a_step_whose_titles_together_pass_the_thread_limit_is_posted_shortened():
    _, _, challenge, _ = world(steps=1, title="C" * 160)
    Step.objects.filter(challenge=challenge).update(title="S" * 160)
    step = challenge.steps.get()
    full = f"{challenge.title} · step 1: {step.title}"
    assert len(full) == 331

    counts = services.post_due(now=NOW)
    assert (counts["steps"], counts["failed"]) == (1, 0)
    step.refresh_from_db()
    title = step.thread.title
    assert len(title) == Thread._meta.get_field("title").max_length == 200
    assert title.endswith("…")
    assert title.startswith("C" * 160 + " · step 1: SSS")


def test_a_three_hour_outage_posts_steps_and_flow_items_in_one_due_time_order():
    _, _, challenge, flow = world(steps=6, items=6)
    # Due every 15 minutes over the three hours, steps and flow items interleaved.
    steps = list(challenge.steps.order_by("position"))
    items = list(flow.items.order_by("position"))
    due = {}
    for n, (step, item) in enumerate(zip(steps, items, strict=True)):
        step_due = NOW - timedelta(hours=3) + timedelta(minutes=30 * n)
        item_due = step_due + timedelta(minutes=15)
        Step.objects.filter(pk=step.pk).update(release_at=step_due)
        FlowItem.objects.filter(pk=item.pk).update(scheduled_for=item_due)
        due[("step", step.pk)] = step_due
        due[("item", item.pk)] = item_due
    # The flow item nearly due now is not late yet; everything else is.
    FlowItem.objects.filter(pk=items[-1].pk).update(scheduled_for=NOW - timedelta(minutes=2))
    due[("item", items[-1].pk)] = NOW - timedelta(minutes=2)

    counts = services.post_due(now=NOW)
    assert (counts["steps"], counts["flow_items"], counts["failed"]) == (6, 6, 0)

    posted = [("step", s.pk, s.thread_id, s.posted_late) for s in challenge.steps.all()] + [
        ("item", i.pk, i.thread_id, i.posted_late) for i in flow.items.all()
    ]
    by_posting = [(kind, pk) for kind, pk, _thread, _late in sorted(posted, key=lambda p: p[2])]
    assert by_posting == sorted(due, key=due.get)  # one order across both kinds
    late = {(kind, pk): is_late for kind, pk, _thread, is_late in posted}
    assert late.pop(("item", items[-1].pk)) is False
    assert all(late.values())
    assert services.post_due(now=NOW + timedelta(minutes=1))["steps"] == 0


def test_posted_at_and_lateness_are_taken_when_each_item_is_posted():
    _, _, challenge, flow = world(steps=1, items=1)
    step = challenge.steps.get()
    item = flow.items.get()
    Step.objects.filter(pk=step.pk).update(release_at=NOW - timedelta(hours=1))
    # Four minutes and 59.8 seconds overdue when the run starts, over five once posted.
    FlowItem.objects.filter(pk=item.pk).update(
        scheduled_for=NOW - posting.LATE_AFTER + timedelta(milliseconds=200)
    )
    real_create = posting.thread_create

    def slow_create(**kwargs):
        thread = real_create(**kwargs)
        clock_time.sleep(0.4)  # the first post takes a while
        return thread

    with mock.patch.object(posting, "thread_create", slow_create):
        services.post_due(now=NOW)
    step.refresh_from_db()
    item.refresh_from_db()
    assert NOW <= step.posted_at < item.posted_at
    assert item.posted_at - NOW >= timedelta(milliseconds=400)
    assert item.posted_late
    assert item.thread.posted_late


def test_a_posted_item_whose_wake_fails_counts_as_posted_and_its_notices_still_arrive():
    _, community, challenge, _ = world(steps=1)
    member = UserFactory()
    membership_join(community=community, user=member)
    Participant.objects.create(challenge=challenge, user=member, joined_at=timezone.now())
    with broker_unreachable():
        counts = services.post_due(now=NOW)
    assert (counts["steps"], counts["failed"]) == (1, 0)
    assert outbox_relay()["done"] >= 1
    assert Notification.objects.filter(recipient=member, kind="challenge_step").count() == 1


def relative_world(*, offsets: list[int]):
    designer = UserFactory()
    community = community_create(created_by=designer, name="Newcomers", purpose="x")
    flow = services.flow_create(
        community=community,
        curator=designer,
        name="First weeks",
        mode=Flow.Mode.RELATIVE,
        post_time=time(9, 0),
    )
    Flow.objects.filter(pk=flow.pk).update(active_since=NOW - timedelta(days=60))
    items = [
        services.flow_item_add(
            flow=flow, kind=FlowItem.Kind.TIP, title=f"Day {d}", body="b", day_offset=d
        )
        for d in offsets
    ]
    return community, flow, items


def join(community, *, at: datetime):
    person = UserFactory()
    membership_join(community=community, user=person)
    Membership.objects.filter(user=person, community=community).update(joined_at=at)
    return person


def test_an_eight_day_outage_reaches_every_relative_member_once():
    community, _, (day0, day3) = relative_world(offsets=[0, 3])
    # Before the outage the clock ran and served everyone; then 8 days of silence, during
    # which 61 people joined, one every three hours.
    services.flows_deliver_relative(now=NOW - timedelta(days=8))
    newcomers = [
        join(community, at=NOW - timedelta(days=8) + timedelta(hours=3 * n + 1)) for n in range(61)
    ]

    result = services.flows_deliver_relative(now=NOW)
    again = services.flows_deliver_relative(now=NOW + timedelta(minutes=1))

    assert again == {"delivered": 0, "skipped": 0}
    got_day0 = Notification.objects.filter(dedupe_key=f"flow-item:{day0.pk}")
    assert sorted(got_day0.values_list("recipient_id", flat=True)) == [p.pk for p in newcomers]
    # Day 3 reached those who joined at least three local days before today's 09:00.
    three_days_ago = (NOW - timedelta(days=3)).date()
    expected_day3 = [p for p in newcomers if p.memberships.get().joined_at.date() <= three_days_ago]
    assert Notification.objects.filter(dedupe_key=f"flow-item:{day3.pk}").count() == len(
        expected_day3
    )
    assert result == {"delivered": 61 + len(expected_day3), "skipped": 0}
    assert not FlowItemSkip.objects.exists()


def test_a_member_far_behind_gets_the_newest_items_and_the_rest_are_recorded_as_skipped():
    community, _, items = relative_world(offsets=list(range(12)))  # days 0 to 11
    person = join(community, at=NOW - timedelta(days=12))  # every item is due

    result = services.flows_deliver_relative(now=NOW)

    delivered = set(
        Notification.objects.filter(recipient=person).values_list("dedupe_key", flat=True)
    )
    assert delivered == {f"flow-item:{item.pk}" for item in items[2:]}
    assert result == {"delivered": 10, "skipped": 2}
    skips = FlowItemSkip.objects.filter(user=person).order_by("item__day_offset")
    assert [s.item_id for s in skips] == [items[0].pk, items[1].pk]
    assert "10 later items" in skips[0].reason
    assert services.flows_deliver_relative(now=NOW + timedelta(days=1)) == {
        "delivered": 0,
        "skipped": 0,
    }


def test_post_now_with_the_broker_down_answers_normally_and_the_relay_delivers(client):
    designer, community, _, flow = world(items=1)
    Flow.objects.filter(pk=flow.pk).update(weekdays=[1, 2, 3, 4, 5, 6, 7])
    member = UserFactory()
    membership_join(community=community, user=member)
    item = flow.items.get()
    client.force_login(designer)
    url = reverse("challenges:flow_item_post", args=[flow.pk, item.pk])

    with broker_unreachable():
        started = clock_time.monotonic()
        response = client.post(url)
        took = clock_time.monotonic() - started
    assert response.status_code == 302
    assert took < 5
    item.refresh_from_db()
    assert item.thread is not None
    assert not Notification.objects.filter(recipient=member).exists()
    assert Message.objects.filter(status="pending").exists()

    outbox_relay()  # the broker is back: the beat's next tick
    assert Notification.objects.filter(recipient=member, kind="flow_item").count() == 1
    assert client.get(response["Location"]).status_code == 200


def test_a_challenge_that_is_not_published_stays_unposted_in_the_merged_order():
    _, _, challenge, flow = world(steps=2, items=1)
    Challenge.objects.filter(pk=challenge.pk).update(status=Challenge.Status.DRAFT)
    FlowItem.objects.filter(flow=flow).update(scheduled_for=NOW - timedelta(hours=1))
    counts = services.post_due(now=NOW + timedelta(days=3))
    assert (counts["steps"], counts["flow_items"]) == (0, 1)
