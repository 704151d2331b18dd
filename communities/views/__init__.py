"""The pages of communities, one module per concern; urls.py asks for them through here."""

from .cohorts import cohort_upload, cohorts
from .communities import (
    approvals,
    community_create,
    community_detail,
    community_edit,
    community_join,
    community_leave,
    community_list,
)
from .members import members, membership_decide, membership_role
from .moderation import flag, moderation
from .onboarding import (
    invitation_accept,
    invitation_decline,
    invitations,
    newcomer_welcome,
    newcomers,
)
from .search import search, similar_questions
from .threads import (
    answer_accept,
    react,
    reply_create,
    reply_edit,
    revisions,
    thread_create,
    thread_detail,
    thread_edit,
)

__all__ = [
    "answer_accept",
    "approvals",
    "cohort_upload",
    "cohorts",
    "community_create",
    "community_detail",
    "community_edit",
    "community_join",
    "community_leave",
    "community_list",
    "flag",
    "invitation_accept",
    "invitation_decline",
    "invitations",
    "members",
    "membership_decide",
    "membership_role",
    "moderation",
    "newcomer_welcome",
    "newcomers",
    "react",
    "reply_create",
    "reply_edit",
    "revisions",
    "search",
    "similar_questions",
    "thread_create",
    "thread_detail",
    "thread_edit",
]
