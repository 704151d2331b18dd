"""The clock: post every due challenge step and flow item exactly once.

Each item row is its own posting record: `posted_at` and a one-to-one `thread`. A run lists
the due steps and flow items together, in one due-time order, and takes them one by one:
it locks the row with SELECT ... FOR UPDATE SKIP LOCKED and, in the same transaction,
creates the thread and stamps the row. So:
- two runs at once never take the same row (the second skips the locked row, and once the
  first commits the row no longer matches `posted_at IS NULL`, which PostgreSQL re-checks
  on the locked row);
- a run that dies before committing releases its lock and leaves nothing behind, so the next
  run posts the item;
- after an outage every missed item is still due: the next run posts each once, oldest
  first whatever its kind, and marks it late when it is posted more than five minutes after
  its time (the moment of posting, not the start of the run).
Notifications go through the outbox in the posting transaction (notify_audience, with a
dedupe key), so they happen exactly when the post does, whatever the broker is doing, and
posting takes the same time for a hundred members as for a hundred thousand.
"""

import logging
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import BooleanField, Exists, F, IntegerField, OuterRef, Value
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.channels.services import channels_announce, plain_text
from communities.language import in_site_language
from communities.models import Membership, Thread
from communities.services import thread_create
from socialearn.insights.services import activity_record
from socialearn.notifications.models import Notification
from socialearn.notifications.services import notify_audience, notify_audience_now
from socialearn.outbox.services import one_wake

from ..models import Challenge, Flow, FlowItem, FlowItemSkip, Step
from .challenges import org_tz, scoreboard_changed

logger = logging.getLogger(__name__)

# Posted more than this after its slot, an item is marked late ("posted after an outage").
LATE_AFTER = timedelta(minutes=5)
MAX_PER_RUN = 500
CANDIDATES_PER_QUERY = 50
# A newcomer who is owed an item after an outage gets it, unless this many later items of
# the same flow are already due to them too: then it is recorded as skipped, not sent late.
RELATIVE_CATCH_UP_ITEMS = 10
# Every member who joined this long before an item's day is surely due for it, whatever
# their time zone and the flow's time (a day, a time of day, a daylight-saving hour).
_RELATIVE_DUE_MARGIN = timedelta(days=2)
THREAD_TITLE_MAX: int = Thread._meta.get_field("title").max_length or 200
STEP = 0
FLOW_ITEM = 1

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


def fit_title(text: str, limit: int = THREAD_TITLE_MAX) -> str:
    """`text`, shortened with an ellipsis to fit a thread title."""
    return Truncator(" ".join(text.split())).chars(limit)


def step_thread_title(step: Step) -> str:
    return fit_title(
        _("%(challenge)s · step %(position)s: %(step)s")
        % {"challenge": step.challenge.title, "position": step.position, "step": step.title}
    )


def _step_body(step: Step) -> str:
    parts = [step.prompt]
    if step.resources.strip():
        parts.append("**" + _("Resources") + "**\n\n" + step.resources)
    minutes = {"minutes": step.estimated_minutes}
    if step.allow_mark_done:
        parts.append(
            _(
                "About %(minutes)s minutes. Answer in this thread to complete the step, "
                "or mark it done on the challenge page."
            )
            % minutes
        )
    else:
        parts.append(
            _("About %(minutes)s minutes. Answer in this thread to complete the step.") % minutes
        )
    page = reverse("challenges:step", args=[step.challenge_id, step.pk])
    parts.append("[" + _("Open the step and see your progress") + f"]({page})")
    return "\n\n".join(parts)


def _post_step(step: Step, now: datetime) -> Thread:
    # A post for a whole community, by the clock or by a curator's "post now": the site's
    # language, whoever's request it is.
    with in_site_language():
        return _post_step_texts(step, now)


