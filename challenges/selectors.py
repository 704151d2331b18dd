"""Reads the challenge pages share, with their joins done once.

Who may see and do what is written in challenges.permissions."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext

from communities.models import Reply
from communities.selectors import compiled_readable
from socialearn import generations
from socialearn.subqueries import count_per_row

from . import charts, permissions, streaks
from .models import Challenge, Completion, Flow, FlowItem, Participant, Step


def when_label(moment: datetime, *, now: datetime, tz: ZoneInfo) -> str:
    """ "today at 09:00", "tomorrow at 09:00" or "Monday 7 December at 09:00", in `tz`."""
    local = moment.astimezone(tz)
    days = (local.date() - now.astimezone(tz).date()).days
    at = {"time": local.strftime("%H:%M")}
    if days == 0:
        return gettext("today at %(time)s") % at
    if days == 1:
        return gettext("tomorrow at %(time)s") % at
    return gettext("%(day)s at %(time)s") % {"day": date_format(local, gettext("l j F")), **at}


SCOREBOARD_PAGE = 50


def _tz(user):
    profile = getattr(user, "profile", None)
    if profile is None:
        from .services import org_tz

        return org_tz()
    return profile.tz


def visible_challenges(user, *, places=None) -> QuerySet:
    """`places`: the ids of the communities the person may read, when read already."""
    return (
        Challenge.objects.filter(is_template=False)
        .filter(permissions.readable_challenges_q(user, places=places))
        .select_related("community")
    )


def challenge_list(user) -> QuerySet:
    return (
        visible_challenges(user)
        .exclude(status=Challenge.Status.ARCHIVED)
        .annotate(
            participant_count=Count(
                "participants", filter=Q(participants__left_at__isnull=True), distinct=True
            ),
            step_count=Count("steps", distinct=True),
            is_participant=Exists(
                Participant.objects.filter(
                    challenge=OuterRef("pk"), user=user, left_at__isnull=True
                )
            ),
        )
        .order_by("-is_participant", "-start_date", "title")
    )


def template_list() -> QuerySet:
    return (
        Challenge.objects.filter(is_template=True)
        .annotate(step_count=Count("steps"))
        .order_by("pk")
    )


def challenge_steps(challenge: Challenge) -> list[Step]:
    return list(challenge.steps.order_by("position"))


@dataclass
class Progress:
    participant: Participant | None
    steps: list[Step]
    completed: dict[int, Completion] = field(default_factory=dict)
    today: Step | None = None
    next_step: Step | None = None
    streak: streaks.Streak = streaks.Streak(0, 0, 0)
    # What pulls the person back: done and missed periods since they joined, when the next
    # step comes out in their zone, and the steps released before they joined, not yet done.
    strip: list[streaks.PeriodMark] = field(default_factory=list)
    next_label: str = ""
    joined_day: int = 0
    catch_up: list[Step] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.completed)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def released(self) -> int:
        return sum(1 for s in self.steps if s.is_posted)


def progress_for(challenge: Challenge, user, now: datetime | None = None) -> Progress:
    now = now or timezone.now()
    participant = Participant.objects.filter(challenge=challenge, user=user).first()
    steps = challenge_steps(challenge)
    completions = {c.step_id: c for c in Completion.objects.filter(challenge=challenge, user=user)}
    posted = [s for s in steps if s.is_posted]
    upcoming = [s for s in steps if not s.is_posted and s.release_at]
    result = Progress(
        participant=participant,
        steps=steps,
        completed=completions,
        today=posted[-1] if posted else None,
        next_step=min(upcoming, key=lambda s: s.release_at or now) if upcoming else None,
    )
    tz = _tz(user)
    actions = [c.completed_at for c in completions.values()]
    result.streak = streaks.streak(
        actions, now=now, period=challenge.streak_period, tz=tz, grace=challenge.streak_grace
    )
    if result.next_step and result.next_step.release_at:
        result.next_label = when_label(result.next_step.release_at, now=now, tz=tz)
    if participant is not None:
        joined = participant.joined_at
        result.strip = streaks.calendar_strip(
            actions, since=joined, now=now, period=challenge.streak_period, tz=tz
        )
        before = [s for s in posted if s.posted_at and s.posted_at < joined]
        if before:
            # The day (or week) of the challenge they joined on: one past the steps already out.
            result.joined_day = len(before) + 1
            result.catch_up = [s for s in before if s.pk not in completions]
    return result


def step_answers(step: Step, limit: int = 50) -> list[Reply]:
    if step.thread_id is None:
        return []
    return list(
        Reply.objects.filter(thread_id=step.thread_id, status=Reply.Status.PUBLISHED)
        .select_related("author__profile")
        .order_by("created_at", "id")[:limit]
    )


@dataclass
class ScoreRow:
    participant: Participant
    name: str
    completions: int
    streak: streaks.Streak
    last_completed_at: datetime | None


def scoreboard(challenge: Challenge, now: datetime | None = None, page: int = 1) -> dict:
    """Participants ranked by steps completed (in SQL), one page at a time.

    Streaks need each person's completion times, so they are computed for the page shown.
    """
    now = now or timezone.now()
    done = (
        Completion.objects.filter(challenge_id=challenge.pk, user_id=OuterRef("user_id"))
        .order_by()
        .values("user_id")
    )
    ranked = (
        Participant.objects.filter(challenge=challenge, left_at__isnull=True)
        .select_related("user__profile__location")
        .annotate(
            completions=Coalesce(Subquery(done.annotate(n=Count("id")).values("n")), 0),
            last_completed_at=Subquery(done.annotate(m=Max("completed_at")).values("m")),
        )
        .order_by("-completions", F("last_completed_at").desc(nulls_last=True), "joined_at", "pk")
    )
    paginator = Paginator(ranked, SCOREBOARD_PAGE)
    page_obj = paginator.get_page(page)
    participants = list(page_obj.object_list)
    times: dict[int, list[datetime]] = defaultdict(list)
    for user_id, completed_at in Completion.objects.filter(
        challenge=challenge, user_id__in=[p.user_id for p in participants]
    ).values_list("user_id", "completed_at"):
        times[user_id].append(completed_at)
    rows = []
    for p in participants:
        profile = getattr(p.user, "profile", None)
        rows.append(
            ScoreRow(
                participant=p,
                name=profile.name if profile else str(p.user),
                completions=p.completions,
                streak=streaks.streak(
                    times.get(p.user_id, []),
                    now=now,
                    period=challenge.streak_period,
                    tz=_tz(p.user),
                    grace=challenge.streak_grace,
                ),
                last_completed_at=p.last_completed_at,
            )
        )
    totals = Participant.objects.filter(challenge=challenge, left_at__isnull=True).aggregate(
        joined=Count("id"),
        active=Count(
            "id",
            filter=Exists(
                Completion.objects.filter(
                    challenge_id=challenge.pk,
                    user_id=OuterRef("user_id"),
                    completed_at__gte=now - timedelta(days=7),
                )
            ),
        ),
    )
    return {
        "rows": rows,
        "page": page_obj,
        "joined": totals["joined"],
        "active_this_week": totals["active"],
        "completions": Completion.objects.filter(challenge=challenge).count(),
        "offset": page_obj.start_index() - 1 if rows else 0,
    }


def figures(challenge: Challenge) -> dict:
    """The L&D view: joined and active each week, and completion per step."""
    joined = dict(
        Participant.objects.filter(challenge=challenge)
        .annotate(week=TruncWeek("joined_at"))
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    active = dict(
        Completion.objects.filter(challenge=challenge)
        .annotate(week=TruncWeek("completed_at"))
        .values("week")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("week", "n")
    )
    weeks = sorted(set(joined) | set(active))
    per_step = list(
        challenge.steps.order_by("position")
        .annotate(n=Count("completions"))
        .values_list("position", "title", "n", "posted_at")
    )
    return {
        "weeks": [(w, joined.get(w, 0), active.get(w, 0)) for w in weeks],
        "per_step": per_step,
    }


SCOREBOARD_GENERATION = "challenges:scoreboard"
# What changes with time alone (a streak broken at the end of its day, a completion leaving
# the last seven days) and what no challenge service changes (a person renamed) shows within
# this time.
SCOREBOARD_SECONDS = 60


@dataclass(frozen=True)
class BoardPage:
    """What the scoreboard shows of its Paginator page, kept without the page's query."""

    number: int
    num_pages: int

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _scoreboard_page(challenge: Challenge, page) -> dict:
    board = scoreboard(challenge, page=page)
    found = board["page"]
    board["page"] = BoardPage(found.number, found.paginator.num_pages)
    found_figures = figures(challenge)
    weeks = found_figures["weeks"]
    week_labels = [date_format(w, gettext("d M")) for w, _, _ in weeks]
    return {
        "board": board,
        "figures": found_figures,
        "weekly_chart": charts.bar_chart(
            week_labels, [[j for _, j, _ in weeks], [a for _, _, a in weeks]]
        ),
        "steps_chart": charts.bar_chart(
            [str(pos) for pos, _, _, _ in found_figures["per_step"]],
            [[n for _, _, n, _ in found_figures["per_step"]]],
            max_value=max(board["joined"], 1),
        ),
    }


