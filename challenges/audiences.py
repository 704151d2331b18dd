from socialearn.notifications import audiences

from .models import Participant


@audiences.register("challenge_participants")
def challenge_participants(*, challenge_id: int):
    return Participant.objects.filter(challenge_id=challenge_id, left_at__isnull=True).values(
        "user_id"
    )
