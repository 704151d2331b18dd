"""Lists of communities: the directory and the private ones a person may ask to join."""

import functools

from django.contrib.auth import get_user_model
from django.db import connection
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

from socialearn.compiled import ForReader, for_reader
from socialearn.people.models import Topic

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


def _topics_in_use() -> QuerySet:
    return (
        Topic.objects.filter(communities__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )


@functools.cache
def _topics_in_use_sql() -> tuple[str, tuple]:
    return _topics_in_use().query.sql_with_params()


def community_topics() -> list[dict]:
    """The topics of any community (slug and name, by name), for the directory's filter.
    The same SQL on every view: compiled once per process."""
    sql, params = _topics_in_use_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [{"slug": slug, "name": name} for slug, name in cursor.fetchall()]


def _private_to_ask(user) -> QuerySet:
    mine = Membership.objects.filter(community=OuterRef("pk"), user=user)
    return (
        Community.objects.filter(
            status=Community.Status.ACTIVE, visibility=Community.Visibility.PRIVATE
        )
        .exclude(Exists(mine.filter(status=Membership.Status.ACTIVE)))
        .annotate(
            my_status=Coalesce(mine.values("status")[:1], Value(""), output_field=CharField())
        )
        .order_by("name")
        .values_list("name", "slug", "kind", "my_status")[:50]
    )


@functools.cache
def _private_to_ask_for_someone() -> ForReader:
    """_private_to_ask() for a signed-in reader, compiled once per process."""
    User = get_user_model()
    compiled = for_reader(lambda pk: _private_to_ask(User(pk=pk)).query.sql_with_params())
    if compiled is None:
        raise RuntimeError("_private_to_ask() depends on more than the reader's id")
    return compiled


def private_communities_to_ask(user) -> list[dict]:
    """Private communities a person may ask to join: their name and kind only, never their
    purpose, members or threads. Also says whether a request or invitation is waiting.

    Its SQL depends on the reader's id alone: compiled once per process and each reader's id
    put in its places (the directory of communities built and compiled it on every view);
    tests hold it equal to the queryset's own."""
    if not user.is_authenticated:
        return []
    compiled = _private_to_ask_for_someone()
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params_for(user.pk))
        found = cursor.fetchall()
    labels = dict(Community.Kind.choices)
    return [
        {
            "name": name,
            "slug": slug,
            "kind": kind,
            "my_status": status,
            "kind_label": labels.get(kind, ""),
        }
        for name, slug, kind, status in found
    ]
