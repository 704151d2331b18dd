from socialearn.notifications import audiences

from .models import Membership


@audiences.register("community_members")
def community_members(*, community_id: int):
    return Membership.objects.filter(
        community_id=community_id, status=Membership.Status.ACTIVE
    ).values("user_id")
