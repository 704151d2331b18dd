"""Who may see the figures of one scope.

L&D admins (the "L&D admin" group; see socialearn.people.permissions) see everything. For a
single scope, the feature that owns it registers a check in its AppConfig.ready(), e.g.
communities lets a community's managers see their community's figures:

    @access.register("community")
    def community_manager(user, object_id: int) -> bool: ...
"""

from collections.abc import Callable

from django.contrib.auth.models import Group
from django.db.models import Exists

from socialearn.people.permissions import LD_ADMIN, is_lnd_admin

_checks: dict[str, Callable[[object, int], bool]] = {}

LND_ADMIN_GROUP = LD_ADMIN

__all__ = ["LND_ADMIN_GROUP", "can_view", "is_lnd_admin", "register"]


def register(kind: str):
    def decorator(func):
        _checks[kind] = func
        return func

    return decorator


def lnd_admin_group_exists(user_ref) -> Exists:
    """The group half of `is_lnd_admin` as an SQL expression (superusers are checked in
    Python), for a page that folds it into a query it runs anyway: the menu."""
    return Exists(Group.objects.filter(user=user_ref, name=LND_ADMIN_GROUP))


def can_view(user, kind: str, object_id: int) -> bool:
    if is_lnd_admin(user):
        return True
    check = _checks.get(kind)
    return bool(check and user.is_authenticated and check(user, object_id))