def _post_step_texts(step: Step, now: datetime) -> Thread:
    challenge = step.challenge
    community = challenge.community
    if community is None:
        raise ValueError(f"Challenge {challenge.pk} has no community to post into")
    late = step.release_at is not None and now - step.release_at > LATE_AFTER
    thread = thread_create(
        community=community,
        author=challenge.guide or challenge.designer,
        kind=Thread.Kind.DISCUSSION,
        title=step_thread_title(step),
        body=_step_body(step),
        is_system=True,
        posted_late=late,
    )
    step.thread = thread
    step.posted_at = now
    step.posted_late = late
    step.save(update_fields=["thread", "posted_at", "posted_late"])
    scoreboard_changed(step.challenge_id)
    author = challenge.guide_id or challenge.designer_id
    notify_audience(
        audience="challenge_participants",
        audience_kwargs={"challenge_id": challenge.pk},
        kind="challenge_step",
        title=_("%(challenge)s: step %(position)s is out, %(step)s")
        % {"challenge": challenge.title, "position": step.position, "step": step.title},
        url=reverse("challenges:step", args=[challenge.pk, step.pk]),
        dedupe_key=f"challenge-step:{step.pk}",
        exclude_user_ids=[author] if author else [],
    )
    channels_announce(
        community_id=community.pk,
        community_name=community.name,
        key=f"challenge-step:{step.pk}",
        label=_("%(challenge)s · step %(position)s")
        % {"challenge": challenge.title, "position": step.position},
        title=step.title,
        text=plain_text(step.prompt),
        url=reverse("challenges:step", args=[challenge.pk, step.pk]),
    )
    return thread


NEW_ITEM = {
    FlowItem.Kind.TIP.value: gettext_lazy("New tip"),
    FlowItem.Kind.RESOURCE.value: gettext_lazy("New resource link"),
    FlowItem.Kind.QUESTION.value: gettext_lazy("New question"),
}


def _post_flow_item(item: FlowItem, now: datetime) -> Thread:
    with in_site_language():
        return _post_flow_item_texts(item, now)


