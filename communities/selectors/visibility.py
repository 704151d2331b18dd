"""Who may see which communities, threads and replies, set-wise.

The rules themselves are written in communities.permissions; in short:
- a community is visible when it is active or archived and public, or the person is an active
  member; a proposed community only to whoever proposed it (and L&D admins on the approvals
  page);
- a thread or reply is visible when its community is and it is published; its author and the
  community's managers also see it while held, pending or hidden;
- an anonymous post names its author to the community's managers only.
"""

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL

from socialearn.compiled import ForReader, for_reader
from socialearn.people.evidence import InPlaces

from ..models import Community, Membership, Reply, Thread


def _active_member_q(user) -> Q:
    return Q(
        Exists(
            Membership.objects.filter(
                community=OuterRef("pk"), user=user, status=Membership.Status.ACTIVE
            )
        )
    )


def communities_visible_to(user) -> QuerySet[Community]:
    live = Q(status__in=[Community.Status.ACTIVE, Community.Status.ARCHIVED])
    if user is None or not user.is_authenticated:
        return Community.objects.filter(live, visibility=Community.Visibility.PUBLIC)
    return Community.objects.filter(
        (live & (Q(visibility=Community.Visibility.PUBLIC) | _active_member_q(user)))
        | Q(status=Community.Status.PROPOSED, created_by=user)
    )


def _readable_sql(user) -> tuple[str, tuple]:
    return communities_visible_to(user).order_by().values("pk").query.sql_with_params()


@functools.cache
def _readable_for_someone() -> ForReader:
    """communities_visible_to() for a signed-in reader, compiled once per process."""
    User = get_user_model()
    compiled = for_reader(lambda pk: _readable_sql(User(pk=pk)))
    if compiled is None:
        raise RuntimeError("communities_visible_to() depends on more than the reader's id")
    return compiled


def compiled_readable(user) -> RawSQL:
    """communities_visible_to(user) as ids, as SQL: a page filtering several lists by it
    (`community__in=`, or inside SQL of its own) neither builds nor compiles the rules'
    subquery for each. The rules depend on the reader's id alone (and on being signed in),
    so their SQL is compiled once per process and each reader's id put in its places; tests
    hold it equal to the queryset's own."""
    if user is None or not user.is_authenticated:
        sql, params = _readable_sql(user)
    else:
        compiled = _readable_for_someone()
        sql, params = compiled.sql, compiled.params_for(user.pk)
    return RawSQL(sql, params)  # noqa: S611 - the ORM's own SQL, its values as parameters


def readable_ids(user) -> list[int]:
    """The ids of communities_visible_to(user), a signed-in reader's through the SQL compiled
    once per process (compiled_readable)."""
    if user is None or not user.is_authenticated:
        return list(communities_visible_to(user).values_list("pk", flat=True))
    compiled = _readable_for_someone()
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params_for(user.pk))
        return [pk for (pk,) in cursor.fetchall()]


def threads_visible_to(user) -> QuerySet[Thread]:
    """Published threads in communities the person can read."""
    return Thread.objects.filter(
        community__in=compiled_readable(user), status=Thread.Status.PUBLISHED
    )


def threads_visible_in(places) -> QuerySet[Thread]:
    """threads_visible_to() for a reader whose readable communities are read already (the ids
    communities_visible_to() gives, as people.evidence.readable_places): the same threads,
    without building and planning the rules' subquery again for each list of a page."""
    return Thread.objects.filter(InPlaces("community_id", places), status=Thread.Status.PUBLISHED)


def communities_visible_in(places) -> QuerySet[Community]:
    """communities_visible_to() for a reader whose readable communities are read already."""
    return Community.objects.filter(InPlaces("id", places))


def replies_visible_to(user) -> QuerySet[Reply]:
    return Reply.objects.filter(
        thread__in=threads_visible_to(user).values("pk"), status=Thread.Status.PUBLISHED
    )
