"""Who may do what with challenges and learning flows. Views and selectors ask these
functions; nothing here reads staff status (that only opens the Django admin).

- A challenge, its steps, answers and scoreboard live in a community and are read by whoever
  may read that community (communities.permissions: a private community's things are for its
  active members only, whatever else the person is). Unpublished challenges and steps not yet
  released are for the people who design them.
- A challenge is designed (edited, given steps, published, copied) by its designer, its
  learning guide, the managers of its community and L&D admins, always among those who may
  read the community.
- Challenge templates are for everyone who may design somewhere: a manager of an active
  community or an L&D admin. A copy goes only into a community the person may design in.
- A learning flow is curated (scheduled, filled, reordered, paused, posted now) by its
  curator, the managers of its community and L&D admins, among those who may read the
  community. A flow item is read by its curators, by the community's members once it is
  posted, and by the newcomer a relative flow delivered it to.
"""

from django.db.models import Q, QuerySet

from communities import permissions as community_permissions
from communities.models import Community, Membership
from communities.selectors import compiled_readable
from socialearn.people.evidence import InPlaces
from socialearn.people.permissions import is_lnd_admin

from .models import Challenge, Flow, FlowItem


def can_view_community(user, community: Community) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return community_permissions.can_view_community(user, community)


def is_manager(user, community_id: int) -> bool:
    return community_permissions.manages_community(user, community_id)


def active_membership(user, community_id: int) -> bool:
    return community_permissions.is_member_of(user, community_id)


def can_view_challenge(user, challenge: Challenge) -> bool:
    if challenge.is_template or challenge.community is None:
        return can_design_anything(user)
    if not can_view_community(user, challenge.community):
        return False
    return challenge.is_published or can_design(user, challenge)


def can_design(user, challenge: Challenge) -> bool:
    """Designer, guide, a manager of its community or an L&D admin, who may read it."""
    community = challenge.community
    if user is None or not user.is_authenticated or community is None:
        return False
    if not can_view_community(user, community):
        return False
    if user.pk in (challenge.designer_id, challenge.guide_id) or is_lnd_admin(user):
        return True
    return is_manager(user, community.pk)


def designable_communities(user) -> QuerySet[Community]:
    """Active communities the person may start a challenge or a flow in: those they manage,
    and for L&D admins every active one they may read."""
    return community_permissions.communities_to_run_in(user)


def can_design_anything(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return is_lnd_admin(user) or designable_communities(user).exists()


def can_copy(user, source: Challenge) -> bool:
    """Copy a template, or a challenge the person designs; there must be somewhere to put it
    (checked by the view: the copy form lists designable_communities)."""
    if not can_view_challenge(user, source):
        return False
    return source.is_template or can_design(user, source)


def can_curate(user, flow: Flow) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if not can_view_community(user, flow.community):
        return False
    if user.pk == flow.curator_id or is_lnd_admin(user):
        return True
    return is_manager(user, flow.community_id)


def can_read_flow_item(user, flow: Flow, item: FlowItem, *, curator: bool) -> bool:
    if curator:
        return True
    if not active_membership(user, flow.community_id):
        return False
    if item.is_posted:
        return True
    # A relative flow's item is each member's own once it reached their inbox.
    from socialearn.notifications.models import Notification

    return (
        flow.mode == Flow.Mode.RELATIVE
        and Notification.objects.filter(recipient=user, dedupe_key=f"flow-item:{item.pk}").exists()
    )


def readable_challenges_q(user, *, places=None) -> Q:
    """Challenges (not templates) the person may find in lists: in communities they may read,
    published, or drafts they design. `places`: the ids of the communities they may read
    (people.evidence.readable_places) when the page has read them already."""
    if places is not None:
        visible = Q(InPlaces("community_id", places))
    else:
        # The rules' subquery as SQL compiled once (communities_visible_to's own).
        visible = Q(community_id__in=compiled_readable(user))
    if is_lnd_admin(user):
        return visible
    managed = Membership.objects.filter(
        user=user, role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).values("community_id")
    return visible & (
        Q(status=Challenge.Status.PUBLISHED)
        | Q(designer=user)
        | Q(guide=user)
        | Q(community_id__in=managed)
    )


def curated_flows_q(user) -> Q:
    """Flows the person curates: their own, those of communities they manage, and for L&D
    admins every flow of a community they may read."""
    visible = Q(community_id__in=compiled_readable(user))
    if is_lnd_admin(user):
        return visible
    managed = Membership.objects.filter(
        user=user, role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).values("community_id")
    return visible & (Q(curator=user) | Q(community_id__in=managed))
