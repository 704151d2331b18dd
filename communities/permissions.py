"""Who may do what in a community. Views, selectors and services ask these functions.

- Anyone signed in reads a public community (active or archived) and its published threads,
  joins it, and may propose a new community of practice, team space or learning network.
- Only L&D admins create onboarding communities and course cohorts, and approve proposals.
- A private community, its threads, and everything other apps keep in it (sessions,
  challenges and their steps, learning flows and their items, scoreboards) are for its active
  members only. No organisation-wide role opens it: not staff status, not L&D admin, not
  superuser (the Django admin is where L&D looks after it).
- A member posts, replies, reacts and flags; authors edit their own posts.
- A manager (a member with the manager role) edits the community, invites and decides on
  requests, moderates, welcomes newcomers, learns who wrote an anonymous post, and sees the
  community's figures.

The set-wise form of the reading rule is `selectors.communities_visible_to`.
"""

from django.db.models import QuerySet

from socialearn.people.permissions import is_lnd_admin

from .models import Community, Membership

# Kinds only L&D admins create: onboarding communities invite new hires automatically, and
# cohorts are made from a course roster.
LND_ONLY_KINDS = frozenset({Community.Kind.ONBOARDING, Community.Kind.COHORT})


def membership_of(user, community: Community) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(community=community, user=user).first()


def is_member(user, community: Community, membership: Membership | None = None) -> bool:
    membership = membership if membership is not None else membership_of(user, community)
    return membership is not None and membership.status == Membership.Status.ACTIVE


def is_manager(user, community: Community, membership: Membership | None = None) -> bool:
    membership = membership if membership is not None else membership_of(user, community)
    return (
        membership is not None
        and membership.status == Membership.Status.ACTIVE
        and membership.role == Membership.Role.MANAGER
    )


def manages_community(user, object_id: int) -> bool:
    """By id: the insights check (managers see their community's figures)."""
    return Membership.objects.filter(
        community_id=object_id,
        user=user,
        role=Membership.Role.MANAGER,
        status=Membership.Status.ACTIVE,
    ).exists()


def is_member_of(user, community_id: int) -> bool:
    """By id, for apps that hold only the community's id."""
    if user is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        community_id=community_id, user=user, status=Membership.Status.ACTIVE
    ).exists()


def can_view_community(user, community: Community, membership: Membership | None = None) -> bool:
    if community.status == Community.Status.PROPOSED:
        return bool(
            user is not None
            and user.is_authenticated
            and (community.created_by_id == user.pk or is_lnd_admin(user))
        )
    if not community.is_private:
        return True
    return is_member(user, community, membership)


def can_view_post(post, viewer, *, manager: bool) -> bool:
    """A thread or reply of a community the person may read: published, or their own while
    held or pending; managers see every state."""
    if post.status == "published" or manager:
        return True
    return bool(viewer.is_authenticated and post.author_id and post.author_id == viewer.pk)


def communities_to_run_in(user) -> QuerySet[Community]:
    """Active communities where the person may start challenges, flows and sessions: those
    they manage, and for L&D admins every active one they may read."""
    from .selectors import compiled_readable  # the selectors ask this module

    qs = Community.objects.filter(status=Community.Status.ACTIVE)
    if is_lnd_admin(user):
        return qs.filter(pk__in=compiled_readable(user))
    return qs.filter(
        memberships__user=user,
        memberships__role=Membership.Role.MANAGER,
        memberships__status=Membership.Status.ACTIVE,
    )


def can_create_kind(user, kind: str) -> bool:
    return kind not in LND_ONLY_KINDS or is_lnd_admin(user)


def kind_choices_for(user, current: str = "") -> list[tuple[str, str]]:
    """The kinds a person may choose (a community keeps the kind it already has)."""
    return [
        (value, str(label))
        for value, label in Community.Kind.choices
        if value == current or can_create_kind(user, value)
    ]


def can_approve_communities(user) -> bool:
    return is_lnd_admin(user)


def can_manage_cohorts(user) -> bool:
    return is_lnd_admin(user)
