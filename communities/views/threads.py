"""Threads and replies: posting, reading, editing, tip revisions, accepted answers and reactions."""

import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.backends.utils import csrf_input
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import dateformat
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import FlagForm, ReactionForm, ReplyEditForm, ReplyForm, ThreadEditForm, ThreadForm
from ..models import Thread
from ..paging import CountedPaginator
from .access import _community, _errors, _render, _reply, _thread

REPLIES_PER_PAGE = selectors.REPLIES_PER_PAGE


@login_required
def thread_create(request, slug: str):
    community, viewer = _community(request, slug)
    if not viewer.is_member:
        messages.info(request, _("Join the community to post."))
        return redirect(community)
    initial = {"kind": request.GET.get("kind", Thread.Kind.DISCUSSION)}
    form = ThreadForm(request.POST or None, community=community, initial=initial)
    # As the title is typed, questions already asked show under it (htmx, debounced).
    form.fields["title"].widget.attrs.update(
        {
            "hx-get": reverse("communities:similar", args=[community.slug]),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#similar-questions",
            "hx-sync": "this:replace",
            "autocomplete": "off",
            "aria-describedby": "similar-questions",
        }
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = services.thread_create(
                community=community,
                author=request.user,
                kind=data["kind"],
                title=data["title"],
                body=data["body"],
                url=data["url"],
                topics=data["topics"],
                is_anonymous=data.get("is_anonymous", False),
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            if thread.status == Thread.Status.HELD:
                messages.warning(
                    request,
                    _("Your thread is held for a manager's review: %(reason)s")
                    % {"reason": thread.hold_reason},
                )
            elif thread.status == Thread.Status.PENDING:
                messages.info(request, _("Your anonymous thread waits for a manager's review."))
            return redirect(thread)
    return TemplateResponse(
        request,
        "communities/thread_form.html",
        {"form": form, "community": community, "viewer": viewer},
    )


@login_required
def thread_detail(request, slug: str, thread_id: int):
    community, viewer = _community(request, slug)
    thread = _thread(community, viewer, thread_id)
    replies = selectors.thread_replies(thread, request.user, manager=viewer.is_manager)
    count = selectors.thread_reply_count(thread, request.user, manager=viewer.is_manager)
    paginator = CountedPaginator(replies, REPLIES_PER_PAGE, count=count)
    page = paginator.get_page(request.GET.get("page"))
    reply_list = list(page.object_list)
    summary = selectors.reaction_summary(
        viewer=request.user, thread_ids=[thread.pk], reply_ids=[r.pk for r in reply_list]
    )
    thread.reaction_list = summary[("thread", thread.pk)]
    thread.author_name = selectors.author_display(thread, request.user)
    thread.revealed = selectors.anonymous_author_for_manager(thread, manager=viewer.is_manager)
    spotlights = selectors.thread_spotlights(
        thread,
        request.user,
        manager=viewer.is_manager,
        member=viewer.is_member,
        replies=replies,
    )
    spotlit = {s.reply_id for s in spotlights}
    # The addresses every reply's buttons post to are the thread's: reversed once a page.
    thread_urls = {
        "page": thread.get_absolute_url(),
        "react": reverse("communities:react", args=[community.slug, thread.pk]),
        "accept": reverse("communities:accept", args=[community.slug, thread.pk]),
        "flag": reverse("communities:flag", args=[community.slug, thread.pk]),
        "moderation": reverse("communities:moderation", args=[community.slug]),
        # One token field for the three reaction forms of every post.
        "csrf_field": csrf_input(request),
    }
    # Each reply's time in the page's language: the format translated once a page, not per
    # reply through the date filter.
    stamp = _("j M Y, H:i")
    for reply in reply_list:
        reply.thread = thread
        reply.created_label = dateformat.format(template_localtime(reply.created_at), stamp)
        reply.reaction_list = summary[("reply", reply.pk)]
        reply.author_name = selectors.author_display(reply, request.user)
        reply.revealed = selectors.anonymous_author_for_manager(reply, manager=viewer.is_manager)
        reply.is_accepted = reply.pk == thread.accepted_reply_id
        reply.is_spotlit = reply.pk in spotlit
        reply.can_edit = viewer.is_manager or (
            reply.author_id is not None and reply.author_id == request.user.pk
        )
        if reply.can_edit:
            reply.edit_url = reverse(
                "communities:reply_edit", args=[community.slug, thread.pk, reply.pk]
            )
    is_asker = thread.author_id is not None and thread.author_id == request.user.pk
    context = {
        "community": community,
        "viewer": viewer,
        "thread": thread,
        "page": page,
        "replies": reply_list,
        "thread_urls": thread_urls,
        "spotlights": spotlights,
        "form": ReplyForm(community=community) if viewer.is_member else None,
        "can_accept": thread.kind in (Thread.Kind.QUESTION, Thread.Kind.HELP)
        and (is_asker or viewer.is_manager),
        "can_edit": services.can_edit_thread(
            thread, request.user, is_manager=viewer.is_manager, is_member=viewer.is_member
        ),
        "is_asker": is_asker,
        "revision_count": thread.revisions.count() if thread.kind == Thread.Kind.TIP else 0,
        "flag_form": FlagForm() if viewer.is_member else None,
    }
    return _render(request, "communities/thread.html", context, "replies")


@login_required
@require_POST
def reply_create(request, slug: str, thread_id: int):
    community, viewer = _community(request, slug)
    thread = _thread(community, viewer, thread_id)
    if not viewer.is_member:
        raise PermissionDenied
    form = ReplyForm(request.POST, community=community)
    if form.is_valid():
        try:
            reply = services.reply_create(
                thread=thread,
                author=request.user,
                body=form.cleaned_data["body"],
                is_anonymous=form.cleaned_data.get("is_anonymous", False),
            )
        except ValidationError as exc:
            messages.error(request, _errors(exc))
            return redirect(thread)
        if reply.status == Thread.Status.HELD:
            messages.warning(
                request,
                _("Your reply is held for a manager's review: %(reason)s")
                % {"reason": reply.hold_reason},
            )
        elif reply.status == Thread.Status.PENDING:
            messages.info(request, _("Your anonymous reply waits for a manager's review."))
        count = thread.replies.filter(created_at__lte=reply.created_at).count()
        page = (count - 1) // REPLIES_PER_PAGE + 1
        return redirect(f"{thread.get_absolute_url()}?page={page}#reply-{reply.pk}")
    messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(thread)


@login_required
def thread_edit(request, slug: str, thread_id: int):
    community, viewer = _community(request, slug)
    thread = _thread(community, viewer, thread_id)
    if not services.can_edit_thread(
        thread, request.user, is_manager=viewer.is_manager, is_member=viewer.is_member
    ):
        raise PermissionDenied
    initial = {"title": thread.title, "body": thread.body, "url": thread.url}
    form = ThreadEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.thread_edit(
                thread=thread,
                editor=request.user,
                title=data["title"],
                body=data["body"],
                url=data["url"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            if thread.status == Thread.Status.HELD:
                messages.warning(request, _("Your edit is held for a manager's review."))
            return redirect(thread)
    return TemplateResponse(
        request,
        "communities/thread_edit.html",
        {"form": form, "community": community, "thread": thread},
    )


@login_required
def reply_edit(request, slug: str, thread_id: int, reply_id: int):
    community, viewer = _community(request, slug)
    thread = _thread(community, viewer, thread_id)
    reply = _reply(thread, viewer, reply_id)
    if not (viewer.is_manager or reply.author_id == request.user.pk):
        raise PermissionDenied
    form = ReplyEditForm(request.POST or None, initial={"body": reply.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_edit(reply=reply, editor=request.user, body=form.cleaned_data["body"])
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(reply.get_absolute_url())
    return TemplateResponse(
        request,
        "communities/reply_edit.html",
        {"form": form, "community": community, "thread": thread, "reply": reply},
    )


@login_required
def revisions(request, slug: str, thread_id: int):
    community, viewer = _community(request, slug)
    thread = _thread(community, viewer, thread_id)
    if thread.kind != Thread.Kind.TIP:
        raise Http404
    revs = list(thread.revisions.select_related("author__profile").order_by("-number"))
    for rev in revs:
        # An anonymous tip's author stays anonymous in its history too.
        if thread.is_anonymous and rev.author_id and rev.author_id == thread.author_id:
            rev.author_name = selectors.ANONYMOUS
            rev.revealed = selectors.anonymous_author_for_manager(thread, manager=viewer.is_manager)
        else:
            rev.author_name = selectors.person_name(rev.author) if rev.author_id else ""
            rev.revealed = ""
    numbers = [r.number for r in revs]

    def pick(name, default):
        try:
            value = int(request.GET.get(name, default))
        except (TypeError, ValueError):
            return default
        return value if value in numbers else default

    newest = numbers[0] if numbers else 1
    b = pick("b", newest)
    a = pick("a", max(1, b - 1) if b - 1 in numbers else b)
    by_number = {r.number: r for r in revs}
    diff = []
    if by_number:
        old, new = by_number[a], by_number[b]
        lines = difflib.unified_diff(
            f"# {old.title}\n{old.body}".splitlines(),
            f"# {new.title}\n{new.body}".splitlines(),
            fromfile=_("revision %(number)s") % {"number": a},
            tofile=_("revision %(number)s") % {"number": b},
            lineterm="",
        )
        for line in lines:
            if line.startswith(("+++", "---")):
                css = "diff-file"
            elif line.startswith("@@"):
                css = "diff-hunk"
            elif line.startswith("+"):
                css = "diff-add"
            elif line.startswith("-"):
                css = "diff-del"
            else:
                css = "diff-same"
            diff.append((css, line))
    context = {
        "community": community,
        "viewer": viewer,
        "thread": thread,
        "revisions": revs,
        "a": a,
        "b": b,
        "diff": diff,
    }
    return TemplateResponse(request, "communities/revisions.html", context)


@login_required
@require_POST
def answer_accept(request, slug: str, thread_id: int):
    community, viewer = _community(request, slug)
    thread = _thread(community, viewer, thread_id)
    try:
        if request.POST.get("reply") == "none":
            services.answer_unaccept(thread=thread, changed_by=request.user)
            messages.info(request, _("The answer is no longer marked as accepted."))
        else:
            try:
                reply_id = int(request.POST.get("reply", ""))
            except ValueError:
                raise Http404 from None
            reply = _reply(thread, viewer, reply_id)
            services.answer_accept(thread=thread, reply=reply, accepted_by=request.user)
            messages.success(request, _("Answer accepted. Thank you for closing the loop."))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect(thread)


@login_required
def react(request, slug: str, thread_id: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    community, viewer = _community(request, slug)
    thread = _thread(community, viewer, thread_id)
    if not viewer.is_member:
        raise PermissionDenied
    form = ReactionForm(request.POST)
    if not form.is_valid():
        raise Http404
    reply = None
    if request.POST.get("reply"):
        try:
            reply = _reply(thread, viewer, int(request.POST["reply"]))
        except ValueError:
            raise Http404 from None
    services.reaction_toggle(
        user=request.user,
        kind=form.cleaned_data["kind"],
        thread=None if reply else thread,
        reply=reply,
    )
    if not request.htmx:
        return redirect(reply.get_absolute_url() if reply else thread.get_absolute_url())
    what, post = ("reply", reply) if reply else ("thread", thread)
    summary = selectors.reaction_summary(
        viewer=request.user,
        thread_ids=[thread.pk] if not reply else [],
        reply_ids=[reply.pk] if reply else [],
    )
    post.reaction_list = summary[(what, post.pk)]
    context = {"community": community, "thread": thread, "post": post, "what": what}
    context["viewer"] = viewer
    context["thread_urls"] = {"react": request.path, "csrf_field": csrf_input(request)}
    return TemplateResponse(request, "communities/thread.html#reactions", context)
