"""Flagging a post, and the managers' moderation queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .. import selectors, services
from ..confirmations import moderation_done
from ..flagging import flag_with_reason
from ..forms import FlagForm, ModerationForm
from ..models import Reply, Thread
from .access import _community, _errors, _render, _reply, _thread


@login_required
def flag(request, slug: str, thread_id: int):
    community, viewer = _community(request, slug)
    thread = _thread(community, viewer, thread_id)
    reply = None
    reply_param = request.GET.get("reply") or request.POST.get("reply")
    if reply_param:
        try:
            reply = _reply(thread, viewer, int(reply_param))
        except ValueError:
            raise Http404 from None
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_with_reason(
                user=request.user,
                category=form.cleaned_data["category"],
                note=form.cleaned_data["reason"],
                thread=None if reply else thread,
                reply=reply,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you: the managers will have a look."))
            return redirect(reply.get_absolute_url() if reply else thread)
    post = reply or thread
    post.author_name = selectors.author_display(post, request.user)
    context = {"community": community, "thread": thread, "reply": reply, "form": form}
    return TemplateResponse(request, "communities/flag.html", context)


@login_required
def moderation(request, slug: str):
    community, viewer = _community(request, slug)
    if not viewer.is_manager:
        raise Http404
    if request.method == "POST":
        form = ModerationForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a post and an action."))
            return redirect("communities:moderation", slug=slug)
        data = form.cleaned_data
        thread = reply = None
        if data["thread"]:
            thread = get_object_or_404(Thread, pk=data["thread"], community=community)
        else:
            reply = get_object_or_404(
                Reply.objects.select_related("thread__community"),
                pk=data["reply"],
                thread__community=community,
            )
        try:
            services.moderation_act(
                actor=request.user,
                action=data["action"],
                reason=data["reason"],
                thread=thread,
                reply=reply,
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
        else:
            text, tags = moderation_done(data["action"], thread=thread, reply=reply, slug=slug)
            messages.success(request, text, extra_tags=tags)
        next_url = request.POST.get("next", "")
        if next_url.startswith(f"/communities/{slug}/"):
            return redirect(next_url)
        return redirect("communities:moderation", slug=slug)
    queue = selectors.moderation_queue(community)
    for post in queue["held_threads"] + queue["held_replies"]:
        post.author_real = selectors.person_name(post.author)
    context = {"community": community, "viewer": viewer, **queue}
    return _render(request, "communities/moderation.html", context)
