"""The community, thread or reply a request names, as the person asking may see it: anyone
who may not see it gets a 404, never a hint that it exists.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.template.response import TemplateResponse

from .. import permissions, selectors
from ..models import Community, Membership, Reply, Thread


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