def scoreboard_page_number(page) -> int:
    """The page of the scoreboard asked for (?page=), 1 for anything but a number."""
    try:
        return int(page)
    except (TypeError, ValueError):
        return 1


def scoreboard_generation(challenge: Challenge) -> str:
    return generations.get(SCOREBOARD_GENERATION, challenge.pk)


def scoreboard_kept(challenge: Challenge, page: int = 1) -> dict:
    """The scoreboard page's figures and charts, the same for everyone who may see them, kept
    per page, language and time zone (the weeks) under the challenge's scoreboard generation:
    joining, leaving, completing a step and a step saved or posted start a new one
    (services.scoreboard_changed)."""
    zone = timezone.get_current_timezone_name()
    generation = scoreboard_generation(challenge)
    key = f"challenges:scoreboard:{challenge.pk}:{generation}:{get_language()}:{zone}:{page}"
    kept = cache.get(key)
    if kept is None:
        kept = _scoreboard_page(challenge, page)
        # A page past the last shows the last: kept under the numbers people link to only.
        if kept["board"]["page"].number == page:
            cache.set(key, kept, SCOREBOARD_SECONDS)
    return kept


def flow_list(user) -> QuerySet:
    qs = (
        Flow.objects.filter(permissions.curated_flows_q(user))
        .select_related("community", "curator__profile")
        .annotate(
            queued=Count("items", filter=Q(items__posted_at__isnull=True)),
            posted=Count("items", filter=Q(items__posted_at__isnull=False)),
        )
    )
    return qs.order_by("community__name", "name")


