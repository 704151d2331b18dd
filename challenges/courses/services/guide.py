"""The learning guide's one-click prompts: a message to one person, a nudge to everyone
behind, a spotlight on a good answer. Each is a GuidePrompt row naming exactly who it went
to, an activity row for insights, and notifications (with their emails) through the outbox.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import Challenge, Participant
from communities.models import Reply
from communities.services import reply_create
from socialearn.insights.services import activity_record
from socialearn.notifications.services import notify
from socialearn.people.models import person_name

from .. import permissions
from ..models import Course, Enrolment, GuidePrompt

GUIDE_PROMPTED = "guide_prompted"
MAX_TEXT = 1000


def _subject(challenge: Challenge | None, course: Course | None):
    if (challenge is None) == (course is None):
        raise ValueError("A prompt is about one challenge or one course")
    return challenge or course


def _check_guide(user, *, challenge: Challenge | None, course: Course | None) -> None:
    allowed = (
        permissions.can_guide_challenge(user, challenge)
        if challenge is not None
        else course is not None and permissions.can_run(user, course)
    )
    if not allowed:
        raise PermissionDenied


def _participant_ids(*, challenge: Challenge | None, course: Course | None) -> set[int]:
    if challenge is not None:
        return set(
            Participant.objects.filter(challenge=challenge, left_at__isnull=True).values_list(
                "user_id", flat=True
            )
        )
    return set(Enrolment.objects.filter(course=course).values_list("user_id", flat=True))


def _where(challenge: Challenge | None, course: Course | None) -> tuple[str, str, dict]:
    """(title, page url, activity ids) of the challenge or course."""
    if challenge is not None:
        return (
            challenge.title,
            challenge.get_absolute_url(),
            {"challenge_id": challenge.pk, "community_id": challenge.community_id},
        )
    assert course is not None
    return course.title, course.get_absolute_url(), {"community_id": course.community_id}


def _record(prompt: GuidePrompt, recipients: list[int], ids: dict) -> None:
    prompt.save()
    prompt.recipients.set(recipients)
    activity_record(
        verb=GUIDE_PROMPTED,
        actor=prompt.sent_by,
        occurred_at=prompt.sent_at,
        object_type="guide_prompt",
        object_id=prompt.pk,
        thread_id=prompt.spotlight_thread_id,
        extra={
            "kind": prompt.kind,
            "recipients": len(recipients),
            "course_id": prompt.course_id,
        },
        **ids,
    )


@transaction.atomic
def guide_message(
    *, sent_by, to_user_id: int, text: str, challenge=None, course=None
) -> GuidePrompt:
    """A personal message from the guide to one participant."""
    _subject(challenge, course)
    _check_guide(sent_by, challenge=challenge, course=course)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the message.")})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("Keep the message under 1000 characters.")})
    if to_user_id not in _participant_ids(challenge=challenge, course=course):
        raise ValidationError({"to": _("Choose a participant.")})
    title, url, ids = _where(challenge, course)
    now = timezone.now()
    prompt = GuidePrompt(
        kind=GuidePrompt.Kind.MESSAGE,
        sent_by=sent_by,
        challenge=challenge,
        course=course,
        text=text,
        sent_at=now,
    )
    _record(prompt, [to_user_id], ids)
    notify(
        recipients=[to_user_id],
        kind="guide_message",
        title=_("%(guide)s, your guide in %(title)s, wrote to you")
        % {"guide": person_name(sent_by), "title": title},
        body=text,
        url=url,
        dedupe_key=f"guide-prompt:{prompt.pk}",
        send_email=True,
    )
    return prompt


@transaction.atomic
def guide_nudge(
    *, sent_by, user_ids: Iterable[int], text: str = "", challenge=None, course=None
) -> GuidePrompt:
    """A nudge to the participants the guide selected (the dashboard preselects everyone
    behind by two steps or more). Only participants are nudged, each once."""
    _subject(challenge, course)
    _check_guide(sent_by, challenge=challenge, course=course)
    chosen = {int(u) for u in user_ids}
    participants = _participant_ids(challenge=challenge, course=course)
    if not chosen:
        raise ValidationError({"to": _("Choose at least one person.")})
    if not chosen <= participants:
        raise ValidationError({"to": _("Only participants can be nudged.")})
    text = (text or "").strip()[:MAX_TEXT]
    title, url, ids = _where(challenge, course)
    prompt = GuidePrompt(
        kind=GuidePrompt.Kind.NUDGE,
        sent_by=sent_by,
        challenge=challenge,
        course=course,
        text=text,
        sent_at=timezone.now(),
    )
    recipients = sorted(chosen)
    _record(prompt, recipients, ids)
    notify(
        recipients=recipients,
        kind="guide_nudge",
        title=_("%(title)s: a few steps are waiting for you") % {"title": title},
        body=text or _("Your guide saved you a place. Pick up where you left off."),
        url=url,
        dedupe_key=f"guide-prompt:{prompt.pk}",
        send_email=True,
    )
    return prompt


@transaction.atomic
def guide_spotlight(
    *, sent_by, reply: Reply, text: str = "", challenge=None, course=None
) -> GuidePrompt:
    """Spotlight a good answer: the guide's reply in the same thread quotes and links it,
    and the answer's author is told."""
    _subject(challenge, course)
    _check_guide(sent_by, challenge=challenge, course=course)
    participants = _participant_ids(challenge=challenge, course=course)
    community_id = challenge.community_id if challenge is not None else course.community_id
    if (
        reply.status != Reply.Status.PUBLISHED
        or reply.is_anonymous
        or reply.author_id not in participants
        or reply.thread.community_id != community_id
    ):
        raise ValidationError({"reply": _("Choose a participant's published answer.")})
    if GuidePrompt.objects.filter(kind=GuidePrompt.Kind.SPOTLIGHT, reply=reply).exists():
        raise ValidationError({"reply": _("This answer is in the spotlight already.")})
    text = (text or "").strip()[:MAX_TEXT]
    name = person_name(reply.author)
    quote = "\n".join(f"> {line}" for line in reply.body.strip().splitlines()[:8])
    body = "\n\n".join(
        part
        for part in (
            _("**Spotlight** on %(name)s's answer:") % {"name": name},
            quote,
            text,
            f"[{_('Read the whole answer')}]({reply.get_absolute_url()})",
        )
        if part
    )
    spotlight = reply_create(thread=reply.thread, author=sent_by, body=body)
    _title, _url, ids = _where(challenge, course)
    prompt = GuidePrompt(
        kind=GuidePrompt.Kind.SPOTLIGHT,
        sent_by=sent_by,
        challenge=challenge,
        course=course,
        reply=reply,
        spotlight_thread=reply.thread,
        text=text,
        sent_at=timezone.now(),
    )
    _record(prompt, [reply.author_id], ids)
    notify(
        recipients=[reply.author_id],
        kind="guide_spotlight",
        title=_("Your guide put your answer in the spotlight"),
        body=text,
        url=spotlight.get_absolute_url(),
        dedupe_key=f"guide-prompt:{prompt.pk}",
    )
    return prompt
