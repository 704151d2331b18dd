"""Prepared statements whose generic plans can still use the partial indexes.

With DATABASE_PREPARE_THRESHOLD (settings), values are bound on the server and psycopg
prepares a statement it has run a few times; PostgreSQL then keeps one generic plan for it
rather than planning each request again. A generic plan knows no value, so it cannot use an
index whose condition names one (`WHERE status <> 'published'`) nor the statistics of a rare
status: the moderation queue's query, `status IN ($3, $4)`, walked the 6,000 threads of the
biggest community (20 ms) where the partial index answers in 0.2 ms.

So the values the code itself names, the members of a model's choices (`Thread.Status.HELD`),
are written into the SQL as literals, and only the values that come from people are bound.
A statement's text then changes with the code path alone, as before, and each one is planned
with the constants the indexes were built for.

A query whose best plan depends on the values people give it (a search: a common word is best
found walking the newest posts, a rare one from the full-text index) runs inside
`planned_each_time()`, and is never prepared.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum

from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]
from django.db.backends.signals import connection_created
from django.db.models import Choices

_unprepared: ContextVar[bool] = ContextVar("unprepared", default=False)

# The placeholders psycopg reads (psycopg._queries): %s, %b, %t, %% and %(name)s.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?.")


def _literal(value: Enum) -> str | None:
    """The SQL literal of a choice, or None to leave it bound."""
    raw = value.value
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, str) and "\x00" not in raw:
        return "'" + raw.replace("'", "''") + "'"  # standard_conforming_strings is on
    return None


def inline_choices(query: str, params):
    """`query` with each choice among `params` written in, and the params left to bind."""
    if not isinstance(params, list | tuple) or not any(isinstance(p, Choices) for p in params):
        return query, params
    kept: list = []
    position = 0

    def replace(match: re.Match) -> str:
        nonlocal position
        placeholder = match.group(0)
        if placeholder == "%%":
            return placeholder
        if placeholder != "%s" or position >= len(params):
            raise _Unchanged
        value = params[position]
        position += 1
        literal = _literal(value) if isinstance(value, Choices) else None
        if literal is None:
            kept.append(value)
            return placeholder
        return literal.replace("%", "%%")

    try:
        written = PLACEHOLDER.sub(replace, query)
    except _Unchanged:
        return query, params
    if position != len(params):
        return query, params
    return written, kept


class _Unchanged(Exception):
    """A query this module does not rewrite (named or binary placeholders)."""


@contextmanager
def planned_each_time() -> Iterator[None]:
    """The queries run inside are planned with their values every time, never prepared."""
    token = _unprepared.set(True)
    try:
        yield
    finally:
        _unprepared.reset(token)


class ChoicesInlinedCursor(ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        if isinstance(query, str) and params:
            query, params = inline_choices(query, params)
        if _unprepared.get():
            prepare = False
        return super().execute(query, params, prepare=prepare, binary=binary)


def _use_cursor(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding") is True:
        connection.connection.cursor_factory = ChoicesInlinedCursor


def connect_signals() -> None:
    connection_created.connect(_use_cursor, dispatch_uid="socialearn.prepared")
