"""Every read in communities, one module per concern, re-exported here so callers ask
`communities.selectors` whatever module holds the answer.

The visibility rules are written in communities.permissions and applied set-wise in
`visibility`; they are also asked through this package.
"""

from ..permissions import (
    can_view_community,
    can_view_post,
    is_manager,
    manages_community,
    membership_of,
)
from .authors import (
    ANONYMOUS,
    FORMER_MEMBER,
    anonymous_author_for_manager,
    author_display,
    author_name,
    person_name,
)
from .cohorts import cohorts_list
from .communities import community_list, community_topics, private_communities_to_ask
from .dashboard import (
    dashboard_lists,
    latest_from_my_communities,
    my_unanswered_questions,
    suggested_communities,
)
from .feeds import public_threads, public_threads_fingerprint
from .links import community_url, thread_url
from .members import members_page
from .moderation import moderation_queue
from .onboarding import invitations_for, newcomer_window_start, newcomers_for_welcome
from .threads import (
    REACTION_LABELS,
    REPLIES_PER_PAGE,
    SORTS,
    community_thread_count,
    community_threads,
    reaction_summary,
    reply_url,
    thread_for_page,
    thread_replies,
    thread_reply_count,
    thread_spotlights,
    up_to_reply,
)
from .visibility import (
    communities_visible_in,
    communities_visible_to,
    compiled_readable,
    readable_ids,
    replies_visible_to,
    threads_visible_in,
    threads_visible_to,
)

__all__ = [
    "ANONYMOUS",
    "FORMER_MEMBER",
    "REACTION_LABELS",
    "REPLIES_PER_PAGE",
    "SORTS",
    "anonymous_author_for_manager",
    "author_display",
    "author_name",
    "can_view_community",
    "can_view_post",
    "cohorts_list",
    "communities_visible_in",
    "communities_visible_to",
    "compiled_readable",
    "readable_ids",
    "community_list",
    "community_topics",
    "community_thread_count",
    "community_threads",
    "community_url",
    "invitations_for",
    "is_manager",
    "dashboard_lists",
    "latest_from_my_communities",
    "manages_community",
    "members_page",
    "membership_of",
    "moderation_queue",
    "my_unanswered_questions",
    "newcomer_window_start",
    "newcomers_for_welcome",
    "person_name",
    "private_communities_to_ask",
    "public_threads",
    "public_threads_fingerprint",
    "reaction_summary",
    "replies_visible_to",
    "reply_url",
    "suggested_communities",
    "thread_for_page",
    "thread_replies",
    "thread_reply_count",
    "thread_spotlights",
    "thread_url",
    "threads_visible_in",
    "threads_visible_to",
    "up_to_reply",
]
