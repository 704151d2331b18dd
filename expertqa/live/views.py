"""Live events, live chats and polls: thin views over live.services and live.selectors.

Every action works as a plain form post (then a redirect back) and, from static/js/live.js,
as a fetch answered with JSON: {"ok": true} or {"ok": false, "error": "…"} (status 200, so a
refused slow-mode post is a message on the form, not a failed request in the console). The change
itself reaches every open page (the author's too) through the live poll, `live_changes`.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from communities.models import Community
from expertqa import selectors as session_selectors
from expertqa.forms import AnswerForm, QuestionForm
from expertqa.models import LiveEvent, LiveMessage, LivePrompt, Poll, Question, Session
from socialearn.people.middleware import without_viewer_timezone

from . import channel, permissions, selectors, services
from .forms import (
    BallotForm,
    LiveEventForm,
    MessageForm,
    PollForm,
    PromptForm,
    ReactionForm,
    SlowModeForm,
)

POLL_SALT = "expertqa.live-poll"
# A token is good for a quarter of an hour: then the page fetches itself again, which checks
# again that the person may still read the event (a member removed stops getting news).
POLL_MAX_AGE = 15 * 60
POLL_MS = 1000


def _wants_json(request) -> bool:
    return request.headers.get("X-Live") == "1"


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _form_error(form) -> str:
    return " ".join(e for errs in form.errors.values() for e in errs)


def _done(request, url: str, *, error: str = "", ok_message: str = "", **extra):
    """Answer an action: JSON for live.js, else a message and a redirect back."""
    if _wants_json(request):
        if error:
            return JsonResponse({"ok": False, "error": error})
        return JsonResponse({"ok": True, **extra})
    if error:
        messages.error(request, error)
    elif ok_message:
        messages.success(request, ok_message)
    return redirect(url)


def _event_or_404(request, pk: int) -> LiveEvent:
    try:
        event = selectors.event_for_page(pk)
    except LiveEvent.DoesNotExist:
        raise Http404(_("No such event")) from None
    if not permissions.can_view_session(request.user, event.session):
        raise Http404(_("No such event"))
    return event


def _runner_event_or_403(request, pk: int) -> LiveEvent:
    event = _event_or_404(request, pk)
    if not permissions.can_run(request.user, event.session, event):
        raise PermissionDenied(_("Only the hosts and moderators of this event can do that."))
    return event


def _message_or_404(request, pk: int) -> LiveMessage:
    message = get_object_or_404(LiveMessage.objects.only("pk", "event_id", "hidden_at"), pk=pk)
    event = _event_or_404(request, message.event_id)
    message = LiveMessage.objects.get(pk=pk)
    message.event = event
    return message


def _session_or_404(request, pk: int) -> Session:
    try:
        session = session_selectors.session_for_board(pk)
    except Session.DoesNotExist:
        raise Http404(_("No such session")) from None
    if not permissions.can_view_session(request.user, session):
        raise Http404(_("No such session"))
    return session


def _reply_to(request) -> int | None:
    """The message a reply link without JavaScript (?reply=12) answers."""
    value = request.GET.get("reply", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _token(session_id: int, user) -> str:
    return signing.dumps({"s": session_id, "u": user.pk}, salt=POLL_SALT, compress=False)


# --- scheduling -------------------------------------------------------------------------------


@login_required
def live_create(request):
    communities = permissions.schedulable_communities(request.user)
    if not communities.exists():
        raise PermissionDenied(_("Only community managers can schedule live events."))
    form = LiveEventForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.live_event_schedule(
                created_by=request.user,
                community=data["community"],
                title=data["title"],
                topic=data["topic"],
                hosts=data["hosts"],
                moderators=data["moderators"],
                starts_at=data["starts_at"],
                ends_at=data["starts_at"] + timedelta(minutes=data["duration"]),
                agenda=data["agenda"],
                format=data["format"],
                slow_mode_seconds=data["slow_mode_seconds"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("Scheduled. The community and the topic's followers are invited.")
            )
            return redirect(event)
    return TemplateResponse(request, "expertqa/live/event_form.html", {"form": form})


# --- the live page ----------------------------------------------------------------------------


def _page_context(request, event: LiveEvent, **extra) -> dict:
    session = event.session
    user = request.user
    # The version first: a change landing while the page is read arrives again, harmlessly.
    version = channel.current_version(session.pk)
    runner = permissions.can_run(user, session, event)
    board = session_selectors.board_for(session, user, sort="votes")
    open_questions, answered = selectors.split_questions(board.questions)
    msgs = selectors.recent_messages(event)
    groups, due_prompts = selectors.prompt_groups(event, msgs) if event.is_chat else ([], [])
    if event.is_chat:
        msgs = [m for m in msgs if m.prompt_id is None]
    pinned = event.pinned if event.pinned and event.pinned.hidden_at is None else None
    if pinned is not None:
        pinned.author_name = session_selectors.person_name(pinned.author)
    allow_anonymous = session.community.anonymity != Community.Anonymity.OFF
    live = event.is_live()
    return {
        "event": event,
        "session": session,
        "runner": runner,
        "is_host": permissions.is_host(user, session),
        "board": board,
        "open_questions": open_questions,
        "answered": answered,
        "messages_list": msgs,
        "groups": groups,
        "due_prompts": due_prompts,
        "latest_prompt": groups[-1].prompt if groups else None,
        "pinned": pinned,
        "polls": selectors.session_polls(session, runner=runner, user=user),
        "live": live,
        "version": version,
        "token": _token(session.pk, user),
        "poll_ms": POLL_MS,
        "changes_url": reverse("expertqa:live_changes", args=[session.pk]),
        "message_form": MessageForm(initial={"parent": _reply_to(request)}),
        "question_form": extra.get("question_form")
        or QuestionForm(allow_anonymous=allow_anonymous),
        "poll_form": PollForm(),
        "prompt_form": PromptForm(),
        "slow_form": SlowModeForm(initial={"seconds": event.slow_mode_seconds}),
        "reaction_kinds": selectors.REACTION_ORDER,
    }


@login_required
def live_detail(request, pk: int):
    event = _event_or_404(request, pk)
    return TemplateResponse(
        request, "expertqa/live/event_detail.html", _page_context(request, event)
    )


@login_required
def live_present(request, pk: int):
    """Full screen for a projector: the pinned message, top questions, the current poll."""
    event = _event_or_404(request, pk)
    context = _page_context(request, event)
    context["top_questions"] = context["open_questions"][:6]
    current = [p for p in context["polls"] if p.state == Poll.State.OPEN]
    context["current_poll"] = current[0] if current else None
    return TemplateResponse(request, "expertqa/live/present.html", context)


@require_GET
@without_viewer_timezone
def live_changes(request, pk: int):
    """The live poll. Unchanged: one Redis GET, no database query, no template (204).

    The page's signed token says who follows which session; it was issued after checking
    they may read it, so the answer needs only the session's user id, not the user row.
    """
    signed_in = request.session.get(SESSION_KEY)
    if not signed_in:
        # Not a redirect: the page would follow it into the sign-in form.
        return JsonResponse({"error": _("Sign in again to follow this event.")}, status=401)
    try:
        data = signing.loads(request.GET.get("t", ""), salt=POLL_SALT, max_age=POLL_MAX_AGE)
    except signing.SignatureExpired:
        # Not an error: the page fetches itself again, which renews the token.
        return JsonResponse({"renew": True})
    except signing.BadSignature:
        return JsonResponse({"error": _("Reload the page to follow this event.")}, status=400)
    if data.get("s") != pk:
        return JsonResponse({"error": _("Reload the page to follow this event.")}, status=400)
    if str(signed_in) != str(data.get("u")):
        return JsonResponse({"error": _("Sign in again to follow this event.")}, status=401)
    try:
        since = int(request.GET.get("v", ""))
    except ValueError:
        return JsonResponse({"error": _("Reload the page to follow this event.")}, status=400)
    try:
        version, raw = channel.changes_raw(pk, since)
    except channel.Unavailable:
        response = HttpResponse(status=503)
        response["Retry-After"] = "5"
        return response
    if raw == "":
        return HttpResponse(status=204)
    return HttpResponse(channel.answer_body(version, raw), content_type="application/json")


# --- the backchannel --------------------------------------------------------------------------


@login_required
@require_POST
def live_post(request, pk: int):
    event = _event_or_404(request, pk)
    form = MessageForm(request.POST)
    url = event.get_absolute_url()
    if not form.is_valid():
        return _done(request, url, error=_form_error(form))
    data = form.cleaned_data
    parent = prompt = None
    if data["parent"]:
        parent = LiveMessage.objects.filter(pk=data["parent"], event=event).first()
        if parent is None:
            return _done(request, url, error=_("That message is no longer in this event."))
    if data["prompt"]:
        prompt = LivePrompt.objects.filter(pk=data["prompt"], event=event).first()
    try:
        services.live_message_post(
            event=event, author=request.user, body=data["body"], parent=parent, prompt=prompt
        )
    except ValidationError as error:
        return _done(request, url, error=_error_text(error))
    return _done(request, url)


@login_required
@require_POST
def live_react(request, message_pk: int):
    message = _message_or_404(request, message_pk)
    form = ReactionForm(request.POST)
    url = message.event.get_absolute_url()
    if not form.is_valid():
        return _done(request, url, error=_("Choose one of the reactions."))
    try:
        on = services.live_reaction_toggle(
            message=message, user=request.user, kind=form.cleaned_data["kind"]
        )
    except ValidationError as error:
        return _done(request, url, error=_error_text(error))
    return _done(request, url, on=on)


@login_required
@require_POST
def live_hide(request, message_pk: int):
    message = _message_or_404(request, message_pk)
    services.live_message_hide(message=message, by=request.user)
    return _done(request, message.event.get_absolute_url(), ok_message="Hidden.")


@login_required
@require_POST
def live_pin(request, message_pk: int):
    message = _message_or_404(request, message_pk)
    event = message.event
    try:
        services.live_message_pin(event=event, message=message, by=request.user)
    except ValidationError as error:
        return _done(request, event.get_absolute_url(), error=_error_text(error))
    return _done(request, event.get_absolute_url(), ok_message="Pinned.")


@login_required
@require_POST
def live_unpin(request, pk: int):
    event = _event_or_404(request, pk)
    services.live_message_pin(event=event, message=None, by=request.user)
    return _done(request, event.get_absolute_url(), ok_message="Unpinned.")


@login_required
@require_POST
def live_slow(request, pk: int):
    event = _runner_event_or_403(request, pk)
    form = SlowModeForm(request.POST)
    if not form.is_valid():
        return _done(request, event.get_absolute_url(), error=_("Choose one of the settings."))
    services.live_slow_mode_set(event=event, by=request.user, seconds=form.cleaned_data["seconds"])
    return _done(request, event.get_absolute_url(), ok_message=_("Slow mode saved."))


@login_required
@require_POST
def live_close(request, pk: int):
    event = _runner_event_or_403(request, pk)
    try:
        thread = services.live_event_close(event=event, by=request.user)
    except ValidationError as error:
        return _done(request, event.get_absolute_url(), error=_error_text(error))
    return _done(
        request,
        event.get_absolute_url(),
        ok_message=_("Closed. Everything is kept in the community thread."),
        thread=thread.get_absolute_url(),
    )


@login_required
@require_POST
def live_prompt_add(request, pk: int):
    event = _runner_event_or_403(request, pk)
    form = PromptForm(request.POST)
    url = event.get_absolute_url()
    if not form.is_valid():
        return _done(request, url, error=_form_error(form))
    try:
        prompt = services.live_prompt_add(
            event=event,
            by=request.user,
            body=form.cleaned_data["body"],
            release_at=form.cleaned_data["release_at"],
        )
    except ValidationError as error:
        return _done(request, url, error=_error_text(error))
    return _done(
        request, url, ok_message=_("Q%(number)s is scheduled.") % {"number": prompt.number}
    )


# --- questions --------------------------------------------------------------------------------


@login_required
@require_POST
def live_ask(request, pk: int):
    event = _event_or_404(request, pk)
    allow_anonymous = event.session.community.anonymity != Community.Anonymity.OFF
    form = QuestionForm(request.POST, allow_anonymous=allow_anonymous)
    url = event.get_absolute_url()
    if not form.is_valid():
        return _done(request, url, error=_form_error(form))
    try:
        services.live_question_ask(
            event=event,
            author=request.user,
            body=form.cleaned_data["body"],
            is_anonymous=form.cleaned_data.get("is_anonymous", False),
        )
    except ValidationError as error:
        return _done(request, url, error=_error_text(error))
    return _done(request, url, ok_message=_("Your question is in."))


def _question_or_404(request, pk: int) -> Question:
    question = get_object_or_404(Question.objects.select_related("session__community"), pk=pk)
    if not permissions.can_view_session(request.user, question.session):
        raise Http404(_("No such question"))
    return question


def _back_to(question: Question) -> str:
    if LiveEvent.objects.filter(pk=question.session_id).exists():
        return reverse("expertqa:live_detail", args=[question.session_id])
    return question.session.get_absolute_url()


@login_required
@require_POST
def live_vote(request, question_pk: int):
    question = _question_or_404(request, question_pk)
    try:
        voted = services.live_vote_toggle(question=question, user=request.user)
    except ValidationError as error:
        return _done(request, _back_to(question), error=_error_text(error))
    return _done(request, _back_to(question), voted=voted, votes=question.vote_count)


@login_required
@require_POST
def live_answer(request, question_pk: int):
    question = _question_or_404(request, question_pk)
    if not permissions.is_host(request.user, question.session):
        raise PermissionDenied(_("Only the hosts answer questions."))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _done(request, _back_to(question), error=_form_error(form))
    try:
        services.live_answer(question=question, author=request.user, body=form.cleaned_data["body"])
    except ValidationError as error:
        return _done(request, _back_to(question), error=_error_text(error))
    return _done(request, _back_to(question), ok_message="Answered.")


# --- polls ------------------------------------------------------------------------------------


def _poll_runner_or_403(request, session: Session) -> None:
    event = LiveEvent.objects.filter(pk=session.pk).prefetch_related("moderators").first()
    if not permissions.can_run(request.user, session, event):
        raise PermissionDenied(_("Only the hosts and moderators can run polls here."))


@login_required
def session_polls(request, pk: int):
    """A session's polls: the section of an expert session page, and its refresh."""
    session = _session_or_404(request, pk)
    event = LiveEvent.objects.filter(pk=session.pk).prefetch_related("moderators").first()
    runner = permissions.can_run(request.user, session, event)
    context = {
        "session": session,
        "event": event,
        "runner": runner,
        "polls": selectors.session_polls(session, runner=runner, user=request.user),
        "poll_form": PollForm(),
        "version": channel.current_version(session.pk),
        "token": _token(session.pk, request.user),
        "changes_url": reverse("expertqa:live_changes", args=[session.pk]),
        "poll_ms": POLL_MS * 2,
    }
    return TemplateResponse(request, "expertqa/live/session_polls.html", context)


