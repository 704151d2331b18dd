"""Challenges on a topic's hub: published challenges running in communities about the topic
(challenges have no topics of their own), as the reader may see them. One query."""

from django.contrib.auth import get_user_model
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialearn.people import hubs
from socialearn.people.permissions import LD_ADMIN, is_lnd_admin, remember_group_names
from socialearn.people.search import Hit

from .models import Challenge
from .selectors import visible_challenges


def _challenges(limit: int, lnd_admin: bool, *, reader: int, topic: int, places: list[int]):
    """The reader as far as readable_challenges_q() asks: their id and whether they are an
    L&D admin."""
    viewer = get_user_model()(pk=reader)
    remember_group_names(viewer, frozenset({LD_ADMIN} if lnd_admin else ()))
    ids = (
        visible_challenges(viewer, places=places)
        .filter(status=Challenge.Status.PUBLISHED, community__topics=topic)
        .values("pk")
    )
    return (
        Challenge.objects.filter(pk__in=ids)
        .select_related("community")
        .order_by("-start_date", "-id")
        .only("title", "summary", "start_date", "community__name", "community__slug")[:limit]
    )


@hubs.register(
    "challenges",
    label=_("Challenges"),
    order=50,
    empty=_("No challenge on this topic yet."),
)
def challenges(viewer, topic, *, limit: int, places) -> list[Hit]:
    rows = hubs.compiled_rows(
        _challenges,
        limit,
        is_lnd_admin(viewer),
        reader=viewer.pk,
        topic=topic.pk,
        places=list(places),
    )
    return [
        Hit(
            title=c.title,
            url=c.get_absolute_url(),
            excerpt=c.summary,
            meta=" · ".join(
                x
                for x in (
                    c.community.name if c.community is not None else "",
                    gettext("from %(day)s") % {"day": date_format(c.start_date, "DATE_FORMAT")}
                    if c.start_date
                    else "",
                )
                if x
            ),
        )
        for c in rows
    ]
