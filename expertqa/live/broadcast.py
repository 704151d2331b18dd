"""The changes a live page applies, rendered once for every viewer and published to Redis.

Each op carries the HTML any viewer of the session may see (anonymous askers as
"Anonymous", no host tools) and, where hosts see more, a `host` variant with their tools.
Built after the transaction commits, from the committed rows.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from expertqa.models import LiveEvent, Poll, Question
from expertqa.selectors import asker_label, person_name

from . import channel, selectors

PARTS = "expertqa/live/_parts.html"


def _render(part: str, **context) -> str:
    # No request here: forms in ops carry no token field; live.js sends the header.
    # One rendering for every viewer, so in the site's language, not the actor's.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(f"{PARTS}#{part}", {"csrf_token": "NOTPROVIDED", **context})


def _both(part: str, **context) -> tuple[str, str]:
    return _render(part, runner=False, **context), _render(part, runner=True, **context)


def message_added(event: LiveEvent, message_id: int) -> None:
    def build():
        m = selectors.message_for_broadcast(message_id)
        html, host = _both("message", m=m, event=event)
        return [{"op": "message", "id": m.pk, "prompt": m.prompt_id, "html": html, "host": host}]

    channel.publish_on_commit(event.pk, build)


def message_removed(event: LiveEvent, message_id: int) -> None:
    channel.publish_on_commit(
        event.pk, lambda: [{"op": "remove", "target": f"live-message-{message_id}"}]
    )


def reactions_changed(event: LiveEvent, message_id: int) -> None:
    def build():
        m = selectors.message_for_broadcast(message_id)
        return [{"op": "replace", "target": f"reactions-{m.pk}", "html": _render("reactions", m=m)}]

    channel.publish_on_commit(event.pk, build)


def pinned_changed(event: LiveEvent) -> None:
    def build():
        fresh = selectors.event_for_page(event.pk)
        pinned = fresh.pinned
        if pinned is not None and pinned.hidden_at is None:
            pinned.author_name = person_name(pinned.author)
        else:
            pinned = None
        html, host = _both("pinned", event=fresh, pinned=pinned)
        return [{"op": "replace", "target": "live-pinned", "html": html, "host": host}]

    channel.publish_on_commit(event.pk, build)


def event_state_changed(event: LiveEvent, text) -> None:
    """A notice for everyone in the room; `text` is translated (lazily) in the site's
    language, as every op is."""

    def build():
        with translation.override(settings.LANGUAGE_CODE):
            return [{"op": "notice", "text": str(text)}]

    channel.publish_on_commit(event.pk, build)


def _question(question_id: int) -> Question:
    q = Question.objects.select_related("author__profile", "session").get(pk=question_id)
    q.asker = asker_label(q, None)  # what everyone sees: anonymous stays anonymous
    q.answer_list = list(q.answers.select_related("author__profile").order_by("created_at"))
    for a in q.answer_list:
        a.author_name = person_name(a.author)
    return q


def question_changed(session_id: int, question_id: int, *, kind: str = "question") -> None:
    """A new question, or one answered (it moves to the answered section)."""

    def build():
        q = _question(question_id)
        html, host = _both("question", q=q, session=q.session)
        return [
            {
                "op": "question",
                "id": q.pk,
                "answered": bool(q.answered_at),
                "votes": q.vote_count,
                "html": html,
                "host": host,
            }
        ]

    channel.publish_on_commit(session_id, build)


def votes_changed(session_id: int, question_id: int) -> None:
    def build():
        votes = Question.objects.filter(pk=question_id).values_list("vote_count", flat=True).first()
        if votes is None:
            return []
        return [{"op": "votes", "id": question_id, "votes": votes}]

    channel.publish_on_commit(session_id, build)


def question_removed(session_id: int, question_id: int) -> None:
    channel.publish_on_commit(
        session_id, lambda: [{"op": "remove", "target": f"live-question-{question_id}"}]
    )


def poll_changed(session_id: int, poll_id: int) -> None:
    def build():
        poll = selectors.poll_for_broadcast(poll_id)
        if poll.state == Poll.State.DRAFT:
            return []
        card, host_card = _both("poll", poll=poll)
        results, host_results = _both("poll_results", poll=poll)
        return [
            {
                "op": "poll",
                "id": poll.pk,
                "state": poll.state,
                "revealed": "1" if poll.revealed_at else "0",
                "card": card,
                "host_card": host_card,
                "html": results,
                "host": host_results,
            }
        ]

    channel.publish_on_commit(session_id, build)


def prompt_released(event: LiveEvent, prompt_id: int) -> None:
    def build():
        group = selectors.PromptGroup(prompt=event.prompts.get(pk=prompt_id))
        return [
            {
                "op": "prompt",
                "id": prompt_id,
                "number": group.prompt.number,
                "html": _render("prompt", group=group, event=event),
            }
        ]

    channel.publish_on_commit(event.pk, build)
