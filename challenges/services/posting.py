"""The clock: post every due challenge step and flow item exactly once.

Each item row is its own posting record: `posted_at` and a one-to-one `thread`. A run claims
one due, unstamped row with SELECT ... FOR UPDATE SKIP LOCKED and, in the same transaction,
creates the thread and stamps the row. So:
- two runs at once never take the same row (the second skips the locked row, and once the
  first commits the row no longer matches `posted_at IS NULL`, which PostgreSQL re-checks
  on the locked row);
- a run that dies before committing releases its lock and leaves nothing behind, so the next
  run posts the item;
- after an outage every missed item is still due: the next run posts each once, oldest
  first, marked late.
Notifications are fanned out by the worker after commit (notify_audience, with a dedupe key),
so posting takes the same time for a hundred members as for a hundred thousand.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from communities.models import Membership, Thread
from communities.services import thread_create
from socialearn.insights.services import activity_record
from socialearn.notifications.services import notify_audience, notify_audience_now

from ..models import Challenge, Flow, FlowItem, Step
from .challenges import org_tz

logger = logging.getLogger(__name__)

# Posted more than this after its slot, an item is marked late ("posted after an outage").
LATE_AFTER = timedelta(minutes=5)
MAX_PER_RUN = 500
CATCH_UP_DAYS = 7

FLOW_THREAD_KIND: dict[str, str] = {
    FlowItem.Kind.TIP: Thread.Kind.TIP,
    FlowItem.Kind.RESOURCE: Thread.Kind.RESOURCE,
    FlowItem.Kind.QUESTION: Thread.Kind.QUESTION,
}


def thread_url(thread: Thread) -> str:
    try:
        return thread.get_absolute_url()
    except NoReverseMatch:
        return ""


def _step_body(step: Step) -> str:
    parts = [step.prompt]
    if step.resources.strip():
        parts.append("**Resources**\n\n" + step.resources)
    parts.append(
        f"About {step.estimated_minutes} minutes. Answer in this thread to complete the step"
        + (", or mark it done on the challenge page." if step.allow_mark_done else ".")
    )
    page = reverse("challenges:step", args=[step.challenge_id, step.pk])
    parts.append(f"[Open the step and see your progress]({page})")
    return "\n\n".join(parts)


def _post_step(step: Step, now: datetime) -> Thread:
    challenge = step.challenge
    community = challenge.community
    if community is None:
        raise ValueError(f"Challenge {challenge.pk} has no community to post into")
    late = step.release_at is not None and now - step.release_at > LATE_AFTER
    thread = thread_create(
        community=community,
        author=challenge.guide or challenge.designer,
        kind=Thread.Kind.DISCUSSION,
        title=f"{challenge.title} · step {step.position}: {step.title}",
        body=_step_body(step),
        is_system=True,
        posted_late=late,
    )
    step.thread = thread
    step.posted_at = now
    step.posted_late = late
    step.save(update_fields=["thread", "posted_at", "posted_late"])
    author = challenge.guide_id or challenge.designer_id
    notify_audience(
        audience="challenge_participants",
        audience_kwargs={"challenge_id": challenge.pk},
        kind="challenge_step",
        title=f"{challenge.title}: step {step.position} is out, {step.title}",
        url=reverse("challenges:step", args=[challenge.pk, step.pk]),
        dedupe_key=f"challenge-step:{step.pk}",
        exclude_user_ids=[author] if author else [],
    )
    return thread


def _post_flow_item(item: FlowItem, now: datetime) -> Thread:
    flow = item.flow
    late = item.scheduled_for is not None and now - item.scheduled_for > LATE_AFTER
    thread = thread_create(
        community=flow.community,
        author=flow.curator,
        kind=FLOW_THREAD_KIND.get(item.kind, Thread.Kind.TIP),
        title=item.title,
        body=item.body,
        url=item.url,
        is_system=True,
        posted_late=late,
    )
    item.thread = thread
    item.posted_at = now
    item.posted_late = late
    item.save(update_fields=["thread", "posted_at", "posted_late"])
    activity_record(
        verb="flow_item_posted",
        actor=flow.curator,
        community_id=flow.community_id,
        thread_id=thread.pk,
        object_type="flow_item",
        object_id=item.pk,
        extra={"flow_id": flow.pk, "late": late},
    )
    notify_audience(
        audience="community_members",
        audience_kwargs={"community_id": flow.community_id},
        kind="flow_item",
        title=f"{flow.community.name}: {item.title}",
        url=thread_url(thread) or reverse("challenges:flow_item", args=[flow.pk, item.pk]),
        dedupe_key=f"flow-item:{item.pk}",
        exclude_user_ids=[flow.curator_id] if flow.curator_id else [],
    )
    return thread


def _due_steps(now: datetime):
    return (
        Step.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("challenge__community")
        .filter(
            posted_at__isnull=True,
            release_at__lte=now,
            challenge__status=Challenge.Status.PUBLISHED,
            challenge__is_template=False,
        )
        .order_by("release_at", "challenge_id", "position")
    )


def _due_flow_items(now: datetime):
    return (
        FlowItem.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("flow__community", "flow__curator")
        .filter(
            posted_at__isnull=True,
            scheduled_for__lte=now,
            flow__is_paused=False,
            flow__mode=Flow.Mode.SCHEDULED,
        )
        .order_by("scheduled_for", "flow_id", "position")
    )


def _drain(claim, post, now: datetime) -> int:
    posted = 0
    failed: list[int] = []
    while posted < MAX_PER_RUN:
        item = None
        try:
            with transaction.atomic():
                item = claim(now).exclude(pk__in=failed).first()
                if item is None:
                    break
                post(item, now)
        except Exception:
            if item is None:
                raise
            # This item rolls back and stays due for the next run; carry on with the others.
            logger.exception("Posting %s failed", item)
            failed.append(item.pk)
            continue
        posted += 1
    return posted


def post_due(*, now: datetime | None = None) -> dict:
    """Post everything due at `now`. Safe to run concurrently and repeatedly."""
    now = now or timezone.now()
    return {
        "steps": _drain(_due_steps, _post_step, now),
        "flow_items": _drain(_due_flow_items, _post_flow_item, now),
        "deliveries": flows_deliver_relative(now=now),
    }


@transaction.atomic
def flow_item_post_now(*, item: FlowItem, now: datetime | None = None) -> bool:
    """Post one item immediately. False when it is already posted (or being posted)."""
    now = now or timezone.now()
    locked = (
        FlowItem.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("flow__community", "flow__curator")
        .filter(pk=item.pk, posted_at__isnull=True)
        .first()
    )
    if locked is None:
        return False
    locked.scheduled_for = now
    locked.save(update_fields=["scheduled_for"])
    _post_flow_item(locked, now)
    from .flows import flow_reschedule

    flow_reschedule(flow=locked.flow, now=now)
    item.refresh_from_db()
    return True


# Each member's own zone: their profile's, else their location's, else the organisation's.
_MEMBER_DUE_SQL = """
    (SELECT (%s::timestamptz AT TIME ZONE z.tz)
              >= ((communities_membership.joined_at AT TIME ZONE z.tz)::date + %s) + %s::time
     FROM (SELECT COALESCE(
             (SELECT COALESCE(NULLIF(p.time_zone, ''), NULLIF(l.time_zone, ''))
              FROM people_profile p LEFT JOIN people_location l ON l.id = p.location_id
              WHERE p.user_id = communities_membership.user_id),
             %s) AS tz) z)
