"""Reads the live pages share, each in a fixed number of queries whatever the lists' length."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

from expertqa.models import (
    LiveEvent,
    LiveMessage,
    LivePrompt,
    LiveReaction,
    Poll,
    PollBallot,
    PollOption,
    Question,
    Session,
)
from expertqa.selectors import _people, person_name

MESSAGES_SHOWN = 200
REACTION_ORDER = [k.value for k in LiveReaction.Kind]


def event_for_page(pk: int) -> LiveEvent:
    return (
        LiveEvent.objects.select_related(
            "session__community",
            "session__topic",
            "session__moderator__profile",
            "session__thread",
            "kept_thread",
            "pinned__author__profile",
        )
        .prefetch_related(
            Prefetch("session__experts", queryset=_people()),
            Prefetch("moderators", queryset=_people()),
        )
        .get(pk=pk)
    )


def _decorate_messages(messages: list[LiveMessage]) -> list[LiveMessage]:
    """Names and reaction counts, one query for the reactions of all of them."""
    counts: dict[int, Counter] = {m.pk: Counter() for m in messages}
    if messages:
        rows = (
            LiveReaction.objects.filter(message_id__in=list(counts))
            .values_list("message_id", "kind")
            .annotate(n=Count("id"))
        )
        for message_id, kind, n in rows:
            counts[message_id][kind] = n
    for m in messages:
        m.author_name = person_name(m.author)  # type: ignore[attr-defined]
        m.reaction_counts = [  # type: ignore[attr-defined]
            (kind, LiveReaction.Kind(kind).label, counts[m.pk][kind]) for kind in REACTION_ORDER
        ]
        parent = m.parent
        if parent is not None:
            m.parent_name = person_name(parent.author)  # type: ignore[attr-defined]
            m.parent_text = "" if parent.hidden_at else parent.body[:80]  # type: ignore[attr-defined]
    return messages


def message_for_broadcast(pk: int) -> LiveMessage:
    message = LiveMessage.objects.select_related(
        "author__profile", "parent__author__profile", "prompt"
    ).get(pk=pk)
    return _decorate_messages([message])[0]


def recent_messages(event: LiveEvent, limit: int = MESSAGES_SHOWN) -> list[LiveMessage]:
    """The latest visible messages, oldest first."""
    rows = list(
        LiveMessage.objects.filter(event=event, hidden_at__isnull=True)
        .select_related("author__profile", "parent__author__profile", "prompt")
        .order_by("-created_at", "-id")[:limit]
    )
    rows.reverse()
    return _decorate_messages(rows)


def all_messages(event: LiveEvent) -> list[LiveMessage]:
    """Every visible message, oldest first: what the kept thread records."""
    rows = list(
        LiveMessage.objects.filter(event=event, hidden_at__isnull=True)
        .select_related("author__profile", "parent__author__profile", "prompt")
        .order_by("created_at", "id")
    )
    return _decorate_messages(rows)


@dataclass
class PromptGroup:
    prompt: LivePrompt
    messages: list = field(default_factory=list)


def prompt_groups(event: LiveEvent, messages: list[LiveMessage]) -> tuple[list, list]:
    """A chat's released prompts with their answers under them, and the prompts still due."""
    prompts = list(LivePrompt.objects.filter(event=event).order_by("number"))
    released = [PromptGroup(prompt=p) for p in prompts if p.released_at is not None]
    by_pk = {g.prompt.pk: g for g in released}
    for m in messages:
        if m.prompt_id in by_pk:
            by_pk[m.prompt_id].messages.append(m)
    return released, [p for p in prompts if p.released_at is None]


def split_questions(questions: list[Question]) -> tuple[list, list]:
    """Open questions (most votes first) and answered ones, in their own section."""
    open_ = [q for q in questions if not q.answered_at]
    answered = [q for q in questions if q.answered_at]
    answered.sort(key=lambda q: q.answered_at.timestamp() if q.answered_at else 0.0)
    return open_, answered


# --- polls ------------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    votes: int
    percent: int


@dataclass
class Tally:
    rows: list[Result] = field(default_factory=list)
    words: list[tuple[str, int, int]] = field(default_factory=list)  # word, votes, size 1-5
    average: float | None = None
    total: int = 0


def _tally(poll: Poll, option_counts: dict, ratings: dict, words: dict) -> Tally:
    total = poll.ballot_count
    tally = Tally(total=total)

    def percent(n: int) -> int:
        return round(100 * n / total) if total else 0

    if poll.kind in (Poll.Kind.SINGLE, Poll.Kind.MULTIPLE):
        tally.rows = [
            Result(o.label, option_counts.get(o.pk, 0), percent(option_counts.get(o.pk, 0)))
            for o in poll.options.all()
        ]
    elif poll.kind == Poll.Kind.RATING:
        counts = ratings.get(poll.pk, {})
        tally.rows = [
            Result(str(r), counts.get(r, 0), percent(counts.get(r, 0))) for r in Poll.RATING_SCALE
        ]
        n = sum(counts.values())
        tally.average = round(sum(r * c for r, c in counts.items()) / n, 1) if n else None
    else:
        counted = sorted(words.get(poll.pk, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:40]
        top = counted[0][1] if counted else 1
        tally.words = [(w, n, 1 + round(4 * n / top)) for w, n in sorted(counted)]
    return tally


def polls_with_results(polls: list[Poll], user=None) -> list[Poll]:
    """Each poll's tally and the viewer's own ballot: four queries for any number of polls."""
    ids = [p.pk for p in polls]
    if not ids:
        return polls
    option_counts = dict(
        PollOption.objects.filter(poll_id__in=ids)
        .annotate(n=Count("ballots"))
        .values_list("pk", "n")
    )
    ratings: dict[int, dict[int, int]] = {}
    words: dict[int, dict[str, int]] = {}
    rows = (
        PollBallot.objects.filter(poll_id__in=ids)
        .exclude(rating__isnull=True, words="")
        .values_list("poll_id", "rating", "words")
        .annotate(n=Count("id"))
    )
    for poll_id, rating, word, n in rows:
        if rating is not None:
            ratings.setdefault(poll_id, {})[rating] = n
        if word:
            words.setdefault(poll_id, {})[word] = words.get(poll_id, {}).get(word, 0) + n
    mine: set[int] = set()
    if user is not None and user.is_authenticated:
        mine = set(
            PollBallot.objects.filter(poll_id__in=ids, user=user).values_list("poll_id", flat=True)
        )
    for p in polls:
        p.tally = _tally(p, option_counts, ratings, words)  # type: ignore[attr-defined]
        p.voted = p.pk in mine  # type: ignore[attr-defined]
    return polls


def session_polls(session: Session, *, runner: bool, user=None) -> list[Poll]:
    """The polls a viewer sees on a session: drafts only for those who run it."""
    polls = Poll.objects.filter(session=session).prefetch_related("options").order_by("-pk")
    if not runner:
        polls = polls.exclude(state=Poll.State.DRAFT)
    return polls_with_results(list(polls), user)


def poll_for_broadcast(pk: int) -> Poll:
    poll = Poll.objects.prefetch_related("options").get(pk=pk)
    return polls_with_results([poll])[0]
