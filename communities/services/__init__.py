"""Every write in communities, one module per concern. Later features (expert Q&A,
challenges) call these through this package, which re-exports the public names.

Contract used by other apps (keep the signatures):
  community_create(*, created_by, name, purpose, kind=..., visibility=..., topics=(), ...)
  membership_join(*, community, user, role="member") -> Membership
  thread_create(*, community, author, kind, title, body, topics=(), is_anonymous=False,
                url="", is_system=False, posted_late=False, notify_members=False) -> Thread
  reply_create(*, thread, author, body, is_anonymous=False) -> Reply

A post (thread or reply) is published at once, unless the word list holds it (status "held")
or it is anonymous in a community that reviews anonymous posts (status "pending"). What a
published post sets off (counts, notifications, mentions, the help broadcast) happens in
`publishing._thread_published` / `publishing._reply_published`, whether at creation or when
a manager approves it.
"""

from ..mentions import MENTION_RE, link_mentions
from .answers import answer_accept, answer_unaccept
from .authors import ANONYMOUS
from .cohorts import RosterError, cohorts_create, roster_parse, roster_validate
from .communities import community_approve, community_create, community_propose, community_update
from .membership import (
    member_counts_recount,
    membership_decide,
    membership_invite,
    membership_join,
    membership_leave,
    membership_self_join,
    membership_set_role,
)
from .moderation import (
    REPLY_ACTIONS,
    THREAD_ACTIONS,
    flag_create,
    moderation_act,
    moderation_words_matching,
)
from .onboarding import (
    invitation_accept,
    invitation_decline,
    newcomer_welcome,
    newcomers_invite,
    onboarding_community_for,
)
from .publishing import TOPIC_NEWS, help_request_reach
from .reactions import reaction_toggle
from .threads import (
    can_edit_thread,
    render_post,
    reply_create,
    reply_edit,
    thread_create,
    thread_edit,
)

__all__ = [
    "ANONYMOUS",
    "MENTION_RE",
    "REPLY_ACTIONS",
    "THREAD_ACTIONS",
    "TOPIC_NEWS",
    "RosterError",
    "answer_accept",
    "answer_unaccept",
    "can_edit_thread",
    "cohorts_create",
    "community_approve",
    "community_create",
    "community_propose",
    "community_update",
    "flag_create",
    "help_request_reach",
    "invitation_accept",
    "invitation_decline",
    "link_mentions",
    "member_counts_recount",
    "membership_decide",
    "membership_invite",
    "membership_join",
    "membership_leave",
    "membership_self_join",
    "membership_set_role",
    "moderation_act",
    "moderation_words_matching",
    "newcomer_welcome",
    "newcomers_invite",
    "onboarding_community_for",
    "reaction_toggle",
    "render_post",
    "reply_create",
    "reply_edit",
    "roster_parse",
    "roster_validate",
    "thread_create",
    "thread_edit",
]