def flow_items(flow: Flow) -> dict:
    items = list(flow.items.select_related("thread").order_by("position", "id"))
    return {
        "queued": [i for i in items if not i.is_posted],
        "posted": sorted(
            (i for i in items if i.is_posted),
            key=lambda i: i.posted_at or timezone.now(),
            reverse=True,
        )[:30],
    }


def my_running_challenges(user, limit: int = 5, *, readable=None) -> list[Challenge]:
    """With `step_count` and the person's `done_count` for the progress bar (same query), and
    of the challenge only its title, all the home page shows.
    `readable`: communities_visible_to(user) as ids when the page built it already."""
    if readable is None:
        readable = compiled_readable(user)
    return list(
        Challenge.objects.filter(
            participants__user=user,
            participants__left_at__isnull=True,
            status=Challenge.Status.PUBLISHED,
            is_template=False,
            # Not once the person left the private community it lives in: of the rules of
            # visible_challenges(), the one a published challenge is held to.
            community_id__in=readable,
        )
        .annotate(
            step_count=count_per_row(Step.objects.all(), "challenge"),
            done_count=count_per_row(Completion.objects.filter(user=user), "challenge"),
        )
        .only("title")
        .order_by("-start_date")[:limit]
    )


def today_steps(challenges: list[Challenge], user) -> dict[int, Step]:
    """The latest posted step of each challenge, and whether `user` completed it (one query:
    the latest step of each by DISTINCT ON, its completion as an EXISTS), with the step's
    position and title only."""
    done = Completion.objects.filter(step=OuterRef("pk"), user=user)
    steps = (
        Step.objects.filter(challenge__in=challenges, posted_at__isnull=False)
        .only("challenge_id", "position", "title")
        .annotate(is_done=Exists(done))
        .order_by("challenge_id", "-position")
        .distinct("challenge_id")
    )
    return {step.challenge_id: step for step in steps}


