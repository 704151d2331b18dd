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


# The version and, when it moved, exactly the entries after `since`, read atomically.
_CHANGES = """
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
local since = tonumber(ARGV[1])
if v == since then return {v} end
local n = v - since
if n < 0 or n > tonumber(ARGV[2]) then return {v, 'reset'} end
local entries = redis.call('LRANGE', KEYS[2], -n, -1)
if #entries ~= n then return {v, 'reset'} end
table.insert(entries, 1, v)
return entries
"""
_scripts: dict = {}


def changes_raw(session_id: int, since: int) -> tuple[int, str | None]:
    """(version, the ops after `since` as one JSON array, text) — "" when nothing changed,
    None when the page must reset. No JSON is decoded: every viewer asks for the same few
    entries, and an answer is the entries' arrays joined. Raises Unavailable."""
    version_key, log_key = _keys(session_id)
    try:
        client = _client()
        script = _scripts.get(id(client))
        if script is None:
            script = _scripts[id(client)] = client.register_script(_CHANGES)
        answer = script(keys=[version_key, log_key], args=[since, OPS_KEPT], client=client)
    except REDIS_ERRORS as error:
        raise Unavailable(str(error)) from error
    version = int(answer[0])
    if len(answer) == 1:
        return version, ""
    if answer[1] == b"reset":
        return version, None
    parts = []
    for offset, raw in enumerate(answer[1:], start=1):
        head, _, body = raw.decode().partition("|")
        if int(head) != since + offset:
            return version, None
        inner = body[1:-1]
        if inner:
            parts.append(inner)
    return version, "[" + ",".join(parts) + "]"


def changes_since(session_id: int, since: int) -> tuple[int, list[dict] | None]:
    """(version, ops after `since`), decoded; ops None when the page must reset."""
    version, raw = changes_raw(session_id, since)
    if raw is None:
        return version, None
    return version, json.loads(raw) if raw else []


def answer_body(version: int, raw: str | None) -> bytes:
    """The poll's JSON answer for a change (raw from changes_raw, not "")."""
    if raw is None:
        return f'{{"v":{version},"reset":true}}'.encode()
    return f'{{"v":{version},"ops":{raw}}}'.encode()
