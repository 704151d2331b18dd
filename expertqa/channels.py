"""Sessions announced to the team channels of their community (Teams, Slack)."""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communities.channels.services import channels_announce, plain_text

from .models import Session


def session_announce(session: Session) -> int:
    """A card for a newly scheduled session, once per channel, in the scheduling transaction.

    The time is the organisation's: a channel has many readers in many time zones.
    """
    when = timezone.localtime(session.starts_at)
    # A channel has many readers: the card is in the site's language, not the scheduler's.
    with translation.override(settings.LANGUAGE_CODE):
        label = _("%(kind)s, %(when)s") % {
            "kind": session.get_kind_display(),
            "when": date_format(when, _("D j M H:i T")),
        }
    return channels_announce(
        community_id=session.community_id,
        community_name=session.community.name,
        key=f"session:{session.pk}",
        label=label,
        title=session.title,
        text=plain_text(session.description),
        url=session.get_absolute_url(),
    )