"""


def relative_audience(*, item: FlowItem, now: datetime):
    """Members of the flow's community whose own day for `item` has come."""
    flow = item.flow
    members = Membership.objects.filter(
        community_id=flow.community_id,
        status=Membership.Status.ACTIVE,
        joined_at__isnull=False,
    )
    if flow.active_since:
        members = members.filter(joined_at__gte=flow.active_since)
    # Only members whose day for this item is recent: earlier ones were served already, so
    # each minute's run looks at a few rows, while a week-long outage is still caught up.
    members = members.filter(joined_at__gte=now - timedelta(days=item.day_offset + CATCH_UP_DAYS))
    due = RawSQL(  # noqa: S611 - constant SQL; every value is a parameter
        _MEMBER_DUE_SQL,
        (now, item.day_offset, flow.post_time, org_tz().key),
        output_field=BooleanField(),
    )
    return members.filter(due).values("user_id")


def flows_deliver_relative(*, now: datetime | None = None) -> int:
    """Deliver onboarding-sequence items to each newcomer's inbox on their own day.

    One INSERT ... SELECT per item; the dedupe key makes every run after the first a no-op
    for members already served, so each member gets each item once.
    """
    now = now or timezone.now()
    delivered = 0
    items = FlowItem.objects.select_related("flow__community").filter(
        flow__mode=Flow.Mode.RELATIVE, flow__is_paused=False
    )
    for item in items.order_by("flow_id", "position"):
        with transaction.atomic():
            count = notify_audience_now(
                audience=relative_audience(item=item, now=now),
                kind="flow_item",
                title=f"{item.flow.community.name}: {item.title}",
                body=item.body[:2000],
                url=item.url or reverse("challenges:flow_item", args=[item.flow_id, item.pk]),
                dedupe_key=f"flow-item:{item.pk}",
            )
            if count:
                activity_record(
                    verb="flow_item_posted",
                    actor=item.flow.curator,
                    community_id=item.flow.community_id,
                    object_type="flow_item",
                    object_id=item.pk,
                    extra={"flow_id": item.flow_id, "delivered": count, "relative": True},
                )
        delivered += count
    return delivered
