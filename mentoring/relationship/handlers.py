"""The relay's work for mentoring: meeting invitations with their ICS, sent once."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from socialearn.outbox import handlers
from socialearn.recipient_languages import in_language_of

from ..models import Meeting
from .ics import meeting_calendar
from .services import MEETING_INVITE


@handlers.register(MEETING_INVITE)
def send_meeting_invites(payloads: list[dict]) -> None:
    for payload in payloads:
        with transaction.atomic():
            meeting = (
                Meeting.objects.select_for_update(of=("self",))
                .select_related("match__programme", "match__mentor__user", "match__protege__user")
                .filter(pk=payload["meeting_id"], invited_at__isnull=True)
                .first()
            )
            if meeting is None:  # sent already, or the meeting is gone
                continue
            match = meeting.match
            link = f"{settings.SITE_URL}{match.get_absolute_url()}"
            when = timezone.localtime(meeting.starts_at)
            messages = []
            for user in (match.mentor.user, match.protege.user):
                if not user.email:
                    continue
                with in_language_of(user):  # each person reads it in their own language
                    message = EmailMessage(
                        subject=_("Mentoring meeting on %(when)s")
                        % {"when": date_format(when, _("j F \\a\\t H:i"))},
                        body=_("Your mentoring meeting in %(programme)s.")
                        % {"programme": match.programme.name}
                        + f"\n\n{link}",
                        to=[user.email],
                    )
                    calendar = meeting_calendar(meeting)
                message.attach(f"mentoring-{meeting.pk}.ics", calendar, "text/calendar")
                messages.append(message)
            if messages:
                get_connection().send_messages(messages)
            meeting.invited_at = timezone.now()
            meeting.save(update_fields=["invited_at"])
