import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from socialearn.http import safe_next_url
from socialearn.people.models import Topic

from . import permissions, selectors, services
from .forms import (
    CommunityForm,
    FlagForm,
    InviteForm,
    ModerationForm,
    ReactionForm,
    ReplyEditForm,
    ReplyForm,
    ThreadEditForm,
    ThreadForm,
)
from .models import Community, Membership, ModerationAction, Reply, Thread
from .search import similar_questions as similar

REPLIES_PER_PAGE = 25
THREADS_PER_PAGE = 20


class Viewer:
    """The person looking at one community: their membership, and what they may do."""

    def __init__(self, user, community: Community):
        self.user = user
        self.community = community
        self.membership = permissions.membership_of(user, community)
        active = self.membership is not None and self.membership.status == "active"
        self.is_member = active
        self.is_manager = permissions.is_manager(user, community, self.membership or None)
        self.is_invited = (
            self.membership is not None and self.membership.status == Membership.Status.INVITED
        )
        self.has_requested = (
            self.membership is not None and self.membership.status == Membership.Status.REQUESTED
        )


def _community(request, slug: str) -> tuple[Community, Viewer]:
    """The community, or 404 for anyone who may not see it (private: not a member)."""
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404("No such community")
    viewer = Viewer(request.user, community)
    if not permissions.can_view_community(request.user, community, viewer.membership):
        raise Http404("No such community")
    return community, viewer


def _thread(community: Community, viewer: Viewer, thread_id: int) -> Thread:
    thread = selectors.thread_for_page(community, thread_id)
    if thread is None or not permissions.can_view_post(
        thread, viewer.user, manager=viewer.is_manager
    ):
        raise Http404("No such thread")
    return thread


def _reply(thread: Thread, viewer: Viewer, reply_id: int) -> Reply:
    reply = (
        Reply.objects.filter(thread=thread, pk=reply_id).select_related("author__profile").first()
    )
    visible = reply is not None and permissions.can_view_post(
        reply, viewer.user, manager=viewer.is_manager
    )
    if not visible:
        raise Http404("No such reply")
    reply.thread = thread
    return reply


def _render(request, template: str, context: dict, partial: str | None = None):
    if partial and request.htmx:
        template = f"{template}#{partial}"
    return TemplateResponse(request, template, context)


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- communities -----------------------------------------------------------------------------


@login_required
def community_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in Community.Kind.values else ""
    topic = request.GET.get("topic", "").replace("\x00", "")
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    qs = selectors.community_list(request.user, kind=kind, topic=topic, q=q)
    page = Paginator(qs, 12).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "kinds": Community.Kind.choices,
        "topics": Topic.objects.filter(communities__isnull=False).distinct().order_by("name"),
        "kind": kind,
        "topic": topic,
        "q": q,
        "can_approve": permissions.can_approve_communities(request.user),
        "private_to_ask": selectors.private_communities_to_ask(request.user),
    }
    return _render(request, "communities/list.html", context, "results")


