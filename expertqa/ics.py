"""Calendar invitations (RFC 5545) for a session, times in UTC."""

from datetime import UTC

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from .selectors import person_name


def session_calendar(session) -> bytes:
    url = f"{settings.SITE_URL}{session.get_absolute_url()}"
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    cal = Calendar()
    cal.add("prodid", "-//socialearn//expert sessions//EN")
    cal.add("version", "2.0")
    # A cancelled session tells calendars to drop the event; every change carries a higher
    # SEQUENCE so calendars replace the event instead of adding a second one.
    cal.add("method", "CANCEL" if session.cancelled_at else "PUBLISH")
    event = Event()
    event.add("uid", f"expertqa-session-{session.pk}@{host}")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("sequence", session.sequence)
    event.add("status", "CANCELLED" if session.cancelled_at else "CONFIRMED")
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add(
        "summary",
        _("Cancelled: %(title)s") % {"title": session.title}
        if session.cancelled_at
        else session.title,
    )
    description = session.description.strip()
    board = _("The board: %(url)s") % {"url": url}
    event.add("description", f"{description}\n\n{board}".strip())
    event.add("url", url)
    event.add("location", vText(url))
    organizer_user = session.moderator or session.created_by
    if organizer_user is not None and organizer_user.email:
        organizer = vCalAddress(f"mailto:{organizer_user.email}")
        organizer.params["cn"] = vText(person_name(organizer_user))
        event["organizer"] = organizer
    cal.add_component(event)
    return cal.to_ical()
