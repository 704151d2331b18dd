from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from socialearn.calendar import feed_calendar

from . import permissions, selectors, services
from .calendar import challenge_entries
from .forms import (
    AnswerForm,
    ChallengeForm,
    CopyForm,
    EntryQueueForm,
    FeedForm,
    FlowForm,
    FlowItemForm,
    StepForm,
)
from .models import Challenge, Completion, FeedEntry, Flow, FlowFeed, Step


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _challenge_or_404(request, pk: int) -> Challenge:
    challenge = get_object_or_404(
        Challenge.objects.select_related(
            "community", "designer__profile", "guide__profile", "copied_from"
        ),
        pk=pk,
    )
    if not permissions.can_view_challenge(request.user, challenge):
        raise Http404("No such challenge")
    return challenge


def _designer_challenge_or_404(request, pk: int) -> Challenge:
    challenge = _challenge_or_404(request, pk)
    if challenge.is_template or not permissions.can_design(request.user, challenge):
        raise PermissionDenied
    return challenge


def _step_or_404(challenge: Challenge, step_pk: int) -> Step:
    step = challenge.steps.select_related("thread").filter(pk=step_pk).first()
    if step is None:
        raise Http404("No such step")
    return step


def _released_step_or_404(request, challenge: Challenge, step_pk: int) -> Step:
    """A step participants may see: released, or previewed by its designers."""
    step = _step_or_404(challenge, step_pk)
    if not step.is_posted and not permissions.can_design(request.user, challenge):
        raise Http404("Not released yet")
    return step


@login_required
def challenge_list(request):
    can_design = permissions.can_design_anything(request.user)
    return TemplateResponse(
        request,
        "challenges/list.html",
        {
            "challenges": selectors.challenge_list(request.user)[:100],
            "templates": selectors.template_list() if can_design else [],
            "can_design": can_design,
            "can_curate": can_design,
        },
    )


@login_required
def challenge_copy(request, pk: int):
    source = get_object_or_404(Challenge, pk=pk)
    if not permissions.can_copy(request.user, source):
        raise Http404("No such challenge")
    communities = permissions.designable_communities(request.user)
    if not communities.exists():
        raise PermissionDenied
    form = CopyForm(
        request.POST or None,
        communities=communities,
        initial={"title": source.title, "start_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.challenge_copy(
                source=source,
                designer=request.user,
                community=form.cleaned_data["community"],
                start_date=form.cleaned_data["start_date"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, gettext("Copied. Edit the steps, then publish."))
            return redirect("challenges:edit", pk=copy.pk)
    return TemplateResponse(request, "challenges/copy.html", {"source": source, "form": form})


@login_required
def challenge_detail(request, pk: int):
    challenge = _challenge_or_404(request, pk)
    progress = selectors.progress_for(challenge, request.user)
    return TemplateResponse(
        request,
        "challenges/detail.html",
        {
            "challenge": challenge,
            "progress": progress,
            "is_participant": bool(progress.participant and progress.participant.is_active),
            "can_design": permissions.can_design(request.user, challenge),
            "participant_count": challenge.participants.filter(left_at__isnull=True).count(),
        },
    )


@login_required
def challenge_edit(request, pk: int):
    challenge = _designer_challenge_or_404(request, pk)
    form = ChallengeForm(request.POST or None, instance=challenge)
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_save(challenge=form.instance)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, gettext("The challenge is saved."))
            return redirect("challenges:edit", pk=challenge.pk)
    return TemplateResponse(
        request,
        "challenges/edit.html",
        {"challenge": challenge, "form": form, "steps": selectors.challenge_steps(challenge)},
    )


@login_required
@require_POST
def challenge_publish(request, pk: int):
    challenge = _designer_challenge_or_404(request, pk)
    try:
        services.challenge_publish(challenge=challenge)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("challenges:edit", pk=pk)
    messages.success(request, gettext("Published: people can join, and steps go out on time."))
    return redirect(challenge)


@login_required
def step_edit(request, pk: int, step_pk: int | None = None):
    challenge = _designer_challenge_or_404(request, pk)
    step = _step_or_404(challenge, step_pk) if step_pk else Step(challenge=challenge)
    form = StepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_save(step=form.instance)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, gettext("Step saved."))
            return redirect("challenges:edit", pk=pk)
    return TemplateResponse(
        request, "challenges/step_edit.html", {"challenge": challenge, "step": step, "form": form}
    )