# my_running_challenges and today_steps for the home page in one query (a LATERAL read of each
# challenge's latest posted step): tests/challenges/test_dashboard.py holds the two equal;
# change them together. Building and compiling the two through the ORM was most of the
# section's time for at most five rows.
_DASHBOARD_SQL = """
SELECT ch.id, ch.title,
       (SELECT count(*) FROM challenges_step s WHERE s.challenge_id = ch.id),
       (SELECT count(*) FROM challenges_completion c
         WHERE c.challenge_id = ch.id AND c.user_id = %s),
       today.id, today.position, today.title, today.is_done
  FROM challenges_challenge ch
  JOIN challenges_participant p ON p.challenge_id = ch.id
  LEFT JOIN LATERAL (
       SELECT s.id, s.position, s.title,
              EXISTS (SELECT 1 FROM challenges_completion c
                       WHERE c.step_id = s.id AND c.user_id = %s) AS is_done
         FROM challenges_step s
        WHERE s.challenge_id = ch.id AND s.posted_at IS NOT NULL
        ORDER BY s.position DESC LIMIT 1) today ON TRUE
 WHERE p.user_id = %s AND p.left_at IS NULL AND ch.status = %s AND NOT ch.is_template
   AND ch.community_id IN ({readable})
 ORDER BY ch.start_date DESC LIMIT %s
"""


def dashboard_rows(user, *, readable: RawSQL, limit: int = 5) -> list[tuple]:
    """[(challenge, today's step or None)] as my_running_challenges(user, limit, readable=)
    and today_steps() give them (with `step_count`, `done_count` and the step's `is_done`),
    of each only what the home page shows, in one query. `readable`: compiled_readable(user)."""
    params = [
        *(user.pk, user.pk, user.pk, Challenge.Status.PUBLISHED),
        *readable.params,
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_DASHBOARD_SQL.format(readable=readable.sql), params)
        found = cursor.fetchall()
    rows = []
    for pk, title, step_count, done_count, step_pk, position, step_title, is_done in found:
        challenge = Challenge(id=pk, title=title)
        challenge.step_count, challenge.done_count = step_count, done_count  # type: ignore[attr-defined]
        step = None
        if step_pk is not None:
            step = Step(id=step_pk, challenge_id=pk, position=position, title=step_title)
            step.is_done = is_done  # type: ignore[attr-defined]
        rows.append((challenge, step))
    return rows


def flow_item_for(flow: Flow, item_pk: int) -> FlowItem | None:
    return flow.items.filter(pk=item_pk).first()


# --- curation -----------------------------------------------------------------------------------

REVIEW_PAGE = 20


def flow_feeds(flow: Flow) -> list:
    from .models import FlowFeed

    return list(FlowFeed.objects.filter(flow=flow).order_by("created_at", "id"))


def review_queue(flow: Flow, *, page: int | str = 1):
    """The articles waiting for the curator, newest first, a page at a time (one query for
    the page, one for the count)."""
    from .models import FeedEntry

    rows = (
        FeedEntry.objects.filter(flow=flow, status=FeedEntry.Status.NEW)
        .only("title", "source", "url", "summary", "published_at", "created_at", "flow_id")
        .order_by("-created_at", "-published_at", "-id")
    )
    return Paginator(rows, REVIEW_PAGE).get_page(page)
