"""Lists of communities: the directory and the private ones a person may ask to join."""

from django.db.models import (
    BooleanField,
    CharField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce

from ..models import Community, Membership
from .visibility import _active_member_q, communities_visible_to


def community_list(user, *, kind: str = "", topic: str = "", q: str = "") -> QuerySet:
    qs = communities_visible_to(user).filter(status=Community.Status.ACTIVE)
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        # EXISTS, not a join: no duplicates to remove, so nothing forces DISTINCT.
        tagged = Community.topics.through.objects.filter(
            community_id=OuterRef("pk"), topic__slug=topic
        )
        qs = qs.filter(Exists(tagged))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(purpose__icontains=q))
    qs = qs.annotate(
        i_am_member=(
            _active_member_q(user)
            if user.is_authenticated
            else Value(False, output_field=BooleanField())
        ),
    )
    return qs.prefetch_related("topics").order_by("name")


def private_communities_to_ask(user) -> list[dict]:
    """Private communities a person may ask to join: their name and kind only, never their
    purpose, members or threads. Also says whether a request or invitation is waiting."""
    if not user.is_authenticated:
        return []
    mine = Membership.objects.filter(community=OuterRef("pk"), user=user)
    labels = dict(Community.Kind.choices)
    rows = list(
        Community.objects.filter(
            status=Community.Status.ACTIVE, visibility=Community.Visibility.PRIVATE
        )
        .exclude(Exists(mine.filter(status=Membership.Status.ACTIVE)))
        .annotate(
            my_status=Coalesce(mine.values("status")[:1], Value(""), output_field=CharField())
        )
        .order_by("name")
        .values("name", "slug", "kind", "my_status")[:50]
    )
    for row in rows:
        row["kind_label"] = labels.get(row["kind"], "")
    return rows
