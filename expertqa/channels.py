"""Sessions announced to the team channels of their community (Teams, Slack)."""

from django.utils import timezone

from communities.channels.services import channels_announce, plain_text

from .models import Session


def session_announce(session: Session) -> int:
    """A card for a newly scheduled session, once per channel, in the scheduling transaction.

    The time is the organisation's: a channel has many readers in many time zones.
    """
    when = timezone.localtime(session.starts_at)
    return channels_announce(
        community_id=session.community_id,
        community_name=session.community.name,
        key=f"session:{session.pk}",
        label=f"{session.get_kind_display()}, {when:%a %-d %b %H:%M %Z}",
        title=session.title,
        text=plain_text(session.description),
        url=session.get_absolute_url(),
    )
