"""What communities show on a topic's hub: its questions (unanswered first), its tips and
the communities about it; and the topic feed's public questions and tips. One query each,
only what the reader may read (threads_visible_in / communities_visible_in: the rules of
threads_visible_to / communities_visible_to, applied through the communities the hub read
once), anonymous authors never named."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialearn.people import hubs
from socialearn.people.models import person_name
from socialearn.people.search import Hit

from .models import Community, Thread
from .selectors import ANONYMOUS, communities_visible_in, threads_visible_in, threads_visible_to

QUESTION_KINDS = (Thread.Kind.QUESTION, Thread.Kind.HELP)


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def _questions(limit: int, answered: bool, *, topic: int, places: list[int]):
    return (
        threads_visible_in(places)
        .filter(kind__in=QUESTION_KINDS, topics=topic, accepted_reply_id__isnull=not answered)
        .order_by("-created_at", "-id")
        .values(
            "id", "title", "accepted_reply_id", "created_at", "community__name", "community__slug"
        )[:limit]
    )


def _tips(limit: int, *, topic: int, places: list[int]):
    return (
        threads_visible_in(places)
        .filter(kind=Thread.Kind.TIP, topics=topic)
        .select_related("community")
        .order_by("-created_at", "-id")
        .only("title", "created_at", "community__name", "community__slug")[:limit]
    )


def _communities(limit: int, *, topic: int, places: list[int]):
    return (
        communities_visible_in(places)
        .filter(status=Community.Status.ACTIVE, topics=topic)
        .order_by("name", "id")
        .only("name", "slug", "kind", "visibility", "purpose")[:limit]
    )


@hubs.register(
    "questions",
    label=_("Questions"),
    order=10,
    empty=_("No questions on this topic yet. Ask one in a community about it."),
)
def questions(viewer, topic, *, limit: int, places) -> list[Hit]:
    """Unanswered first, then answered, newest first in each: each read off the created_at
    index, the answered only when the unanswered are fewer than `limit` (sorting by
    "answered" first sorted every question on the topic: 14,000 at the large organisation,
    0.14 s)."""
    places = list(places)
    rows = hubs.compiled_rows(_questions, limit, False, topic=topic.pk, places=places)
    if len(rows) < limit:
        rows += hubs.compiled_rows(
            _questions, limit - len(rows), True, topic=topic.pk, places=places
        )
    return [
        Hit(
            title=r["title"],
            url=reverse("communities:thread", args=[r["community__slug"], r["id"]]),
            label=gettext("Answered") if r["accepted_reply_id"] else gettext("Unanswered"),
            meta=f"{r['community__name']} · {_when(r['created_at'])}",
        )
        for r in rows
    ]


@hubs.register(
    "tips", label=_("Tips"), order=20, empty=_("No tips yet. Share what you learned on this topic.")
)
def tips(viewer, topic, *, limit: int, places) -> list[Hit]:
    rows = hubs.compiled_rows(_tips, limit, topic=topic.pk, places=list(places))
    return [
        Hit(
            title=t.title,
            url=t.get_absolute_url(),
            meta=f"{t.community.name} · {_when(t.created_at)}",
        )
        for t in rows
    ]


@hubs.register(
    "communities",
    label=_("Communities"),
    order=60,
    empty=_("No community is about this topic yet. Propose one."),
)
def communities(viewer, topic, *, limit: int, places) -> list[Hit]:
    rows = hubs.compiled_rows(_communities, limit, topic=topic.pk, places=list(places))
    return [
        Hit(
            title=c.name,
            url=c.get_absolute_url(),
            excerpt=c.purpose[:140],
            meta=f"{c.get_kind_display()} · {c.get_visibility_display()}",
        )
        for c in rows
    ]


@hubs.register_feed("threads", marker="SELECT max(id) FROM communities_thread")
def feed_threads(topic, *, limit: int) -> list[hubs.FeedItem]:
    """Public questions, help requests and tips on the topic (feed readers are not signed in)."""
    rows = (
        threads_visible_to(None)
        .filter(kind__in=(*QUESTION_KINDS, Thread.Kind.TIP), topics=topic)
        .select_related("community", "author__profile")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        hubs.FeedItem(
            title=t.title,
            url=t.get_absolute_url(),
            description=t.body_html,
            published=t.created_at,
            author=str(ANONYMOUS) if t.is_anonymous else person_name(t.author),
            category=t.get_kind_display(),
        )
        for t in rows
    ]
