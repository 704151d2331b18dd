"""Explicit extension points for features built on communities.

Communities cannot import the features above it (expert Q&A, challenges), yet a reply in a
challenge step's thread completes the step. A feature appends a callable here in its
AppConfig.ready(); reply_create calls each one inside its transaction, after the reply is
saved. Keep hooks cheap: one indexed query, no network.
"""

from collections.abc import Callable

reply_created: list[Callable] = []  # fn(reply) -> None
thread_created: list[Callable] = []  # fn(thread) -> None
