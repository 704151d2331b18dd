"""Calendar invitations (RFC 5545) for a pair's scheduled meeting, times in UTC."""

from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from socialearn.people.models import person_name

from ..models import Meeting


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def meeting_calendar(meeting: Meeting) -> bytes:
    """One event with both people as attendees; the agenda only where the programme records."""
    if meeting.starts_at is None:
        raise ValueError("Only a scheduled meeting has an invitation.")
    starts = meeting.starts_at
    match = meeting.match
    mentor, protege = match.mentor.user, match.protege.user
    url = f"{settings.SITE_URL}{match.get_absolute_url()}"
    cal = Calendar()
    cal.add("prodid", "-//socialearn//mentoring//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"mentoring-meeting-{meeting.pk}@{_host()}")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    ends = starts + timedelta(minutes=meeting.duration_minutes or 60)
    event.add("dtstart", starts.astimezone(UTC))
    event.add("dtend", ends.astimezone(UTC))
    event.add(
        "summary",
        _("Mentoring: %(mentor)s and %(protege)s")
        % {"mentor": person_name(mentor), "protege": person_name(protege)},
    )
    description = "" if match.programme.offline_unrecorded else meeting.agenda.strip()
    your_match = _("Your match: %(url)s") % {"url": url}
    event.add("description", f"{description}\n\n{your_match}".strip())
    event.add("url", url)
    for user in (mentor, protege):
        if user.email:
            attendee = vCalAddress(f"mailto:{user.email}")
            attendee.params["cn"] = vText(person_name(user))
            event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    return cal.to_ical()
