"""The learning guide's one-click prompts: a message to one person, a nudge to everyone
behind, a spotlight on a good answer (pinned inside its thread until someone takes it down).
Each is a GuidePrompt row naming exactly who it went to, an activity row for insights, and
notifications (with their emails) through the outbox.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.models import Challenge, Participant
from communities import selectors as community_selectors
from communities.models import Reply
from socialearn.insights.services import activity_record
from socialearn.notifications.services import notify
from socialearn.people.languages import in_language_of
from socialearn.people.models import person_name

from .. import permissions, selectors
from ..models import Course, Enrolment, GuidePrompt

GUIDE_PROMPTED = "guide_prompted"
GUIDE_SPOTLIGHT_REMOVED = "guide_spotlight_removed"
MAX_TEXT = 1000


def _subject(challenge: Challenge | None, course: Course | None):
    if (challenge is None) == (course is None):
        raise ValueError("A prompt is about one challenge or one course")
    return challenge or course


def _check_guide(user, *, challenge: Challenge | None, course: Course | None) -> None:
    if not permissions.can_guide(user, challenge=challenge, course=course):
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
    """Pin a participant's good answer inside its thread, with the guide's note, and tell its
    author. An anonymous answer stays anonymous: the thread shows it as such."""
    _subject(challenge, course)
    _check_guide(sent_by, challenge=challenge, course=course)
    participants = _participant_ids(challenge=challenge, course=course)
    community_id = challenge.community_id if challenge is not None else course.community_id
    thread = reply.thread
    if (
        reply.status != Reply.Status.PUBLISHED
        or reply.author_id not in participants
        or thread.community_id != community_id
    ):
        raise ValidationError({"reply": _("Choose a participant's published answer.")})
    # Two guides pressing at once: the second waits here, then finds the first's spotlight.
    Reply.objects.select_for_update().filter(pk=reply.pk).values_list("pk").first()
    if selectors.live_spotlights().filter(reply=reply).exists():
        raise ValidationError({"reply": _("This answer is in the spotlight already.")})
    text = (text or "").strip()[:MAX_TEXT]
    _title, _url, ids = _where(challenge, course)
    prompt = GuidePrompt(
        kind=GuidePrompt.Kind.SPOTLIGHT,
        sent_by=sent_by,
        challenge=challenge,
        course=course,
        reply=reply,
        spotlight_thread=thread,
        text=text,
        sent_at=timezone.now(),
    )
    # The author is told, but an anonymous answer's author is not named on the row: staff
    # read prompts in the admin, and nothing there may name them.
    _record(prompt, [] if reply.is_anonymous else [reply.author_id], ids)
    # The answer on the page of the thread its author's pages show it on.
    place = (
        community_selectors.thread_replies(thread, reply.author, manager=False)
        .filter(community_selectors.up_to_reply(reply.created_at, reply.pk))
        .count()
    )
    with in_language_of(reply.author):
        title = _("Your guide put your answer in the spotlight")
    notify(
        recipients=[reply.author_id],
        kind="guide_spotlight",
        title=title,
        body=text,
        url=community_selectors.reply_url(thread, reply.pk, place=place),
        dedupe_key=f"guide-prompt:{prompt.pk}",
    )
    return prompt


@transaction.atomic
def guide_spotlight_remove(*, prompt: GuidePrompt, removed_by) -> GuidePrompt:
    """Take a spotlight out of its thread. The prompt stays (insights count what was sent),
    marked with when and by whom it came down; the author is not told."""
    prompt = (
        GuidePrompt.objects.select_for_update(of=("self",))
        .select_related("spotlight_thread", "challenge__community", "course__community")
        .get(pk=prompt.pk, kind=GuidePrompt.Kind.SPOTLIGHT)
    )
    if not permissions.can_remove_spotlight(removed_by, prompt):
        raise PermissionDenied
    if prompt.unpinned_at is not None:
        raise ValidationError(_("This answer is no longer in the spotlight."))
    prompt.unpinned_at = timezone.now()
    prompt.unpinned_by = removed_by
    prompt.save(update_fields=["unpinned_at", "unpinned_by"])
    _title, _url, ids = _where(prompt.challenge, prompt.course)
    activity_record(
        verb=GUIDE_SPOTLIGHT_REMOVED,
        actor=removed_by,
        occurred_at=prompt.unpinned_at,
        object_type="guide_prompt",
        object_id=prompt.pk,
        thread_id=prompt.spotlight_thread_id,
        extra={"kind": prompt.kind, "course_id": prompt.course_id},
        **ids,
    )
    return prompt
