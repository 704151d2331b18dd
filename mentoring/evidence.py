"""Mentoring given counts as evidence of expertise: a mentor's active or completed matches,
on the topics mentor and protégé enrolled with in common. Only the fact and the programme
are shown, never the protégé nor anything of the conversations."""

from typing import cast

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialearn.people import evidence
from socialearn.people.search import Hit

from .models import Match


def _mentoring_given(viewer) -> QuerySet:
    return (
        Match.objects.filter(status__in=[Match.Status.ACTIVE, Match.Status.COMPLETED])
        .filter(mentor__topics=F("protege__topics"))
        .annotate(ev_user=F("mentor__user_id"), ev_topic=F("mentor__topics__id"), ev_object=F("pk"))
    )


def _mentoring_items(viewer, user_id: int, topic_id: int, limit: int) -> list[Hit]:
    matches = (
        _mentoring_given(viewer)
        .filter(mentor__user_id=user_id, ev_topic=topic_id)
        .select_related("programme")
        .order_by("-started_at", "-id")
        .distinct()[:limit]
    )
    return [
        Hit(
            title=_("Mentor in %(programme)s") % {"programme": m.programme.name},
            url=reverse("mentoring:programme", args=[m.programme_id]),
            meta=(
                _("since %(month)s") % {"month": date_format(m.started_at, _("M Y"))}
                if m.started_at
                else str(m.get_status_display())
            )
            + (" · " + _("completed") if m.status == Match.Status.COMPLETED else ""),
        )
        for m in matches
    ]


evidence.register(
    "mentoring_given",
    singular=cast(str, gettext_lazy("protégé mentored")),
    plural=cast(str, gettext_lazy("protégés mentored")),
    order=50,
    weight=2,
    items=_mentoring_items,
    # A match counts from its start, when match_accept() calls evidence.changed().
)(_mentoring_given)
