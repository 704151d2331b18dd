"""A curator's learning flows: the queue, its schedule, pause and resume."""

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from socialearn.markdown import render_markdown

from .. import clock
from ..models import Flow, FlowItem
from .challenges import org_tz


def _validate_weekdays(weekdays) -> list[int]:
    days = sorted({int(d) for d in weekdays})
    if any(d < 1 or d > 7 for d in days):
        raise ValidationError({"weekdays": _("Weekdays run from 1 (Monday) to 7 (Sunday).")})
    return days


def flow_reschedule(*, flow: Flow, now: datetime | None = None, keep_due: bool = True) -> None:
    """Give the unposted items, in queue order, the flow's next slots.

    Slots already due and not yet posted (the clock is about to post them, or was stopped)
    stay due and go to the first items in the queue, so an outage is caught up in order;
    after a pause (`keep_due=False`) the queue continues from the next slot instead.
    """
    now = now or timezone.now()
    items = list(flow.items.filter(posted_at__isnull=True).order_by("position", "id"))
    if flow.mode != Flow.Mode.SCHEDULED:
        for item in items:
            item.scheduled_for = None
        FlowItem.objects.bulk_update(items, ["scheduled_for"])
        return
    due = (
        sorted(i.scheduled_for for i in items if i.scheduled_for and i.scheduled_for <= now)
        if keep_due
        else []
    )
    upcoming = clock.slots(now, flow.weekdays, flow.post_time, org_tz())
    for index, item in enumerate(items):
        item.scheduled_for = due[index] if index < len(due) else next(upcoming)
    FlowItem.objects.bulk_update(items, ["scheduled_for"])


@transaction.atomic
def flow_create(
    *,
    community: Community,
    curator,
    name: str,
    mode: str = Flow.Mode.SCHEDULED,
    weekdays=clock.WEEKDAYS,
    post_time: time = time(9, 0),
) -> Flow:
    flow = Flow(
        community=community,
        curator=curator,
        name=name,
        mode=mode,
        weekdays=_validate_weekdays(weekdays),
        post_time=post_time,
        active_since=timezone.now(),
    )
    flow.full_clean()
    flow.save()
    return flow


@transaction.atomic
def flow_update(*, flow: Flow) -> Flow:
    flow.weekdays = _validate_weekdays(flow.weekdays)
    flow.full_clean()
    flow.save()
    flow_reschedule(flow=flow, keep_due=False)
    return flow


@transaction.atomic
def flow_item_add(
    *,
    flow: Flow,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    day_offset: int = 0,
) -> FlowItem:
    last = flow.items.aggregate(m=Max("position"))["m"] or 0
    item = FlowItem(
        flow=flow,
        kind=kind,
        title=title,
        body=body,
        url=url,
        day_offset=day_offset,
        position=last + 1,
    )
    if kind == FlowItem.Kind.RESOURCE and not url:
        raise ValidationError({"url": _("A resource needs its link.")})
    item.full_clean()
    item.save()
    flow_reschedule(flow=flow)
    return item


@transaction.atomic
def flow_item_update(*, item: FlowItem) -> FlowItem:
    if item.is_posted:
        raise ValidationError(_("This item is already posted."))
    item.full_clean()
    item.save()
    flow_reschedule(flow=item.flow)
    return item


@transaction.atomic
def flow_item_move(*, item: FlowItem, direction: str) -> None:
    """Swap an unposted item with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move up or down."))
    queue = list(
        FlowItem.objects.select_for_update()
        .filter(flow_id=item.flow_id, posted_at__isnull=True)
        .order_by("position", "id")
    )
    ids = [i.pk for i in queue]
    if item.pk not in ids:
        raise ValidationError(_("Posted items stay where they are."))
    index = ids.index(item.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(queue):
        return
    a, b = queue[index], queue[other]
    a.position, b.position = b.position, a.position
    if a.position == b.position:  # legacy duplicates: make the order explicit
        b.position += 1 if direction == "up" else -1
    FlowItem.objects.bulk_update([a, b], ["position"])
    flow_reschedule(flow=a.flow)


@transaction.atomic
def flow_item_delete(*, item: FlowItem) -> None:
    if item.is_posted:
        raise ValidationError(_("A posted item stays; its thread is in the community."))
    flow = item.flow
    item.delete()
    flow_reschedule(flow=flow)


@transaction.atomic
def flow_pause(*, flow: Flow) -> Flow:
    flow.is_paused = True
    flow.save(update_fields=["is_paused"])
    return flow


@transaction.atomic
def flow_resume(*, flow: Flow, now: datetime | None = None) -> Flow:
    flow.is_paused = False
    flow.save(update_fields=["is_paused"])
    # Slots missed while paused are not caught up: the queue carries on from the next slot.
    flow_reschedule(flow=flow, now=now, keep_due=False)
    return flow


def flow_item_preview_html(*, item: FlowItem) -> str:
    return render_markdown(item.body)
