"""Emails as people expect them: an HTML part and a plain-text part from one shared layout
(templates/notifications/email/), and a one-click unsubscribe from that kind of email.

Every email carries List-Unsubscribe (an https link) and List-Unsubscribe-Post
(RFC 8058: mail clients unsubscribe with one POST, without opening a page). The link holds a
token signed with the site's key (django.core.signing) naming one person and one kind of
email, so it works without signing in, and only for that person and that kind. It never
expires: an unsubscribe link in an old email must still work.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from socialearn.people.languages import in_language_of

from .models import EmailOptOut, Notification

SALT = "socialearn.notifications.unsubscribe"
DIGEST = "digest"

# What a person unsubscribes from, in words ("You will no longer get emails about ...").
KIND_LABELS: dict[str, Any] = {
    DIGEST: _("your email digest"),
    "mention": _("mentions of you"),
    "reply": _("replies to your threads"),
    "answer_accepted": _("accepted answers"),
    "help_request": _("help requests on your topics"),
    "topic_thread": _("new posts on the topics you follow"),
    "thread_posted": _("new posts in your communities"),
    "flow_item": _("learning flow items"),
    "challenge_step": _("new challenge steps"),
    "community_invitation": _("community invitations"),
    "expertqa_invited": _("expert session invitations"),
    "expertqa_reminder": _("expert session reminders"),
    "expertqa_answered": _("answers to your questions in sessions"),
    "mentoring_match": _("mentoring matches"),
    "mentoring_request": _("mentoring requests"),
    "mentoring_call": _("calls for mentors"),
    "course_enrolled": _("course enrolments"),
    "course_reading": _("course pre-reading"),
    "course_prompt": _("course discussions"),
    "guide_message": _("messages from your learning guide"),
    "guide_nudge": _("nudges from your learning guide"),
    "guide_spotlight": _("spotlights on your answers"),
}


def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    if label is not None:
        return str(label)
    return kind.replace("_", " ").replace("expertqa", "expert session")


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps([user_id, kind], salt=SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str]:
    """(user id, kind) of a token; signing.BadSignature when it was tampered with."""
    value = signing.loads(token, salt=SALT)
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not isinstance(value[0], int)
        or not isinstance(value[1], str)
    ):
        raise signing.BadSignature("Not an unsubscribe token")
    return value[0], value[1]


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    path = reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=kind)]
    )
    return settings.SITE_URL.rstrip("/") + path


def email_build(
    *,
    to: str,
    user_id: int,
    kind: str,
    subject: str,
    template: str,
    context: dict,
    connection=None,
) -> EmailMultiAlternatives:
    """One email from `template`.txt and `template`.html (both extend the shared layout), with
    the unsubscribe link in the footer and in the List-Unsubscribe headers."""
    link = unsubscribe_url(user_id=user_id, kind=kind)
    context = {
        **context,
        "subject": subject,
        "site_url": settings.SITE_URL.rstrip("/"),
        "unsubscribe_url": link,
        "kind_label": kind_label(kind),
    }
    message = EmailMultiAlternatives(
        # One line: a subject with a line break would be refused as a header.
        subject=" ".join(subject.split()),
        body=render_to_string(f"{template}.txt", context),
        to=[to],
        connection=connection,
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def opted_out(user_ids: Iterable[int], kinds: Iterable[str]) -> set[tuple[int, str]]:
    """(user id, kind) pairs of these people who unsubscribed from these kinds: one query."""
    return set(
        EmailOptOut.objects.filter(user_id__in=set(user_ids), kind__in=set(kinds)).values_list(
            "user_id", "kind"
        )
    )


def notification_messages(
    notes: list[Notification],
    *,
    text: Callable[[Notification], str] | None = None,
    link: Callable[[Notification], str] | None = None,
    connection=None,
) -> dict[int, EmailMultiAlternatives]:
    """The email of each notification whose recipient wants it, by notification id.

    Wanted: the person has an address, email on in their profile, and has not unsubscribed
    from the notification's kind. `notes` come with recipient__profile; one query in all.
    """
    refused = opted_out((n.recipient_id for n in notes), (n.kind for n in notes))
    messages = {}
    for note in notes:
        recipient = note.recipient
        profile = getattr(recipient, "profile", None)
        wants = profile is None or profile.email_preference == "immediate"
        if not wants or not recipient.email or (recipient.pk, note.kind) in refused:
            continue
        url = link(note) if link else note.url
        if url.startswith("/") or not url:
            url = settings.SITE_URL.rstrip("/") + (url or "/")
        # The title was written in the recipient's language when the notification was made;
        # the layout around it follows them too.
        with in_language_of(profile):
            messages[note.pk] = email_build(
                to=recipient.email,
                user_id=recipient.pk,
                kind=note.kind,
                subject=note.title,
                template="notifications/email/notification",
                context={
                    "name": profile.name if profile is not None else "",
                    "title": note.title,
                    "text": text(note) if text else note.body,
                    "link": url,
                },
                connection=connection,
            )
    return messages