@login_required
@require_POST
def challenge_join(request, pk: int):
    challenge = _challenge_or_404(request, pk)
    try:
        services.participant_join(challenge=challenge, user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect(challenge)
    messages.success(request, gettext("You joined %(challenge)s.") % {"challenge": challenge.title})
    return redirect("challenges:participant", pk=pk)


@login_required
@require_POST
def challenge_leave(request, pk: int):
    challenge = _challenge_or_404(request, pk)
    services.participant_leave(challenge=challenge, user=request.user)
    messages.success(
        request, gettext("You left the challenge. Your answers stay in the community.")
    )
    return redirect(challenge)


JUST_DONE = timedelta(minutes=10)


def _participant_context(request, challenge: Challenge, step: Step | None = None, form=None):
    progress = selectors.progress_for(challenge, request.user)
    step = step or progress.today
    completion = progress.completed.get(step.pk) if step else None
    return {
        # Completed a moment ago: the page celebrates (quietly) instead of stating it.
        "just_done": completion is not None
        and timezone.now() - completion.completed_at < JUST_DONE,
        "challenge": challenge,
        "progress": progress,
        "step": step,
        "answers": selectors.step_answers(step) if step else [],
        "completion": completion,
        "form": form or AnswerForm(),
        "is_participant": bool(progress.participant and progress.participant.is_active),
    }


@login_required
def participant_page(request, pk: int):
    challenge = _challenge_or_404(request, pk)
    context = _participant_context(request, challenge)
    if not context["is_participant"]:
        return redirect(challenge)
    return TemplateResponse(request, "challenges/participant.html", context)


@login_required
def step_detail(request, pk: int, step_pk: int):
    challenge = _challenge_or_404(request, pk)
    step = _step_or_404(challenge, step_pk)
    if not step.is_posted and not permissions.can_design(request.user, challenge):
        raise Http404("Not released yet")
    context = _participant_context(request, challenge, step)
    return TemplateResponse(request, "challenges/participant.html", context)


def _step_response(request, challenge, step, form=None):
    context = _participant_context(request, challenge, step, form)
    if request.htmx:
        return TemplateResponse(request, "challenges/participant.html#today", context)
    return TemplateResponse(request, "challenges/participant.html", context)


@login_required
@require_POST
def step_answer(request, pk: int, step_pk: int):
    challenge = _challenge_or_404(request, pk)
    step = _released_step_or_404(request, challenge, step_pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.step_answer(step=step, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            if not request.htmx:
                messages.success(request, gettext("Thanks for your answer."))
                return redirect("challenges:step", pk=pk, step_pk=step.pk)
            form = None
    return _step_response(request, challenge, step, form)


@login_required
@require_POST
def step_done(request, pk: int, step_pk: int):
    challenge = _challenge_or_404(request, pk)
    step = _released_step_or_404(request, challenge, step_pk)
    try:
        services.step_complete(step=step, user=request.user, via=Completion.Via.MARK_DONE)
    except ValidationError as error:
        messages.error(request, _errors(error))
    if not request.htmx:
        return redirect("challenges:step", pk=pk, step_pk=step.pk)
    return _step_response(request, challenge, step)


@login_required
@require_GET
def challenge_calendar_file(request, pk: int):
    """All the challenge's dated steps, for a calendar app."""
    challenge = _challenge_or_404(request, pk)
    if challenge.is_template:
        raise Http404("A template has no dates")
    body = feed_calendar(challenge_entries(challenge), name=challenge.title, subscription=False)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="challenge-{challenge.pk}.ics"'
    return response


@login_required
def scoreboard(request, pk: int):
    """The same for everyone who may see the challenge: the template keeps it rendered under
    the scoreboard's generation, so the kept figures are read only when that rendering is not
    kept."""
    challenge = _challenge_or_404(request, pk)
    number = selectors.scoreboard_page_number(request.GET.get("page"))
    kept = SimpleLazyObject(lambda: selectors.scoreboard_kept(challenge, number))
    return TemplateResponse(
        request,
        "challenges/scoreboard.html",
        {
            "challenge": challenge,
            "board": SimpleLazyObject(lambda: kept["board"]),
            "figures": SimpleLazyObject(lambda: kept["figures"]),
            "weekly_chart": SimpleLazyObject(lambda: kept["weekly_chart"]),
            "steps_chart": SimpleLazyObject(lambda: kept["steps_chart"]),
            "generation": selectors.scoreboard_generation(challenge),
            "kept_seconds": selectors.SCOREBOARD_SECONDS,
            "page_number": number,
        },
    )


# Learning flows


def _flow_or_404(request, pk: int) -> Flow:
    flow = get_object_or_404(Flow.objects.select_related("community", "curator__profile"), pk=pk)
    if not permissions.can_curate(request.user, flow):
        raise Http404("No such flow")
    return flow


@login_required
def flow_list(request):
    return TemplateResponse(
        request,
        "challenges/flows.html",
        {
            "flows": selectors.flow_list(request.user)[:100],
            "can_create": permissions.can_design_anything(request.user),
        },
    )


@login_required
def flow_new(request):
    communities = permissions.designable_communities(request.user)
    if not communities.exists():
        raise PermissionDenied
    form = FlowForm(
        request.POST or None, communities=communities, initial={"weekdays": [1, 2, 3, 4, 5]}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            flow = services.flow_create(
                community=data["community"],
                curator=request.user,
                name=data["name"],
                mode=data["mode"],
                weekdays=data["weekdays"],
                post_time=data["post_time"],
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            return redirect(flow)
    return TemplateResponse(request, "challenges/flow_new.html", {"form": form})


def _flow_context(flow: Flow, **extra) -> dict:
    return {"flow": flow, **selectors.flow_items(flow), **extra}


@login_required
def flow_detail(request, pk: int):
    flow = _flow_or_404(request, pk)
    settings_form = FlowForm(request.POST or None, instance=flow, prefix="flow")
    if request.method == "POST" and settings_form.is_valid():
        try:
            services.flow_update(flow=settings_form.instance)
        except ValidationError as error:
            settings_form.add_error(None, _errors(error))
        else:
            messages.success(request, gettext("Schedule saved."))
            return redirect(flow)
    return TemplateResponse(
        request,
        "challenges/flow.html",
        _flow_context(flow, settings_form=settings_form, item_form=FlowItemForm(prefix="item")),
    )


@login_required
def flow_item_new(request, pk: int):
    flow = _flow_or_404(request, pk)
    form = FlowItemForm(request.POST or None, prefix="item")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.flow_item_add(flow=flow, **data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, gettext("Added to the queue."))
            return redirect(flow)
    return TemplateResponse(
        request,
        "challenges/flow.html",
        _flow_context(flow, settings_form=FlowForm(instance=flow, prefix="flow"), item_form=form),
    )


def _queue_response(request, flow: Flow):
    if request.htmx:
        return TemplateResponse(request, "challenges/flow.html#queue", _flow_context(flow))
    return redirect(flow)


@login_required
@require_POST
def flow_item_move(request, pk: int, item_pk: int):
    flow = _flow_or_404(request, pk)
    item = get_object_or_404(flow.items, pk=item_pk)
    try:
        services.flow_item_move(item=item, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, _errors(error))
    return _queue_response(request, flow)


@login_required
@require_POST
def flow_item_post(request, pk: int, item_pk: int):
    flow = _flow_or_404(request, pk)
    item = get_object_or_404(flow.items, pk=item_pk)
    if flow.mode != Flow.Mode.SCHEDULED:
        messages.error(
            request, gettext("Items of a relative flow go to each newcomer on their own day.")
        )
    elif services.flow_item_post_now(item=item):
        messages.success(
            request,
            gettext("Posted “%(item)s” to %(community)s.")
            % {"item": item.title, "community": flow.community.name},
        )
    else:
        messages.error(request, gettext("That item is already posted."))
    return redirect(flow)


@login_required
@require_POST
def flow_item_delete(request, pk: int, item_pk: int):
    flow = _flow_or_404(request, pk)
    item = get_object_or_404(flow.items, pk=item_pk)
    try:
        services.flow_item_delete(item=item)
    except ValidationError as error:
        messages.error(request, _errors(error))
    return _queue_response(request, flow)


@login_required
def flow_item_detail(request, pk: int, item_pk: int):
    flow = get_object_or_404(Flow.objects.select_related("community"), pk=pk)
    item = get_object_or_404(flow.items.select_related("thread"), pk=item_pk)
    curator = permissions.can_curate(request.user, flow)
    if not permissions.can_read_flow_item(request.user, flow, item, curator=curator):
        raise Http404("No such item")
    return TemplateResponse(
        request,
        "challenges/flow_item.html",
        {
            "flow": flow,
            "item": item,
            "body_html": services.flow_item_preview_html(item=item),
            "is_curator": curator,
        },
    )


@login_required
@require_POST
def flow_pause(request, pk: int):
    flow = _flow_or_404(request, pk)
    services.flow_pause(flow=flow)
    messages.success(request, gettext("Paused: nothing is posted until you resume."))
    return redirect(flow)


@login_required
@require_POST
def flow_resume(request, pk: int):
    flow = _flow_or_404(request, pk)
    services.flow_resume(flow=flow)
    messages.success(request, gettext("Resumed: the queue carries on from the next slot."))
    return redirect(reverse("challenges:flow", args=[flow.pk]))


# --- curation: feeds and the review queue -------------------------------------------------------


@login_required
def flow_feeds(request, pk: int):
    flow = _flow_or_404(request, pk)
    form = FeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feed_add(flow=flow, by=request.user, url=form.cleaned_data["url"])
        except ValidationError as error:
            about_url = set(getattr(error, "error_dict", ())) == {"url"}
            form.add_error("url" if about_url else None, _errors(error))
        else:
            messages.success(request, _("Subscribed: new articles arrive in the review queue."))
            return redirect("challenges:flow_sources", flow.pk)
    context = {
        "flow": flow,
        "feeds": selectors.flow_feeds(flow),
        "form": form,
        "now": timezone.now(),
    }
    return TemplateResponse(request, "challenges/flow_feeds.html", context)


@login_required
@require_POST
def flow_feed_remove(request, pk: int, feed_pk: int):
    flow = _flow_or_404(request, pk)
    feed = get_object_or_404(FlowFeed.objects.select_related("flow"), pk=feed_pk, flow=flow)
    services.feed_remove(feed=feed, by=request.user)
    messages.success(request, _("The flow no longer follows that feed."))
    return redirect("challenges:flow_sources", flow.pk)


@login_required
def flow_review(request, pk: int):
    flow = _flow_or_404(request, pk)
    context = {"flow": flow, "page": selectors.review_queue(flow, page=request.GET.get("page", 1))}
    return TemplateResponse(request, "challenges/flow_review.html", context)


def _entry_or_404(flow: Flow, entry_pk: int) -> FeedEntry:
    return get_object_or_404(FeedEntry.objects.select_related("flow"), pk=entry_pk, flow=flow)


@login_required
def flow_entry(request, pk: int, entry_pk: int):
    flow = _flow_or_404(request, pk)
    entry = _entry_or_404(flow, entry_pk)
    form = EntryQueueForm(
        request.POST or None, initial={"title": entry.title, "summary": entry.summary}
    )
    if request.method == "POST" and entry.status == FeedEntry.Status.NEW and form.is_valid():
        try:
            services.entry_queue(entry=entry, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Queued in the flow."))
            return redirect("challenges:flow_review", flow.pk)
    return TemplateResponse(
        request, "challenges/flow_entry.html", {"flow": flow, "entry": entry, "form": form}
    )


@login_required
@require_POST
def flow_entry_dismiss(request, pk: int, entry_pk: int):
    flow = _flow_or_404(request, pk)
    entry = _entry_or_404(flow, entry_pk)
    try:
        services.entry_dismiss(entry=entry, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Dismissed."))
    return redirect("challenges:flow_review", flow.pk)
