"""Who may do what in live events, live chats and polls. Nothing here reads staff status.

- Whoever may read the session's community (expertqa.permissions) follows the live page,
  posts messages, reacts, asks, upvotes and answers polls.
- Hosts are the session's experts: they answer questions.
- Running the event (pin, hide, slow mode, close, schedule prompts, run polls) belongs to the
  hosts, the event's moderators, the session's moderator and the community's managers.
- The people who schedule sessions in a community schedule live events and chats there.
"""

from expertqa import permissions as session_permissions
from expertqa.models import LiveEvent, Session

can_view_session = session_permissions.can_view_session
schedulable_communities = session_permissions.schedulable_communities


def is_host(user, session: Session) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return any(e.pk == user.pk for e in session.experts.all())


def can_run(user, session: Session, event: LiveEvent | None = None) -> bool:
    """Runs the event or the session's polls."""
    if user is None or not user.is_authenticated or not can_view_session(user, session):
        return False
    if is_host(user, session) or session_permissions.is_moderator(user, session):
        return True
    if event is not None:
        return any(m.pk == user.pk for m in event.moderators.all())
    return False
