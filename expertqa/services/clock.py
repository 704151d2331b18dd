"""What the clock sends: invitations, change notices, reminders before a session opens and
before a deferred answer is due, and the record once a session has closed.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialearn.notifications.services import notify
from socialearn.recipient_languages import each_language

from ..models import Session
from .record import session_thread_sync

REMINDER_LEAD = timedelta(minutes=15)
DEFERRAL_RULE = "expertqa.deferral_due"
INVITE_AUDIENCE = "expertqa_session_audience"


def session_send_invitations(*, session_id: int) -> int:
    """Invite the topic's followers and the community's members, once; email the ICS too."""
    from socialearn.notifications.services import fan_out_run

    from ..ics import session_calendar

    with transaction.atomic():
        session = (
            Session.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=session_id, invited_at__isnull=True)
            .select_related("community", "topic", "moderator")
            .first()
        )
        if session is None:
            return 0
        when = timezone.localtime(session.starts_at)
        invited = fan_out_run(
            audience=INVITE_AUDIENCE,
            audience_kwargs={"session_id": session.pk},
            kind="expertqa_invited",
            # An audience hears in the site's language (the clock runs outside any request).
            title=_("%(kind)s: %(title)s, %(when)s")
            % {
                "kind": session.get_kind_display(),
                "title": session.title,
                "when": date_format(when, _("D j M H:i")),
            },
            body=_("In %(community)s. Add it to your calendar from the session page.")
            % {"community": session.community.name},
            url=session.get_absolute_url(),
            dedupe_key=f"expertqa:invite:{session.pk}",
            exclude_user_ids=[session.created_by_id] if session.created_by_id else [],
        )
        session.invited_at = timezone.now()
        session.save(update_fields=["invited_at"])
    _email_invitations(session, session_calendar(session))
    return invited


CHANGE_KINDS = {"rescheduled": "expertqa_rescheduled", "cancelled": "expertqa_cancelled"}


def session_send_change(
    *, session_id: int, change: str, sequence: int, audience: bool = True
) -> int:
    """Tell the invited (and the panel) that a session moved or was called off, once per
    change, with a calendar file that replaces (or removes) the event they already have.

    A change overtaken by a later one (a higher sequence) is skipped: the later one speaks.
    """
    from socialearn.notifications.services import fan_out_run

    from ..ics import session_calendar

    kind = CHANGE_KINDS[change]
    session = (
        Session.objects.select_related("community", "topic", "moderator", "created_by")
        .filter(pk=session_id, sequence=sequence)
        .first()
    )
    if session is None:
        return 0
    when = timezone.localtime(session.starts_at)

    def texts() -> tuple[str, str]:
        shown = date_format(when, _("D j M H:i"))
        if change == "cancelled":
            return (
                _("Cancelled: %(title)s (%(when)s)") % {"title": session.title, "when": shown},
                session.cancel_note or _("The session will not take place."),
            )
        return (
            _("Moved: %(title)s, now %(when)s") % {"title": session.title, "when": shown},
            _("Your calendar file is updated on the session page."),
        )

    title, body = texts()
    dedupe_key = f"expertqa:{change}:{session.pk}:{sequence}"
    url = session.get_absolute_url()
    told = 0
    if audience:
        told = fan_out_run(
            audience=INVITE_AUDIENCE,
            audience_kwargs={"session_id": session.pk},
            dedupe_key=dedupe_key,
            exclude_user_ids=[session.cancelled_by_id] if session.cancelled_by_id else [],
            kind=kind,
            title=title,
            body=body,
            url=url,
        )
    panel = set(session.experts.values_list("id", flat=True))
    if session.moderator_id:
        panel.add(session.moderator_id)
    if session.cancelled_by_id:
        panel.discard(session.cancelled_by_id)
    with transaction.atomic():
        for ids in each_language(panel):
            title, body = texts()
            told += notify(
                recipients=ids, dedupe_key=dedupe_key, kind=kind, title=title, body=body, url=url
            )
    if audience:
        _email_invitations(session, session_calendar(session), kind=kind, dedupe_key=dedupe_key)
    return told


def _email_invitations(
    session: Session,
    calendar: bytes,
    batch_size: int = 200,
    kind: str = "expertqa_invited",
    dedupe_key: str = "",
) -> int:
    """Email the invitation (or its change) with its ICS to people who opted in, each once."""
    from django.conf import settings
    from django.core.mail import get_connection

    from socialearn.notifications.mail import notification_messages
    from socialearn.notifications.models import Notification

    sent = 0
    link = f"{settings.SITE_URL}{session.get_absolute_url()}"
    while True:
        with transaction.atomic():
            rows = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(
                    kind=kind,
                    dedupe_key=dedupe_key or f"expertqa:invite:{session.pk}",
                    emailed_at__isnull=True,
                )
                .select_related("recipient__profile")
                .order_by("id")[:batch_size]
            )
            if not rows:
                return sent
            connection = get_connection()
            messages = list(
                notification_messages(
                    rows,
                    text=lambda note: (
                        session.description if kind == "expertqa_invited" else note.body
                    ),
                    link=lambda note: link,
                    connection=connection,
                ).values()
            )
            for message in messages:
                message.attach(f"session-{session.pk}.ics", calendar, "text/calendar")
            for note in rows:
                note.emailed_at = timezone.now()
            if messages:
                sent += connection.send_messages(messages) or 0
            Notification.objects.bulk_update(rows, ["emailed_at"])


def _remind_sessions_opening(now: datetime) -> int:
    from socialearn.notifications.services import fan_out_run

    done = 0
    with transaction.atomic():
        due = list(
            Session.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                reminded_at__isnull=True,
                cancelled_at__isnull=True,
                starts_at__lte=now + REMINDER_LEAD,
            )
            .order_by("starts_at")[:100]
        )
        for session in due:
            session.reminded_at = now
            if session.ends_at <= now:
                continue  # the clock was down: a reminder for a finished session helps nobody
            when = timezone.localtime(session.starts_at)

            def reminder_title(session=session, when=when) -> str:
                return _("Starting at %(time)s: %(title)s") % {
                    "time": f"{when:%H:%M}",
                    "title": session.title,
                }

            # A rescheduled session earns a new reminder before its new start.
            reminder_key = f"expertqa:reminder:{session.pk}"
            if session.sequence:
                reminder_key += f":{session.sequence}"
            fan_out_run(
                audience=INVITE_AUDIENCE,
                audience_kwargs={"session_id": session.pk},
                kind="expertqa_reminder",
                title=reminder_title(),
                url=session.get_absolute_url(),
                dedupe_key=reminder_key,
                send_email=True,
            )
            panel = set(session.experts.values_list("id", flat=True))
            if session.moderator_id:
                panel.add(session.moderator_id)
            for ids in each_language(panel):
                notify(
                    recipients=ids,
                    kind="expertqa_reminder",
                    title=reminder_title(),
                    url=session.get_absolute_url(),
                    dedupe_key=reminder_key,
                )
            done += 1
        Session.objects.bulk_update(due, ["reminded_at"])
    return done


def _process_closed_sessions(now: datetime) -> int:
    """At close, write the Q&A into the community thread and tell each expert what the
    session still owes (in their inbox)."""
    done = 0
    with transaction.atomic():
        closed = list(
            Session.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(close_processed_at__isnull=True, cancelled_at__isnull=True, ends_at__lte=now)
            .select_related("thread__community", "moderator", "created_by")
            .order_by("ends_at")[:100]
        )
        for session in closed:
            session.close_processed_at = now
            # The finished session stays as a searchable record in its community.
            session_thread_sync(session=session, editors=[session.moderator], now=now)
            owed = session.questions.owed().count()
            if owed:
                for ids in each_language(session.experts.values_list("id", flat=True)):
                    notify(
                        recipients=ids,
                        kind="expertqa_owed",
                        title=ngettext(
                            "%(count)s question from “%(title)s” still needs an answer or a date",
                            "%(count)s questions from “%(title)s” still need an answer or a date",
                            owed,
                        )
                        % {"count": owed, "title": session.title},
                        url=f"{session.get_absolute_url()}#owed",
                        dedupe_key=f"expertqa:owed:{session.pk}",
                        send_email=True,
                    )
            done += 1
        Session.objects.bulk_update(closed, ["close_processed_at"])
    return done


def _remind_deferrals(now: datetime) -> int:
    """Remind experts of deferred answers falling due: a nudge rule (expertqa/nudges.py), so
    quiet hours, preferences and the daily cap apply to it like to every other nudge."""
    from socialearn.nudges.services import nudges_run

    return nudges_run(now=now, rules=[DEFERRAL_RULE])["sent"]


def send_due_reminders(*, now: datetime | None = None) -> dict:
    """Everything the clock owes right now; safe to run twice or on two beats at once."""
    now = now or timezone.now()
    pending_invites = list(
        Session.objects.filter(
            invited_at__isnull=True, cancelled_at__isnull=True, ends_at__gt=now
        ).values_list("pk", flat=True)[:20]
    )
    invited = sum(session_send_invitations(session_id=pk) for pk in pending_invites)
    return {
        "invited": invited,
        "reminded": _remind_sessions_opening(now),
        "closed": _process_closed_sessions(now),
        "deferrals": _remind_deferrals(now),
    }