def _post_flow_item_texts(item: FlowItem, now: datetime) -> Thread:
    flow = item.flow
    late = item.scheduled_for is not None and now - item.scheduled_for > LATE_AFTER
    thread = thread_create(
        community=flow.community,
        author=flow.curator,
        kind=FLOW_THREAD_KIND.get(item.kind, Thread.Kind.TIP),
        title=fit_title(item.title),
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
    channels_announce(
        community_id=flow.community_id,
        community_name=flow.community.name,
        key=f"flow-item:{item.pk}",
        label=str(NEW_ITEM.get(item.kind, NEW_ITEM["tip"])),
        title=item.title,
        text=plain_text(item.body),
        url=thread_url(thread) or reverse("challenges:flow_item", args=[flow.pk, item.pk]),
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
    )


def due_candidates(
    *, now: datetime, skip_steps=(), skip_items=(), limit: int = CANDIDATES_PER_QUERY
) -> list[tuple[int, int]]:
    """The next due steps and flow items, together in one due-time order: (kind, pk) pairs.

    Nothing is locked here; the run locks each candidate when it takes it.
    """
    steps = (
        Step.objects.filter(
            posted_at__isnull=True,
            release_at__lte=now,
            challenge__status=Challenge.Status.PUBLISHED,
            challenge__is_template=False,
        )
        .exclude(pk__in=list(skip_steps))
        .annotate(
            due=F("release_at"),
            source=Value(STEP, output_field=IntegerField()),
            group=F("challenge_id"),
            rank=F("position"),
        )
        .values_list("due", "source", "group", "rank", "pk")
    )
    items = (
        FlowItem.objects.filter(
            posted_at__isnull=True,
            scheduled_for__lte=now,
            flow__is_paused=False,
            flow__mode=Flow.Mode.SCHEDULED,
        )
        .exclude(pk__in=list(skip_items))
        .annotate(
            due=F("scheduled_for"),
            source=Value(FLOW_ITEM, output_field=IntegerField()),
            group=F("flow_id"),
            rank=F("position"),
        )
        .values_list("due", "source", "group", "rank", "pk")
    )
    rows = steps.union(items, all=True).order_by("due", "source", "group", "rank", "pk")[:limit]
    return [(kind, pk) for _due, kind, _group, _rank, pk in rows]


class _RunClock:
    """The run's time: `now` at its start, moving on with the real clock as items are posted,
    so each item is stamped (and judged late) at the moment it is posted."""

    def __init__(self, now: datetime | None):
        self._real_start = timezone.now()
        self._start = now or self._real_start

    def __call__(self) -> datetime:
        return self._start + (timezone.now() - self._real_start)


def _post_one(kind: int, pk: int, clock: _RunClock) -> bool | None:
    """Post one candidate in its own transaction: True when posted, None when another run
    has it (or has posted it already)."""
    with transaction.atomic():
        at = clock()
        if kind == STEP:
            step = _due_steps(at).filter(pk=pk).first()
            if step is None:
                return None
            _post_step(step, clock())
        else:
            item = _due_flow_items(at).filter(pk=pk).first()
            if item is None:
                return None
            _post_flow_item(item, clock())
    return True


def _drain(clock: _RunClock) -> dict:
    counts = {"steps": 0, "flow_items": 0, "failed": 0}
    skip: dict[int, list[int]] = {STEP: [], FLOW_ITEM: []}
    posted = 0
    while posted < MAX_PER_RUN:
        candidates = due_candidates(now=clock(), skip_steps=skip[STEP], skip_items=skip[FLOW_ITEM])
        if not candidates:
            break
        # Each post adds its fan-out to the outbox; wake the relay once per page of posts.
        with one_wake():
            for kind, pk in candidates:
                if posted >= MAX_PER_RUN:
                    break
                try:
                    done = _post_one(kind, pk, clock)
                except Exception:
                    # This item rolls back and stays due for the next run; carry on.
                    logger.exception("Posting %s %s failed", "step" if kind == STEP else "item", pk)
                    skip[kind].append(pk)
                    counts["failed"] += 1
                    continue
                if done is None:
                    skip[kind].append(pk)
                    continue
                posted += 1
                counts["steps" if kind == STEP else "flow_items"] += 1
    return counts


def post_due(*, now: datetime | None = None) -> dict:
    """Post everything due at `now`. Safe to run concurrently and repeatedly.

    Returns how many steps and flow items were posted, how many failed (and stay due), and
    how many relative-flow deliveries were made and skipped.
    """
    clock = _RunClock(now)
    counts = _drain(clock)
    relative = flows_deliver_relative(now=clock())
    counts["deliveries"] = relative["delivered"]
    counts["skipped"] = relative["skipped"]
    return counts


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


def _members_due(item: FlowItem, now: datetime, day_offset: int) -> RawSQL:
    return RawSQL(  # noqa: S611 - constant SQL; every value is a parameter
        _MEMBER_DUE_SQL,
        (now, day_offset, item.flow.post_time, org_tz().key),
        output_field=BooleanField(),
    )


def _catch_up_limit_offset(item: FlowItem) -> int | None:
    """The day of the item RELATIVE_CATCH_UP_ITEMS places after `item` in its flow, if any:
    a member already due for that one is too far behind to be sent `item` late."""
    order = list(
        FlowItem.objects.filter(flow_id=item.flow_id)
        .order_by("day_offset", "position", "pk")
        .values_list("pk", "day_offset")
    )
    index = next((n for n, (pk, _day) in enumerate(order) if pk == item.pk), None)
    if index is None or index + RELATIVE_CATCH_UP_ITEMS >= len(order):
        return None
    return order[index + RELATIVE_CATCH_UP_ITEMS][1]


def _relative_members(item: FlowItem):
    flow = item.flow
    members = Membership.objects.filter(
        community_id=flow.community_id,
        status=Membership.Status.ACTIVE,
        joined_at__isnull=False,
    )
    if flow.active_since:
        members = members.filter(joined_at__gte=flow.active_since)
    # Members who joined before the watermark were all served (or skipped) by earlier runs,
    # so each minute's run looks at a few rows, however long an outage lasted.
    if item.relative_served_before:
        members = members.filter(joined_at__gte=item.relative_served_before)
    return members


def relative_audience(*, item: FlowItem, now: datetime):
    """Members of the flow's community whose own day for `item` has come, and who are not
    so far behind that RELATIVE_CATCH_UP_ITEMS later items are due to them as well."""
    members = _relative_members(item).filter(_members_due(item, now, item.day_offset))
    limit = _catch_up_limit_offset(item)
    if limit is not None:
        members = members.exclude(_members_due(item, now, limit))
    return members.values("user_id")


def relative_skipped(*, item: FlowItem, now: datetime):
    """Members owed `item` who are too far behind for it: not served, and not to be."""
    limit = _catch_up_limit_offset(item)
    if limit is None:
        return None
    served = Notification.objects.filter(
        recipient_id=OuterRef("user_id"), dedupe_key=f"flow-item:{item.pk}"
    )
    return (
        _relative_members(item)
        .filter(_members_due(item, now, limit))
        .filter(~Exists(served))
        .values("user_id")
    )


def _record_skipped(*, item: FlowItem, now: datetime) -> int:
    audience = relative_skipped(item=item, now=now)
    if audience is None:
        return 0
    sub_sql, sub_params = audience.query.sql_with_params()
    reason = (
        f"{RELATIVE_CATCH_UP_ITEMS} later items of the flow were already due when delivery "
        "caught up after an outage; the newer ones were sent instead"
    )
    sql = f"""
        INSERT INTO {FlowItemSkip._meta.db_table} (item_id, user_id, reason, recorded_at)
        SELECT DISTINCT %s, a.uid, %s, %s FROM ({sub_sql}) AS a(uid)
        ON CONFLICT DO NOTHING
    """  # noqa: S608 - table names are ours; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, (item.pk, reason, now, *sub_params))
        return cursor.rowcount


def flows_deliver_relative(*, now: datetime | None = None) -> dict:
    """Deliver onboarding-sequence items to each newcomer's inbox on their own day.

    One INSERT ... SELECT per item; the dedupe key makes every run after the first a no-op
    for members already served, so each member gets each item once. After an outage of any
    length every missed item is delivered, except to members so far behind that
    RELATIVE_CATCH_UP_ITEMS later items are due too: those are recorded in FlowItemSkip with
    the reason. Returns {"delivered": n, "skipped": m}.
    """
    now = now or timezone.now()
    totals = {"delivered": 0, "skipped": 0}
    items = FlowItem.objects.select_related("flow__community", "flow__curator").filter(
        flow__mode=Flow.Mode.RELATIVE, flow__is_paused=False
    )
    for item in items.order_by("flow_id", "day_offset", "position"):
        with transaction.atomic():
            count = notify_audience_now(
                audience=relative_audience(item=item, now=now),
                kind="flow_item",
                title=f"{item.flow.community.name}: {item.title}",
                body=item.body[:2000],
                url=item.url or reverse("challenges:flow_item", args=[item.flow_id, item.pk]),
                dedupe_key=f"flow-item:{item.pk}",
            )
            skipped = _record_skipped(item=item, now=now)
            if count:
                activity_record(
                    verb="flow_item_posted",
                    actor=item.flow.curator,
                    community_id=item.flow.community_id,
                    object_type="flow_item",
                    object_id=item.pk,
                    extra={"flow_id": item.flow_id, "delivered": count, "relative": True},
                )
            served_before = now - timedelta(days=item.day_offset) - _RELATIVE_DUE_MARGIN
            if item.relative_served_before is None or served_before > item.relative_served_before:
                FlowItem.objects.filter(pk=item.pk).update(relative_served_before=served_before)
        totals["delivered"] += count
        totals["skipped"] += skipped
    return totals
