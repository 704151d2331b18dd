from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from communities.models import Community

from . import permissions, selectors, services
from .forms import (
    AnswerForm,
    CancelForm,
    DeferForm,
    MergeForm,
    QuestionForm,
    SessionEditForm,
    SessionForm,
)
from .ics import session_calendar
from .models import Question, Series, Session, Vote, question_address

POLL_SALT = "expertqa.board-poll"
POLL_TOKEN_MAX_AGE = 12 * 3600
# The board shows its questions a window at a time, in the chosen order.
BOARD_WINDOW = 30
SORTS = ("votes", "new")


def poll_seconds() -> int:
    return int(getattr(settings, "EXPERTQA_POLL_SECONDS", 5))


def _sort(request) -> str:
    sort = request.GET.get("sort") or request.POST.get("sort") or "votes"
    return sort if sort in SORTS else "votes"


def _page(request) -> int:
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return 1


def _visible_session_or_404(request, pk: int, read=selectors.session_for_board) -> Session:
    try:
        session = read(pk)
    except Session.DoesNotExist:
        raise Http404(_("No such session")) from None
    if not permissions.can_view_session(request.user, session):
        raise Http404(_("No such session"))
    return session


def _question_or_404(request, pk: int) -> Question:
    question = get_object_or_404(Question.objects.select_related("session__community"), pk=pk)
    if not permissions.can_view_session(request.user, question.session):
        raise Http404(_("No such question"))
    return question


# --- listing ----------------------------------------------------------------------------------


