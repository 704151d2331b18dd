"""Expert sessions on a topic's hub (upcoming and past, never cancelled ones) and in its
public feed. One query per section, sessions of communities the reader may read
(expertqa.selectors.visible_sessions)."""

from typing import cast

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Community
from socialearn.people import hubs
from socialearn.people.evidence import InPlaces
from socialearn.people.search import Hit

from .models import Session


def _when(moment) -> str:
    """In the reader's zone (the middleware activates it)."""
    return date_format(timezone.localtime(moment), _("D j M Y, H:i"))


def _hits(rows) -> list[Hit]:
    return [
        Hit(
            title=s.title,
            url=s.get_absolute_url(),
            meta=f"{_when(s.starts_at)} · {s.community.name}",
        )
        for s in rows
    ]


def _sessions(topic: int, places: list[int]):
    """visible_sessions(viewer) through the communities the hub read once."""
    return (
        Session.objects.filter(InPlaces("community_id", places))
        .filter(topic=topic, cancelled_at__isnull=True)
        .select_related("community")
        .only("title", "starts_at", "ends_at", "community__name", "community__slug")
    )


def _upcoming(limit: int, *, topic: int, places: list[int], now):
    return _sessions(topic, places).filter(ends_at__gte=now).order_by("starts_at", "id")[:limit]


def _past(limit: int, *, topic: int, places: list[int], now):
    return _sessions(topic, places).filter(ends_at__lt=now).order_by("-starts_at", "-id")[:limit]


@hubs.register(
    "upcoming_sessions",
    label=cast(str, gettext_lazy("Upcoming expert sessions")),
    order=30,
    empty=cast(
        str, gettext_lazy("No session planned. Community managers can schedule one with an expert.")
    ),
)
def upcoming(viewer, topic, *, limit: int, places) -> list[Hit]:
    if not viewer.is_authenticated:
        return []
    now = timezone.now()
    return _hits(hubs.compiled_rows(_upcoming, limit, topic=topic.pk, places=list(places), now=now))


@hubs.register(
    "past_sessions",
    label=cast(str, gettext_lazy("Past expert sessions")),
    order=40,
    empty=cast(str, gettext_lazy("None yet.")),
)
def past(viewer, topic, *, limit: int, places) -> list[Hit]:
    if not viewer.is_authenticated:
        return []
    now = timezone.now()
    return _hits(hubs.compiled_rows(_past, limit, topic=topic.pk, places=list(places), now=now))


@hubs.register_feed("sessions", marker="SELECT max(id) FROM expertqa_session")
def feed_sessions(topic, *, limit: int) -> list[hubs.FeedItem]:
    rows = (
        Session.objects.filter(
            topic=topic,
            cancelled_at__isnull=True,
            community__visibility=Community.Visibility.PUBLIC,
            community__status__in=[Community.Status.ACTIVE, Community.Status.ARCHIVED],
        )
        .select_related("community")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        hubs.FeedItem(
            title=_("Expert session: %(title)s") % {"title": s.title},
            url=s.get_absolute_url(),
            description=s.description_html,
            published=s.created_at,
            category=_("Expert session"),
        )
        for s in rows
    ]
