"""Course dates on the calendar (socialearn.calendar): the courses the reader is in, and those
open for self-enrolment they may see that still have places. One query.

A course runs on whole days (no hours), so each is one all-day entry from its first day to its
last, on the dates as written whatever the reader's zone.
"""

from datetime import datetime, time, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from socialearn.calendar import Entry

from .models import Course
from .selectors import calendar_courses


def course_entry(course: Course, *, joined: bool = True, tz=None) -> Entry:
    tz = tz or timezone.get_current_timezone()
    return Entry(
        uid=f"course-{course.pk}",
        kind=_("Course") if joined else _("Course, open for enrolment"),
        title=course.title,
        starts_at=datetime.combine(course.starts_on, time.min, tzinfo=tz),
        ends_at=datetime.combine(course.ends_on + timedelta(days=1), time.min, tzinfo=tz),
        url=course.get_absolute_url(),
        place=course.location.strip() or _("Online"),
        ics_url=reverse("courses:ics", args=[course.pk]),
        all_day=True,
        sequence=course.sequence,
    )


def entries(user, *, start: datetime, end: datetime, limit: int) -> list[Entry]:
    tz = timezone.get_current_timezone()
    # end is exclusive: the last day is the one its instant before falls on.
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    rows = calendar_courses(user, first=first, last=last, today=timezone.localdate())[:limit]
    return [course_entry(c, joined=c.joined, tz=tz) for c in rows]  # type: ignore[attr-defined]
