"""The live transport: per session, a version counter and a short log of changes in Redis.

Every change a live page shows (a message, a question, a vote, an answer, a poll's results)
is published after its transaction commits as one entry: the next version number and the
change, already rendered as HTML that every viewer may see. A page polls with the last
version it holds; when nothing changed the answer is one Redis GET, no database query and no
template. Otherwise it gets the entries after its version, read from the same Redis list.
A page too far behind (the log keeps the last OPS_KEPT entries) or a Redis that lost its
keys gets "reset": it reloads its live parts from the database once.
"""

import json
import logging

from django.core.cache import cache
from django.db import transaction

from socialearn.cache import REDIS_ERRORS

logger = logging.getLogger(__name__)

OPS_KEPT = 500
TTL_SECONDS = 12 * 3600

# INCR the version, append "version|json" to the log, trim it, refresh both expiries.
_PUBLISH = """
local v = redis.call('INCR', KEYS[1])
redis.call('RPUSH', KEYS[2], v .. '|' .. ARGV[1])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return v
"""


class Unavailable(Exception):
    """Redis did not answer: the page waits and asks again."""


def _client():
    return cache._cache.get_client(None, write=True)  # the cache's own connection pool


def _keys(session_id: int) -> tuple[str, str]:
    return (
        cache.make_key(f"live:{session_id}:version"),
        cache.make_key(f"live:{session_id}:log"),
    )


def publish(session_id: int, ops: list[dict]) -> int | None:
    """Append one entry; returns its version (None when Redis is down: pages reset later)."""
    version_key, log_key = _keys(session_id)
    try:
        return int(
            _client().eval(
                _PUBLISH,
                2,
                version_key,
                log_key,
                json.dumps(ops, separators=(",", ":")),
                OPS_KEPT,
                TTL_SECONDS,
            )
        )
    except REDIS_ERRORS as error:
        logger.warning("Live change not published for session %s: %s", session_id, error)
        return None


def publish_on_commit(session_id: int, build) -> None:
    """Publish `build()` (a list of ops, rendered then) once the transaction commits."""

    def send():
        ops = build()
        if ops:
            publish(session_id, ops)

    transaction.on_commit(send)


def current_version(session_id: int) -> int:
    version_key, _ = _keys(session_id)
    try:
        value = _client().get(version_key)
    except REDIS_ERRORS as error:
        logger.warning("Live version unavailable for session %s: %s", session_id, error)
        return 0
    return int(value or 0)


def changes_since(session_id: int, since: int) -> tuple[int, list[dict] | None]:
    """(version, ops after `since`), ops None when the page must reset. Raises Unavailable.

    An unchanged version costs one GET.
    """
    version_key, log_key = _keys(session_id)
    try:
        client = _client()
        version = int(client.get(version_key) or 0)
        if version == since:
            return version, []
        if version < since:  # the counter was lost and started again
            return version, None
        entries = client.lrange(log_key, 0, -1)
    except REDIS_ERRORS as error:
        raise Unavailable(str(error)) from error
    ops: list[dict] = []
    oldest = None
    for raw in entries:
        head, _, body = raw.decode().partition("|")
        number = int(head)
        oldest = number if oldest is None else oldest
        if number > since:
            ops.extend(json.loads(body))
    if oldest is None or oldest > since + 1:
        return version, None  # entries the page missed are gone from the log
    return version, ops