@login_required
@require_POST
def poll_create(request, pk: int):
    session = _session_or_404(request, pk)
    _poll_runner_or_403(request, session)
    form = PollForm(request.POST)
    url = _back_to(Question(session=session, session_id=session.pk))
    if not form.is_valid():
        return _done(request, url, error=_form_error(form))
    data = form.cleaned_data
    try:
        poll = services.poll_create(
            session=session,
            by=request.user,
            kind=data["kind"],
            question=data["question"],
            options=data["options"],
        )
    except ValidationError as error:
        return _done(request, url, error=_error_text(error))
    return _done(
        request, url, ok_message=_("Poll ready: open it when the room is ready."), poll=poll.pk
    )


@login_required
@require_POST
def poll_action(request, poll_pk: int, action: str):
    poll = get_object_or_404(Poll, pk=poll_pk)
    session = _session_or_404(request, poll.session_id)
    poll.session = session
    if action not in ("open", "close", "reveal", "conceal"):
        raise Http404
    _poll_runner_or_403(request, session)
    url = _back_to(Question(session=session, session_id=session.pk))
    try:
        services.poll_set_state(poll=poll, by=request.user, action=action)
    except ValidationError as error:
        return _done(request, url, error=_error_text(error))
    return _done(request, url)


@login_required
@require_POST
def poll_vote(request, poll_pk: int):
    poll = get_object_or_404(Poll.objects.prefetch_related("options"), pk=poll_pk)
    session = _session_or_404(request, poll.session_id)
    poll.session = session
    url = _back_to(Question(session=session, session_id=session.pk))
    form = BallotForm(request.POST, poll=poll)
    if not form.is_valid():
        return _done(request, url, error=_("Choose an answer from the list."))
    data = form.cleaned_data
    try:
        services.poll_vote(
            poll=poll,
            user=request.user,
            option_ids=data["option"],
            rating=data["rating"],
            words=data["words"],
        )
    except ValidationError as error:
        return _done(request, url, error=_error_text(error))
    return _done(request, url, ok_message=_("Thanks: your answer is in."))
