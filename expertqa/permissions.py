"""Who may do what with live sessions (ask-the-expert, lunch-and-learn, backchannels).
Views, selectors and services ask these functions; nothing here reads staff status.

- A session, its board, its questions and answers, its calendar file and its series are read
  by whoever may read its community (communities.permissions: a private community's sessions
  are for its active members only, whatever else the person is).
- Anyone who may read the session asks, votes, and follows the board.
- Its experts answer and defer questions.
- Its moderator and the managers of its community edit, reschedule and cancel it, hide,
  restore and merge questions, and learn who asked anonymously.
- Sessions are scheduled by the managers of a community (in the communities they manage) and
  by L&D admins (in every active community they may read); whoever schedules one moderates
  it unless they name someone else.
- Learning networks (communities of the learning-network kind): whoever may read an active
  network proposes a talk there and reads their own proposals; the network's managers read
  every proposal, accept one into a series (it becomes a session with the speaker as expert)
  or decline it, and start series. A session's recording link is set by its moderator, the
  community's managers and its experts (the speakers).
"""

from django.db.models import QuerySet

from communities import permissions as community_permissions
from communities.models import Community

from .models import Session


def can_view_community(user, community: Community) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return community_permissions.can_view_community(user, community)


def is_community_manager(user, community: Community) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return community_permissions.is_manager(user, community)


def can_view_session(user, session: Session) -> bool:
    return can_view_community(user, session.community)


def is_moderator(user, session: Session) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if not can_view_session(user, session):
        return False
    return session.moderator_id == user.pk or is_community_manager(user, session.community)


def is_expert(user, session: Session) -> bool:
    """One of the session's experts: they answer and defer its questions."""
    if user is None or not user.is_authenticated:
        return False
    return session.experts.filter(pk=user.pk).exists()


def schedulable_communities(user) -> QuerySet[Community]:
    return community_permissions.communities_to_run_in(user)


def is_network(community: Community) -> bool:
    return community.kind == Community.Kind.NETWORK


def can_propose_talk(user, community: Community) -> bool:
    return (
        is_network(community)
        and community.status == Community.Status.ACTIVE
        and can_view_community(user, community)
    )


def can_review_proposals(user, community: Community) -> bool:
    return is_network(community) and is_community_manager(user, community)


def can_view_proposal(user, proposal) -> bool:
    if not can_view_community(user, proposal.community):
        return False
    return proposal.proposer_id == user.pk or is_community_manager(user, proposal.community)


def can_edit_recording(user, session: Session) -> bool:
    return is_moderator(user, session) or (
        can_view_session(user, session) and is_expert(user, session)
    )
