from communities.models import Community, Membership
from socialearn.notifications import audiences

from .models import Participant


@audiences.register("challenge_participants")
def challenge_participants(*, challenge_id: int):
    participants = Participant.objects.filter(challenge_id=challenge_id, left_at__isnull=True)
    community = Community.objects.filter(challenges__pk=challenge_id).first()
    if community is not None and community.is_private:
        # Someone who left a private community hears nothing more of it.
        participants = participants.filter(
            user__memberships__community=community,
            user__memberships__status=Membership.Status.ACTIVE,
        )
    return participants.values("user_id")
