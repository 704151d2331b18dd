"""Every write in expert Q&A, one function per use case and one module per concern,
re-exported here so callers say `services.question_ask(...)` whatever module holds it."""

from .answers import answer_create, question_defer
from .board import VERSION_CACHE_TTL, board_version, version_cache_key
from .clock import (
    CHANGE_KINDS,
    DEFERRAL_RULE,
    INVITE_AUDIENCE,
    REMINDER_LEAD,
    send_due_reminders,
    session_send_change,
    session_send_invitations,
)
from .proposals import (
    network_series_create,
    proposal_accept,
    proposal_create,
    proposal_decline,
    session_recording_set,
)
from .questions import question_ask, question_hide, question_merge, question_restore, vote_toggle
from .record import session_thread_sync
from .sessions import (
    series_create,
    session_cancel,
    session_schedule,
    session_touch,
    session_update,
)

__all__ = [
    "CHANGE_KINDS",
    "DEFERRAL_RULE",
    "INVITE_AUDIENCE",
    "REMINDER_LEAD",
    "VERSION_CACHE_TTL",
    "answer_create",
    "board_version",
    "network_series_create",
    "proposal_accept",
    "proposal_create",
    "proposal_decline",
    "question_ask",
    "question_defer",
    "question_hide",
    "question_merge",
    "question_restore",
    "send_due_reminders",
    "series_create",
    "session_cancel",
    "session_schedule",
    "session_send_change",
    "session_recording_set",
    "session_send_invitations",
    "session_thread_sync",
    "session_touch",
    "session_update",
    "version_cache_key",
    "vote_toggle",
]
