"""Explicit extension points for features built on communities.

Communities cannot import the features above it (expert Q&A, challenges), yet a reply in a
challenge step's thread completes the step. A feature appends a callable here in its
AppConfig.ready(); reply_create calls each one inside its transaction, after the reply is
saved. Keep hooks cheap: one indexed query, no network.

The thread page asks the same way for the answers a feature pinned inside the thread (the
learning guide's spotlight): each provider answers with one query, whatever the number. Most
threads have nothing pinned: each feature that pins also says, as an SQL expression the
thread is read with, whether anything of its own may be pinned in a thread, and its provider
is asked only for threads where that holds.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

reply_created: list[Callable] = []  # fn(reply) -> None
thread_created: list[Callable] = []  # fn(thread) -> None
# fn(*, thread, user, manager: bool, member: bool, replies: QuerySet) -> list[Spotlight]
# `replies` are the thread's replies as the viewer's pages list them (to place an answer on
# its page); return only published answers of `thread`.
thread_spotlights: list[Callable] = []
# provider -> fn(thread: OuterRef) -> boolean expression, True whenever that provider may
# return anything for the thread (it may be True more often, never less). A provider without
# one is asked for every thread.
thread_spotlit: dict[Callable, Callable] = {}


@dataclass
class Spotlight:
    """An answer pinned inside its thread, as one viewer sees it."""

    reply_id: int
    place: int  # where the answer comes among `replies` (1 = first), for its page
    author: Any  # the answer's author (profile selected); None when anonymous or gone
    anonymous: bool
    excerpt: str  # plain text, never Markdown
    note: str  # what the person who pinned it wrote, may be empty
    by_name: str  # who pinned it
    at: datetime
    remove_url: str = ""  # a POST that takes it down, for those who may
    url: str = ""  # the answer on its page, filled in by communities
