"""What communities count as evidence of expertise: accepted answers, tips written and tips
improved (a later revision by someone else). Published, non-anonymous posts only; for a
viewer, in communities that viewer can read."""

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialearn.people import evidence
from socialearn.people.search import Hit

from .models import Thread, TipRevision
from .selectors import compiled_readable, readable_ids, replies_visible_to


def _day(moment) -> str:
    return date_format(moment, "DATE_FORMAT")


def _accepted_answers(viewer) -> QuerySet:
    threads = Thread.objects.filter(status=Thread.Status.PUBLISHED, accepted_reply__isnull=False)
    if viewer is not None:
        threads = threads.filter(community__in=compiled_readable(viewer))
    return threads.filter(
        accepted_reply__status=Thread.Status.PUBLISHED,
        accepted_reply__is_anonymous=False,
    ).annotate(
        ev_user=F("accepted_reply__author_id"),
        ev_topic=F("topics__id"),
        ev_object=F("accepted_reply_id"),
    )


def _accepted_items(viewer, user_id: int, topic_id: int, limit: int) -> list[Hit]:
    replies = (
        replies_visible_to(viewer)
        .filter(
            author_id=user_id,
            is_anonymous=False,
            accepted_for__isnull=False,
            accepted_for__topics=topic_id,
        )
        .select_related("thread__community")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        Hit(
            title=r.thread.title,
            url=r.get_absolute_url(),
            meta=f"{r.thread.community.name} · {_day(r.created_at)}",
        )
        for r in replies
    ]


def _readable_tips(viewer) -> QuerySet:
    """Published tips signed by their authors, in communities the viewer may read (every
    community for viewer None)."""
    threads = Thread.objects.filter(
        status=Thread.Status.PUBLISHED, kind=Thread.Kind.TIP, is_anonymous=False
    )
    if viewer is not None:
        threads = threads.filter(community__in=compiled_readable(viewer))
    return threads


def _tips(viewer) -> QuerySet:
    return _readable_tips(viewer).annotate(
        ev_user=F("author_id"), ev_topic=F("topics__id"), ev_object=F("pk")
    )


def _tip_items(viewer, user_id: int, topic_id: int, limit: int) -> list[Hit]:
    threads = (
        _tips(viewer)
        .filter(author_id=user_id, topics=topic_id)
        .select_related("community")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        Hit(
            title=t.title,
            url=t.get_absolute_url(),
            meta=f"{t.community.name} · {_day(t.created_at)}",
        )
        for t in threads
    ]


def _improvements(viewer) -> QuerySet:
    """Revisions after the first, by someone other than the tip's author: one per tip counts
    (improving the same tip five times is one tip improved)."""
    return (
        TipRevision.objects.filter(number__gt=1, thread__in=_readable_tips(viewer).values("pk"))
        .exclude(author_id=F("thread__author_id"))
        .annotate(
            ev_user=F("author_id"), ev_topic=F("thread__topics__id"), ev_object=F("thread_id")
        )
    )


def _improvement_items(viewer, user_id: int, topic_id: int, limit: int) -> list[Hit]:
    """The tips (readable, on the topic) this person improved, by their latest revision: the
    rule of _improvements() applied to the tips once, not again inside each subquery."""
    theirs = TipRevision.objects.filter(number__gt=1, author_id=user_id).exclude(
        author_id=F("thread__author_id")
    )
    last = theirs.filter(thread_id=OuterRef("pk")).order_by("-created_at").values("created_at")
    threads = (
        _readable_tips(viewer)
        .filter(topics=topic_id, pk__in=theirs.values("thread_id"))
        .annotate(improved_at=Subquery(last[:1]))
        .select_related("community")
        .order_by("-improved_at", "-id")[:limit]
    )
    return [
        Hit(
            title=t.title,
            url=t.get_absolute_url(),
            meta=f"{t.community.name} · "
            + gettext("improved %(day)s") % {"day": _day(t.improved_at)},
        )
        for t in threads
    ]


evidence.register(
    "accepted_answers",
    singular=_("accepted answer"),
    plural=_("accepted answers"),
    order=10,
    weight=3,
    items=_accepted_items,
    place="community_id",
    # Accepting an answer adds no row: answer_accept() calls evidence.changed().
    marker="SELECT max(id) FROM communities_thread_topics",
)(_accepted_answers)
evidence.register(
    "tips_written",
    singular=_("tip written"),
    plural=_("tips written"),
    order=30,
    weight=2,
    items=_tip_items,
    place="community_id",
    marker="SELECT max(id) FROM communities_thread",
)(_tips)
evidence.register(
    "tips_improved",
    singular=_("tip improved"),
    plural=_("tips improved"),
    order=40,
    weight=1,
    items=_improvement_items,
    place="thread__community_id",
    marker="SELECT max(id) FROM communities_tiprevision",
)(_improvements)
evidence.register_readable_places(readable_ids)
