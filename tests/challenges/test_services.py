"""Designing, joining and completing challenges; learning flows."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from challenges import classics, selectors, services
from challenges.models import Challenge, Completion, Flow, FlowItem, Participant, Step
from communities.models import Community, Membership, Thread
from communities.services import community_create, membership_join, reply_create
from socialearn.insights.models import Activity, Scope
from socialearn.notifications.models import Notification
from tests.factories import UserFactory

from .conftest import make_challenge

pytestmark = pytest.mark.django_db


def running(community, designer, **kwargs):
    challenge = make_challenge(
        community=community,
        designer=designer,
        start=timezone.localdate() - timedelta(days=1),
        release_time=time(0, 0),
        **kwargs,
    )
    services.post_due()
    return challenge


def test_the_three_classic_templates_exist_to_copy():
    classics.ensure(Challenge, Step)
    titles = set(Challenge.objects.filter(is_template=True).values_list("title", flat=True))
    assert {
        "30-day daily challenge",
        "15-week weekly challenge",
        "6-month leadership challenge",
    } <= titles
    daily = Challenge.objects.get(is_template=True, title="30-day daily challenge")
    assert daily.steps.count() == 30


def test_copying_a_template_makes_a_scheduled_draft_with_every_step(community, designer):
    classics.ensure(Challenge, Step)
    weekly = Challenge.objects.get(is_template=True, title="15-week weekly challenge")
    copy = services.challenge_copy(
        source=weekly, designer=designer, community=community, start_date=date(2026, 3, 23)
    )
    assert copy.status == Challenge.Status.DRAFT
    assert not copy.is_template
    assert copy.copied_from == weekly
    assert copy.designer == designer
    steps = list(copy.steps.order_by("position"))
    assert len(steps) == 15
    assert [s.day_offset for s in steps[:3]] == [0, 7, 14]
    # 09:00 London both sides of the clocks going forward on 29 March.
    assert steps[0].release_at == datetime(2026, 3, 23, 9, 0, tzinfo=UTC)
    assert steps[1].release_at == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert Scope.objects.filter(kind="challenge", object_id=copy.pk).exists()
    assert weekly.steps.count() == 15  # the template is untouched


def test_a_copy_needs_a_community(designer):
    classics.ensure(Challenge, Step)
    template = Challenge.objects.filter(is_template=True).first()
    with pytest.raises(ValidationError):
        services.challenge_copy(source=template, designer=designer, community=None)


def test_publishing_needs_steps_and_a_start_date(community, designer):
    empty = Challenge.objects.create(
        title="Empty", community=community, start_date=timezone.localdate()
    )
    with pytest.raises(ValidationError):
        services.challenge_publish(challenge=empty)


def test_joining_records_activity_and_joins_the_public_community(community, designer):
    challenge = make_challenge(community=community, designer=designer, start=timezone.localdate())
    newcomer = UserFactory()
    services.participant_join(challenge=challenge, user=newcomer)
    assert Membership.objects.filter(community=community, user=newcomer).exists()
    activity = Activity.objects.get(verb="challenge_joined", actor=newcomer)
    assert activity.challenge_id == challenge.pk
    assert activity.community_id == community.pk
    services.participant_join(challenge=challenge, user=newcomer)  # twice is once
    assert Participant.objects.filter(challenge=challenge).count() == 1


def test_leaving_and_rejoining(community, designer, member):
    challenge = make_challenge(community=community, designer=designer, start=timezone.localdate())
    services.participant_join(challenge=challenge, user=member)
    services.participant_leave(challenge=challenge, user=member)
    assert Participant.objects.get(user=member).left_at is not None
    services.participant_join(challenge=challenge, user=member)
    assert Participant.objects.get(user=member).left_at is None


def test_a_private_communitys_challenge_needs_membership_first(designer):
    private = community_create(
        created_by=designer, name="Leaders", purpose="x", visibility=Community.Visibility.PRIVATE
    )
    challenge = make_challenge(community=private, designer=designer, start=timezone.localdate())
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.participant_join(challenge=challenge, user=UserFactory())


def test_a_draft_cannot_be_joined(community, designer, member):
    challenge = make_challenge(community=community, designer=designer, start=timezone.localdate())
    challenge.status = Challenge.Status.DRAFT
    challenge.save()
    with pytest.raises(ValidationError):
        services.participant_join(challenge=challenge, user=member)


def test_answering_in_the_steps_thread_completes_the_step(community, designer, member):
    challenge = running(community, designer)
    services.participant_join(challenge=challenge, user=member)
    step = challenge.steps.get(position=1)
    reply = reply_create(thread=step.thread, author=member, body="I asked my team for feedback.")
    completion = Completion.objects.get(step=step, user=member)
    assert completion.via == Completion.Via.REPLY
    assert completion.reply_id == reply.pk
    activity = Activity.objects.get(verb="step_completed", actor=member)
    assert activity.object_id == step.pk
    assert activity.challenge_id == challenge.pk
    reply_create(thread=step.thread, author=member, body="And once more.")
    assert Completion.objects.filter(step=step, user=member).count() == 1


def test_an_anonymous_answer_completes_the_step_without_its_time_or_id(community, designer, member):
    community.anonymity = Community.Anonymity.ON
    community.save(update_fields=["anonymity"])
    challenge = running(community, designer)
    services.participant_join(challenge=challenge, user=member)
    step = challenge.steps.get(position=1)
    reply = reply_create(thread=step.thread, author=member, body="Hard one.", is_anonymous=True)
    completion = Completion.objects.get(step=step, user=member)
    assert completion.via == Completion.Via.REPLY
    assert completion.reply_id is None
    tz = member.profile.tz
    local_day = reply.created_at.astimezone(tz).date()
    assert completion.completed_at == datetime.combine(local_day, time.min, tzinfo=tz)
    assert completion.completed_at != reply.created_at
    # The activity record (listed in the admin with its time) keeps only the day too.
    activity = Activity.objects.get(verb="step_completed", actor=member)
    assert activity.occurred_at == completion.completed_at
    # The day still counts for the streak.
    progress = selectors.progress_for(challenge, member)
    assert progress.streak.current == 1


def test_a_reply_from_someone_not_taking_part_completes_nothing(community, designer, member):
    challenge = running(community, designer)
    step = challenge.steps.get(position=1)
    reply_create(thread=step.thread, author=member, body="Just watching.")
    assert not Completion.objects.exists()


def test_step_answer_posts_a_reply_in_the_thread(community, designer, member):
    challenge = running(community, designer)
    services.participant_join(challenge=challenge, user=member)
    step = challenge.steps.get(position=1)
    services.step_answer(step=step, user=member, body="My answer")
    assert step.thread.replies.get().body == "My answer"
    with pytest.raises(ValidationError):
        services.step_answer(step=step, user=member, body="   ")


def test_mark_done_only_where_the_step_allows_it(community, designer, member):
    challenge = running(community, designer, allow_mark_done=False)
    services.participant_join(challenge=challenge, user=member)
    step = challenge.steps.get(position=1)
    with pytest.raises(ValidationError):
        services.step_complete(step=step, user=member, via=Completion.Via.MARK_DONE)
    step.allow_mark_done = True
    step.save()
    assert services.step_complete(step=step, user=member, via=Completion.Via.MARK_DONE)


def test_an_unreleased_step_cannot_be_completed(community, designer, member):
    challenge = make_challenge(
        community=community,
        designer=designer,
        start=timezone.localdate() + timedelta(days=5),
        allow_mark_done=True,
    )
    services.participant_join(challenge=challenge, user=member)
    with pytest.raises(ValidationError):
        services.step_complete(
            step=challenge.steps.first(), user=member, via=Completion.Via.MARK_DONE
        )


# Learning flows

MONDAY_0800 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def make_flow(community, curator, **kwargs):
    flow = services.flow_create(community=community, curator=curator, name="Tips", **kwargs)
    return flow


def add(flow, title, **kwargs):
    return services.flow_item_add(
        flow=flow, kind=FlowItem.Kind.TIP, title=title, body="b", **kwargs
    )


def test_flow_items_take_the_next_slots_in_queue_order(community, designer):
    flow = make_flow(community, designer, weekdays=[1, 2, 3, 4, 5], post_time=time(9, 0))
    a, b = add(flow, "A"), add(flow, "B")
    services.flow_reschedule(flow=flow, now=MONDAY_0800)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.scheduled_for == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert b.scheduled_for == datetime(2026, 1, 6, 9, 0, tzinfo=UTC)


def test_moving_an_item_up_swaps_the_slots(community, designer):
    flow = make_flow(community, designer, weekdays=[1], post_time=time(9, 0))
    _a, b = add(flow, "A"), add(flow, "B")
    services.flow_item_move(item=b, direction="up")
    services.flow_reschedule(flow=flow, now=MONDAY_0800)
    order = list(flow.items.order_by("scheduled_for").values_list("title", flat=True))
    assert order == ["B", "A"]
    services.flow_item_move(item=b, direction="up")  # already first: nothing happens
    assert list(flow.items.order_by("position").values_list("title", flat=True)) == ["B", "A"]


def test_a_paused_flow_posts_nothing_and_resumes_from_the_next_slot(community, designer):
    flow = make_flow(community, designer, weekdays=[1, 2, 3, 4, 5], post_time=time(9, 0))
    item = add(flow, "A")
    services.flow_reschedule(flow=flow, now=MONDAY_0800)
    services.flow_pause(flow=flow)
    assert services.post_due(now=MONDAY_0800 + timedelta(days=3))["flow_items"] == 0
    services.flow_resume(flow=flow, now=MONDAY_0800 + timedelta(days=3))
    item.refresh_from_db()
    assert item.posted_at is None
    assert item.scheduled_for == datetime(2026, 1, 8, 9, 0, tzinfo=UTC)  # Thursday, not late
    services.post_due(now=item.scheduled_for)
    item.refresh_from_db()
    assert item.posted_at
    assert not item.posted_late


def test_post_now_posts_at_once_and_the_queue_moves_up(community, designer, member):
    flow = make_flow(community, designer, weekdays=[1], post_time=time(9, 0))
    _a, b = add(flow, "A"), add(flow, "B")
    assert services.flow_item_post_now(item=b)
    b.refresh_from_db()
    assert b.thread.title == "B"
    assert b.thread.is_system
    assert b.thread.community == community
    assert not services.flow_item_post_now(item=b)  # already posted
    assert Thread.objects.filter(title="B").count() == 1
    activity = Activity.objects.get(verb="flow_item_posted")
    assert activity.community_id == community.pk
    assert activity.object_id == b.pk


def test_a_resource_needs_its_link(community, designer):
    flow = make_flow(community, designer)
    with pytest.raises(ValidationError):
        services.flow_item_add(flow=flow, kind=FlowItem.Kind.RESOURCE, title="Read this")


def test_a_relative_flow_reaches_each_newcomer_on_their_own_day_once(community, designer):
    flow = make_flow(community, designer, mode=Flow.Mode.RELATIVE, post_time=time(9, 0))
    Flow.objects.filter(pk=flow.pk).update(active_since=datetime(2026, 1, 1, tzinfo=UTC))
    day1 = add(flow, "Welcome", day_offset=1)
    day3 = add(flow, "Meet your buddy", day_offset=3)
    early, late = UserFactory(), UserFactory()
    membership_join(community=community, user=early)
    membership_join(community=community, user=late)
    Membership.objects.filter(user=early).update(joined_at=datetime(2026, 1, 5, 12, tzinfo=UTC))
    Membership.objects.filter(user=late).update(joined_at=datetime(2026, 1, 7, 12, tzinfo=UTC))
    # Thursday 8 Jan, 10:00: early joined Monday (day 3 is today), late joined yesterday.
    now = datetime(2026, 1, 8, 10, 0, tzinfo=UTC)
    services.flows_deliver_relative(now=now)
    services.flows_deliver_relative(now=now)  # a second run delivers nothing twice
    got = set(Notification.objects.values_list("recipient_id", "dedupe_key"))
    assert got == {
        (early.pk, f"flow-item:{day1.pk}"),
        (early.pk, f"flow-item:{day3.pk}"),
        (late.pk, f"flow-item:{day1.pk}"),
    }


def test_a_relative_flow_uses_the_members_own_time_zone(community, designer):
    flow = make_flow(community, designer, mode=Flow.Mode.RELATIVE, post_time=time(9, 0))
    Flow.objects.filter(pk=flow.pk).update(active_since=datetime(2026, 1, 1, tzinfo=UTC))
    add(flow, "Welcome", day_offset=1)
    tokyo = UserFactory(profile__time_zone="Asia/Tokyo")
    london = UserFactory()
    for user in (tokyo, london):
        membership_join(community=community, user=user)
    Membership.objects.filter(user__in=[tokyo, london]).update(
        joined_at=datetime(2026, 1, 5, 12, tzinfo=UTC)
    )
    # 01:00 UTC on 6 Jan is 10:00 in Tokyo (their day 1 has come) and 01:00 in London.
    services.flows_deliver_relative(now=datetime(2026, 1, 6, 1, 0, tzinfo=UTC))
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [tokyo.pk]


def test_members_who_joined_before_a_relative_flow_started_are_not_served(community, designer):
    Membership.objects.filter(community=community).update(
        joined_at=datetime(2025, 1, 1, tzinfo=UTC)
    )
    flow = make_flow(community, designer, mode=Flow.Mode.RELATIVE)
    add(flow, "Welcome", day_offset=0)
    services.flows_deliver_relative(now=timezone.now() + timedelta(days=2))
    assert not Notification.objects.exists()
