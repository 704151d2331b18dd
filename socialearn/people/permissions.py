"""The staff groups L&D uses in the Django admin, and what each may do there.

Apps are named by label, so the core grants rights on feature models without importing them.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

LD_ADMIN = "L&D admin"
COORDINATOR = "coordinator"

# group -> (app labels with every permission, extra "app_label.codename" permissions)
GROUP_RIGHTS: dict[str, tuple[list[str], list[str]]] = {
    LD_ADMIN: (
        [
            "people",
            "outbox",
            "notifications",
            "insights",
            "communities",
            "mentoring",
            "expertqa",
            "challenges",
            "courses",
        ],
        ["auth.view_user", "auth.change_user", "auth.view_group"],
    ),
    COORDINATOR: (
        ["mentoring", "expertqa", "challenges"],
        [
            "people.view_profile",
            "people.view_topic",
            "people.view_department",
            "people.view_location",
            "communities.view_community",
            "auth.view_user",
        ],
    ),
}


def staff_groups_sync(app_config=None, using="default", **kwargs) -> None:
    """Create the staff groups and grant their permissions (idempotent; runs after migrate).

    As a post_migrate receiver it acts once, after the last app, when every permission exists.
    """
    if app_config is not None and app_config != list(apps.get_app_configs())[-1]:
        return
    for name, (app_labels, extra) in GROUP_RIGHTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        condition = Q(content_type__app_label__in=app_labels)
        for dotted in extra:
            app_label, codename = dotted.split(".", 1)
            condition |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.filter(condition))


# --- who holds which organisation-wide role, on the site ---------------------------------------
#
# Rights on the site come from a role on the object (member or manager of a community,
# coordinator of a programme, designer, guide or curator of a challenge or flow), or from the
# "L&D admin" group. Staff status only opens the Django admin: nothing here reads it.
# A superuser holds every right an L&D admin holds.


def _group_names(user) -> frozenset[str]:
    """The person's group names, read once per user object (one query per request, none
    when the page's first query read them: remember_group_names)."""
    names = getattr(user, "_socialearn_group_names", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._socialearn_group_names = names
    return names


def remember_group_names(user, names: frozenset[str]) -> None:
    """Keep the person's group names, read with another query, for this user object."""
    user._socialearn_group_names = names


def is_lnd_admin(user) -> bool:
    """A member of the "L&D admin" group (or a superuser)."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or LD_ADMIN in _group_names(user)


def is_coordinator(user) -> bool:
    """May start mentoring programmes: the "coordinator" group, or an L&D admin."""
    if user is None or not user.is_authenticated:
        return False
    return is_lnd_admin(user) or COORDINATOR in _group_names(user)
