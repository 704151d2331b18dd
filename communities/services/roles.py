"""Who manages a community: the check every manager-only write makes first."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ..models import Community, Membership


def _active_membership(community: Community, user) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(
        community=community, user=user, status=Membership.Status.ACTIVE
    ).first()


def _is_manager(community: Community, user) -> bool:
    membership = _active_membership(community, user)
    return membership is not None and membership.role == Membership.Role.MANAGER


def _require_manager(community: Community, user) -> None:
    if not _is_manager(community, user):
        raise PermissionDenied(_("Only the community's managers can do that."))