@login_required
def community_create(request):
    form = CommunityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            community = services.community_propose(
                created_by=request.user,
                name=data["name"],
                purpose=data["purpose"],
                rules=data["rules"],
                kind=data["kind"],
                visibility=data["visibility"],
                anonymity=data["anonymity"],
                topics=data["topics"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            if community.status == Community.Status.PROPOSED:
                messages.info(request, "Thank you: an L&D admin will review your proposal.")
            return redirect(community)
    return TemplateResponse(request, "communities/form.html", {"form": form, "creating": True})


@login_required
def approvals(request):
    if not permissions.can_approve_communities(request.user):
        raise Http404
    if request.method == "POST":
        community_id = request.POST.get("community", "")
        if not community_id.isdigit():
            raise Http404
        community = get_object_or_404(
            Community, pk=int(community_id), status=Community.Status.PROPOSED
        )
        services.community_approve(community=community, approved_by=request.user)
        messages.success(request, f"{community.name} is open.")
        return redirect("communities:approvals")
    proposed = Community.objects.filter(status=Community.Status.PROPOSED).select_related(
        "created_by__profile"
    )
    return TemplateResponse(request, "communities/approvals.html", {"proposed": proposed})


@login_required
def community_detail(request, slug: str):
    community, viewer = _community(request, slug)
    sort = request.GET.get("sort", "latest")
    sort = sort if sort in selectors.SORTS else "latest"
    kind = request.GET.get("kind", "")
    kind = kind if kind in Thread.Kind.values else ""
    threads = selectors.community_threads(
        community, request.user, sort=sort, kind=kind, manager=viewer.is_manager
    )
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    for thread in page:
        thread.author_name = selectors.author_display(thread, request.user)
    context = {
        "community": community,
        "viewer": viewer,
        "page": page,
        "sort": sort,
        "sorts": [(key, label) for key, (label, _) in selectors.SORTS.items()],
        "kind": kind,
        "kinds": Thread.Kind.choices,
        "topics": list(community.topics.all()),
        "member_count": community.memberships.filter(status="active").count(),
    }
    return _render(request, "communities/detail.html", context, "threads")


@login_required
def community_edit(request, slug: str):
    community, viewer = _community(request, slug)
    if not viewer.is_manager:
        raise PermissionDenied
    form = CommunityForm(request.POST or None, instance=community, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The form validated against a copy; the service applies and records the changes.
        community.refresh_from_db()
        try:
            services.community_update(
                community=community,
                updated_by=request.user,
                name=data["name"],
                purpose=data["purpose"],
                rules=data["rules"],
                kind=data["kind"],
                visibility=data["visibility"],
                anonymity=data["anonymity"],
                topics=data["topics"],
            )
        except ValidationError as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, "Settings saved.")
            return redirect(community)
    return TemplateResponse(
        request, "communities/form.html", {"form": form, "community": community, "viewer": viewer}
    )


@login_required
@require_POST
def community_join(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    try:
        membership = services.membership_self_join(community=community, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("communities:list")
    if membership.status == Membership.Status.REQUESTED:
        messages.info(request, "Your request was sent to the managers.")
        return redirect("communities:list")
    messages.success(request, f"Welcome to {community.name}.")
    return redirect(
        safe_next_url(request, request.POST.get("next", ""), community.get_absolute_url())
    )


@login_required
@require_POST
def community_leave(request, slug: str):
    community = get_object_or_404(Community, slug=slug)
    try:
        services.membership_leave(community=community, user=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(community)
    messages.info(request, f"You left {community.name}.")
    return redirect("communities:list")


@login_required
def members(request, slug: str):
    community, viewer = _community(request, slug)
    form = InviteForm(request.POST or None) if viewer.is_manager else None
    if request.method == "POST":
        if not viewer.is_manager:
            raise PermissionDenied
        if form.is_valid():
            count = services.membership_invite(
                community=community, invited_by=request.user, users=form.cleaned_data["emails"]
            )
            messages.success(request, f"{count} invitation(s) sent.")
            return redirect("communities:members", slug=slug)
    page = selectors.members_page(community, request.GET.get("page"))
    waiting = []
    if viewer.is_manager:
        waiting = list(
            community.memberships.filter(
                status__in=[Membership.Status.INVITED, Membership.Status.REQUESTED]
            ).select_related("user__profile")
        )
    context = {
        "community": community,
        "viewer": viewer,
        "page": page,
        "form": form,
        "waiting": waiting,
    }
    return TemplateResponse(request, "communities/members.html", context)


@login_required
@require_POST
def membership_decide(request, slug: str, membership_id: int):
    community, viewer = _community(request, slug)
    if not viewer.is_manager:
        raise PermissionDenied
    membership = get_object_or_404(Membership, pk=membership_id, community=community)
    try:
        services.membership_decide(
            membership=membership,
            decided_by=request.user,
            approve=request.POST.get("decision") == "approve",
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("communities:members", slug=slug)


@login_required
@require_POST
def membership_role(request, slug: str, membership_id: int):
    community, viewer = _community(request, slug)
    if not viewer.is_manager:
        raise PermissionDenied
    membership = get_object_or_404(
        Membership, pk=membership_id, community=community, status="active"
    )
    role = request.POST.get("role")
    if role not in Membership.Role.values:
        raise Http404
    try:
        services.membership_set_role(membership=membership, changed_by=request.user, role=role)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("communities:members", slug=slug)


# --- threads -------------------------------------------------------------------------------


@login_required
def thread_create(request, slug: str):
    community, viewer = _community(request, slug)
    if not viewer.is_member:
        messages.info(request, "Join the community to post.")
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
                    request, "Your thread is held for a manager's review: " + thread.hold_reason
                )
            elif thread.status == Thread.Status.PENDING:
                messages.info(request, "Your anonymous thread waits for a manager's review.")
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
    page = Paginator(replies, REPLIES_PER_PAGE).get_page(request.GET.get("page"))
    reply_list = list(page.object_list)
    summary = selectors.reaction_summary(
        viewer=request.user, thread_ids=[thread.pk], reply_ids=[r.pk for r in reply_list]
    )
    thread.reaction_list = summary[("thread", thread.pk)]
    thread.author_name = selectors.author_display(thread, request.user)
    thread.revealed = selectors.anonymous_author_for_manager(thread, manager=viewer.is_manager)
    for reply in reply_list:
        reply.thread = thread
        reply.reaction_list = summary[("reply", reply.pk)]
        reply.author_name = selectors.author_display(reply, request.user)
        reply.revealed = selectors.anonymous_author_for_manager(reply, manager=viewer.is_manager)
        reply.is_accepted = reply.pk == thread.accepted_reply_id
        reply.can_edit = viewer.is_manager or (
            reply.author_id is not None and reply.author_id == request.user.pk
        )
    is_asker = thread.author_id is not None and thread.author_id == request.user.pk
    context = {
        "community": community,
        "viewer": viewer,
        "thread": thread,
        "page": page,
        "replies": reply_list,
        "form": ReplyForm(community=community) if viewer.is_member else None,
        "can_accept": thread.kind in (Thread.Kind.QUESTION, Thread.Kind.HELP)
        and (is_asker or viewer.is_manager),
        "can_edit": services.can_edit_thread(
            thread, request.user, is_manager=viewer.is_manager, is_member=viewer.is_member
        ),
        "is_asker": is_asker,
        "revision_count": thread.revisions.count() if thread.kind == Thread.Kind.TIP else 0,
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
                request, "Your reply is held for a manager's review: " + reply.hold_reason
            )
        elif reply.status == Thread.Status.PENDING:
            messages.info(request, "Your anonymous reply waits for a manager's review.")
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
                messages.warning(request, "Your edit is held for a manager's review.")
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
            fromfile=f"revision {a}",
            tofile=f"revision {b}",
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
            messages.info(request, "The answer is no longer marked as accepted.")
        else:
            try:
                reply_id = int(request.POST.get("reply", ""))
            except ValueError:
                raise Http404 from None
            reply = _reply(thread, viewer, reply_id)
            services.answer_accept(thread=thread, reply=reply, accepted_by=request.user)
            messages.success(request, "Answer accepted. Thank you for closing the loop.")
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
    return TemplateResponse(request, "communities/thread.html#reactions", context)


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
        services.flag_create(
            user=request.user,
            reason=form.cleaned_data["reason"],
            thread=None if reply else thread,
            reply=reply,
        )
        messages.success(request, "Thank you: the managers will have a look.")
        return redirect(reply.get_absolute_url() if reply else thread)
    post = reply or thread
    post.author_name = selectors.author_display(post, request.user)
    context = {"community": community, "thread": thread, "reply": reply, "form": form}
    return TemplateResponse(request, "communities/flag.html", context)


# --- moderation ----------------------------------------------------------------------------


@login_required
def moderation(request, slug: str):
    community, viewer = _community(request, slug)
    if not viewer.is_manager:
        raise Http404
    if request.method == "POST":
        form = ModerationForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a post and an action.")
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
            label = dict(ModerationAction.Action.choices).get(data["action"], data["action"])
            messages.success(request, f"Done: {label}.")
        next_url = request.POST.get("next", "")
        if next_url.startswith(f"/communities/{slug}/"):
            return redirect(next_url)
        return redirect("communities:moderation", slug=slug)
    queue = selectors.moderation_queue(community)
    for post in queue["held_threads"] + queue["held_replies"]:
        post.author_real = selectors.person_name(post.author)
    context = {"community": community, "viewer": viewer, **queue}
    return _render(request, "communities/moderation.html", context)


# --- search --------------------------------------------------------------------------------


@login_required
def search(request):
    """ "Search posts" is the one search, filtered to threads and replies."""
    from socialearn.people.views import search_response

    return search_response(request, default_kind="threads")


@login_required
def similar_questions(request, slug: str):
    """Up to five questions like the title being typed, that the asker may read, answered first
    among the closest. A fragment for the new-thread form."""
    community, viewer = _community(request, slug)
    title = request.GET.get("title", "").replace("\x00", "")[:200]
    questions = similar(request.user, title) if viewer.is_member else []
    return TemplateResponse(
        request, "communities/_similar.html", {"questions": questions, "community": community}
    )