@login_required
def session_list(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    listing = selectors.session_listing(request.user, query=query, page=request.GET.get("page", 1))
    context = {
        "listing": listing,
        "query": query,
        "series_list": selectors.listed_series(request.user),
        "can_schedule": _schedulable_communities(request.user).exists(),
    }
    if request.htmx and request.htmx.target == "session-results":
        return TemplateResponse(request, "expertqa/session_list.html#results", context)
    return TemplateResponse(request, "expertqa/session_list.html", context)


def _schedulable_communities(user):
    return permissions.schedulable_communities(user)


@login_required
def session_create(request):
    communities = _schedulable_communities(request.user)
    if not communities.exists():
        raise PermissionDenied(_("Only community managers can schedule sessions."))
    form = SessionForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_schedule(
                created_by=request.user,
                title=data["title"],
                topic=data["topic"],
                community=data["community"],
                experts=data["experts"],
                starts_at=data["starts_at"],
                ends_at=data["starts_at"] + timedelta(minutes=data["duration"]),
                moderator=data["moderator"],
                description=data["description"],
                kind=data["kind"],
                series=data["series"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request, _("Scheduled. The community and the topic's followers are invited.")
            )
            return redirect(session)
    return TemplateResponse(request, "expertqa/session_form.html", {"form": form})


def _managed_session_or_404(request, pk: int) -> Session:
    """The session, for its moderator and its community's managers only."""
    session = _visible_session_or_404(request, pk)
    if not permissions.is_moderator(request.user, session):
        raise PermissionDenied(_("Only the session's moderator or the community's managers can."))
    return session


@login_required
def session_edit(request, pk: int):
    session = _managed_session_or_404(request, pk)
    window_fixed = session.clock_state() == Session.State.CLOSED
    form = SessionEditForm(
        request.POST if request.method == "POST" else None,
        session=session,
        window_fixed=window_fixed,
    )
    if request.method == "POST" and not session.is_cancelled and form.is_valid():
        data = form.cleaned_data
        starts_at, ends_at = form.window()
        moved = (starts_at, ends_at) != (session.starts_at, session.ends_at)
        try:
            session = services.session_update(
                session=session,
                by=request.user,
                title=data["title"],
                description=data["description"],
                experts=data["experts"],
                starts_at=starts_at,
                ends_at=ends_at,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "ends_at" in error.error_dict:
                error = ValidationError({"duration": error.error_dict.pop("ends_at")})
            _errors_to_form(form, error)
        else:
            if moved:
                messages.success(
                    request,
                    _(
                        "Rescheduled. Everyone invited hears of the new time, with a new "
                        "calendar file."
                    ),
                )
            else:
                messages.success(request, _("The session is saved."))
            return redirect(session)
    context = {
        "session": session,
        "form": form,
        "cancel_form": CancelForm(),
        "window_fixed": window_fixed,
        "can_cancel": not session.is_cancelled and not window_fixed,
    }
    return TemplateResponse(request, "expertqa/session_edit.html", context)


@login_required
@require_POST
def session_cancel(request, pk: int):
    session = _managed_session_or_404(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        context = {
            "session": session,
            "form": SessionEditForm(session=session),
            "cancel_form": form,
            "window_fixed": False,
            "can_cancel": True,
        }
        return TemplateResponse(request, "expertqa/session_edit.html", context, status=400)
    try:
        services.session_cancel(session=session, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("expertqa:edit", pk=session.pk)
    messages.success(request, _("Cancelled. Everyone invited is told, and the board is closed."))
    return redirect(session)


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- the board --------------------------------------------------------------------------------


def _poll_token(session: Session, user, state: str, version: int, since: datetime) -> str:
    return signing.dumps(
        {
            "s": session.pk,
            "u": user.pk,
            "v": version,
            "st": state,
            "a": int(session.starts_at.timestamp()),
            "e": int(session.ends_at.timestamp()),
            "t": since.timestamp(),
        },
        salt=POLL_SALT,
        compress=False,
    )


def _board_context(request, session: Session, *, sort: str, fresh: bool = False, **extra):
    now = timezone.now()  # before the board is read, so nothing slips between the two
    if fresh:  # an action just bumped the version this object was loaded with
        session.refresh_from_db(fields=["version"])
    page = _page(request)
    if "page" not in request.GET and request.GET.get("question", "").isdigit():
        # A link to one question (a notification, a search hit) opens the window it is in.
        page = selectors.board_page_of(
            session, int(request.GET["question"]), sort=sort, per_page=BOARD_WINDOW
        )
    board = selectors.board_for(session, request.user, sort=sort, page=page, per_page=BOARD_WINDOW)
    polls = session.cancelled_at is None and session.starts_at - timedelta(
        days=1
    ) < now < session.ends_at + timedelta(hours=2)
    for q in board.questions:
        q.answer_form = extra.get("answer_forms", {}).get(q.pk)
        q.defer_form = extra.get("defer_forms", {}).get(q.pk)
    allow_anonymous = session.community.anonymity != Community.Anonymity.OFF
    return {
        "session": session,
        "board": board,
        "shown": board.questions,
        "first_number": (board.page - 1) * BOARD_WINDOW + 1,
        # The rows are written in Python (expertqa_tags.question_rows), tools and all, but
        # where a tool's form is shown again with its errors: the template writes those.
        "plain_rows": not (extra.get("answer_forms") or extra.get("defer_forms")),
        "sort": sort,
        "question_form": extra.get("question_form")
        or QuestionForm(allow_anonymous=allow_anonymous),
        "polls": polls,
        "poll_seconds": poll_seconds(),
        "poll_token": _poll_token(session, request.user, board.state, board.version, now),
        "action_error": extra.get("action_error"),
    }


def _board_response(request, session: Session, *, sort: str, status: int = 200, **extra):
    context = _board_context(request, session, sort=sort, fresh=True, **extra)
    return TemplateResponse(request, "expertqa/session_detail.html#board", context, status=status)


@login_required
def session_detail(request, pk: int):
    session = _visible_session_or_404(request, pk)
    context = _board_context(request, session, sort=_sort(request))
    if request.htmx and request.htmx.target == "board":
        return TemplateResponse(request, "expertqa/session_detail.html#board", context)
    if request.htmx and request.htmx.target == "board-more":
        return TemplateResponse(request, "expertqa/session_detail.html#window", context)
    return TemplateResponse(request, "expertqa/session_detail.html", context)


@login_required
@require_GET
def session_board(request, pk: int):
    session = _visible_session_or_404(request, pk)
    if not request.htmx:
        url = reverse("expertqa:detail", args=[pk])
        return redirect(f"{url}?sort={_sort(request)}&page={_page(request)}")
    if request.htmx.target == "board-more":
        context = _board_context(request, session, sort=_sort(request))
        return TemplateResponse(request, "expertqa/session_detail.html#window", context)
    return _board_response(request, session, sort=_sort(request))


@require_GET
def board_changes(request, pk: int):
    """The live board's poll. "Nothing changed" costs no template and no query of its own.

    The board hands the browser a signed token (who, which session, which version and state
    it shows) after checking access, so the unchanged answer needs only the version from
    Redis; anything else is checked and counted in full.
    """
    if not request.user.is_authenticated:
        # Not a redirect: htmx would follow it and put the sign-in page into the bar.
        return HttpResponse(_("Sign in again to follow this board."), status=401)
    try:
        data = signing.loads(request.GET.get("t", ""), salt=POLL_SALT, max_age=POLL_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return HttpResponseBadRequest(_("Reload the page to follow this board."))
    if data.get("s") != pk or data.get("u") != request.user.pk:
        return HttpResponseBadRequest(_("Reload the page to follow this board."))
    now = timezone.now().timestamp()
    clock_state = "scheduled" if now < data["a"] else ("open" if now < data["e"] else "closed")
    shown_state = "closed" if data["st"] == Session.State.KEPT else data["st"]
    if services.board_version(pk) == data["v"] and clock_state == shown_state:
        return HttpResponse(status=204)
    session = _visible_session_or_404(request, pk)
    since = datetime.fromtimestamp(data["t"], tz=UTC)
    counts = selectors.changes_since(session, since)
    parts = []
    if n := counts["questions"]:
        parts.append(
            ngettext("%(count)s new question", "%(count)s new questions", n) % {"count": n}
        )
    if n := counts["answers"]:
        parts.append(ngettext("%(count)s new answer", "%(count)s new answers", n) % {"count": n})
    if n := counts["deferrals"]:
        parts.append(
            ngettext("%(count)s question deferred", "%(count)s questions deferred", n)
            % {"count": n}
        )
    if session.cancelled_at is not None:
        parts.insert(0, _("This session was cancelled"))
    elif (
        int(session.starts_at.timestamp()) != data["a"]
        or int(session.ends_at.timestamp()) != data["e"]
    ):
        when = timezone.localtime(session.starts_at)
        parts.insert(
            0,
            _("The session moved to %(when)s") % {"when": date_format(when, _("D j M H:i"))},
        )
    elif clock_state != shown_state:
        parts.insert(
            0,
            {"open": _("The session is open"), "closed": _("The session has closed")}.get(
                clock_state, _("The session changed")
            ),
        )
    if not parts:
        parts.append(_("The board changed"))
    return TemplateResponse(
        request,
        "expertqa/session_detail.html#news",
        {"session": session, "news": " · ".join(parts), "sort": _sort(request)},
    )


@login_required
@require_GET
def session_calendar_file(request, pk: int):
    session = _visible_session_or_404(request, pk, read=selectors.session_for_calendar)
    response = HttpResponse(session_calendar(session), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


# --- actions on the board ---------------------------------------------------------------------


def _after_action(request, session: Session, *, sort: str, error: str = "", **extra):
    if request.htmx:
        return _board_response(request, session, sort=sort, action_error=error, status=200, **extra)
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('expertqa:detail', args=[session.pk])}?sort={sort}")


@login_required
@require_POST
def question_ask(request, pk: int):
    session = _visible_session_or_404(request, pk)
    allow_anonymous = session.community.anonymity != Community.Anonymity.OFF
    form = QuestionForm(request.POST, allow_anonymous=allow_anonymous)
    sort = _sort(request)
    if form.is_valid():
        try:
            services.question_ask(
                session=session,
                author=request.user,
                body=form.cleaned_data["body"],
                is_anonymous=form.cleaned_data.get("is_anonymous", False),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            if request.htmx:
                return _board_response(request, session, sort="new")
            messages.success(request, _("Your question is on the board."))
            return redirect(f"{reverse('expertqa:detail', args=[pk])}?sort=new")
    context = _board_context(request, session, sort=sort, fresh=True, question_form=form)
    template = (
        "expertqa/session_detail.html#board" if request.htmx else "expertqa/session_detail.html"
    )
    return TemplateResponse(request, template, context, status=200 if request.htmx else 400)


@login_required
@require_POST
def question_vote(request, pk: int):
    question = _question_or_404(request, pk)
    try:
        services.vote_toggle(question=question, user=request.user)
    except ValidationError as error:
        if request.htmx:
            return HttpResponse(" ".join(error.messages), status=409)
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        question.voted = Vote.objects.filter(question=question, user=request.user).exists()
        return TemplateResponse(
            request,
            "expertqa/session_detail.html#vote",
            {"q": question, "session": question.session},
        )
    return redirect(question_address(question.session_id, question.pk))


@login_required
@require_POST
def answer_create(request, pk: int):
    question = _question_or_404(request, pk)
    session = _visible_session_or_404(request, question.session_id)
    form = AnswerForm(request.POST)
    sort = _sort(request)
    if form.is_valid():
        try:
            services.answer_create(
                question=question, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            return _after_action(request, session, sort=sort)
    error = " ".join(e for errs in form.errors.values() for e in errs)
    return _after_action(request, session, sort=sort, error=error, answer_forms={question.pk: form})


@login_required
@require_POST
def question_defer(request, pk: int):
    question = _question_or_404(request, pk)
    session = _visible_session_or_404(request, question.session_id)
    if not permissions.is_expert(request.user, session):
        raise PermissionDenied(_("Only the session's experts can defer."))
    form = DeferForm(request.POST)
    sort = _sort(request)
    if form.is_valid():
        try:
            services.question_defer(
                question=question,
                by=request.user,
                to=form.cleaned_data["deferred_to"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            return _after_action(request, session, sort=sort)
    error = " ".join(e for errs in form.errors.values() for e in errs)
    return _after_action(request, session, sort=sort, error=error, defer_forms={question.pk: form})


@login_required
@require_POST
def question_moderate(request, pk: int, action: str):
    question = _question_or_404(request, pk)
    session = _visible_session_or_404(request, question.session_id)
    sort = _sort(request)
    error = ""
    try:
        if action == "hide":
            services.question_hide(question=question, by=request.user)
        elif action == "restore":
            services.question_restore(question=question, by=request.user)
        elif action == "merge":
            form = MergeForm(request.POST)
            if not form.is_valid():
                error = _("Give the number of the question to merge into.")
            else:
                into = Question.objects.filter(
                    session=session, pk=form.cleaned_data["into"]
                ).first()
                if into is None:
                    error = _("There is no question with that number on this board.")
                else:
                    services.question_merge(duplicate=question, into=into, by=request.user)
        else:
            raise Http404
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _after_action(request, session, sort=sort, error=error)


# --- series and records -----------------------------------------------------------------------


@login_required
def series_detail(request, slug: str):
    series = get_object_or_404(Series.objects.select_related("community", "topic"), slug=slug)
    if not permissions.can_view_community(request.user, series.community):
        raise Http404(_("No such series"))
    context = {"series": series, **selectors.series_detail(request.user, series)}
    return TemplateResponse(request, "expertqa/series_detail.html", context)


@login_required
def expert_record(request, user_id: int):
    expert = get_object_or_404(get_user_model().objects.select_related("profile"), pk=user_id)
    context = {
        "expert": expert,
        "expert_name": selectors.person_name(expert),
        **selectors.expert_commitments(expert, request.user),
    }
    return TemplateResponse(request, "expertqa/expert_record.html", context)
