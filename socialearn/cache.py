"""A Redis cache that a Redis outage slows down by a few seconds at most, never breaks.

Pages use the cache for sessions (cached_db), rate limits and board versions. When Redis is
down or frozen, a call fails after the socket timeout; this backend then answers as a cache
miss (reads) or a no-op (writes), logs it, and skips Redis altogether for a few seconds, so
a page answers from the database instead of failing or waiting on every call.
"""

import logging
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
# After a failure, calls skip Redis this long before trying it again.
BACKOFF_SECONDS = 5.0


def _forgiving(fallback):
    def decorator(method):
        @wraps(method)
        def wrapper(self, *args, **kwargs):
            if time.monotonic() < self._down_until:
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except REDIS_ERRORS as error:
                self._down_until = time.monotonic() + BACKOFF_SECONDS
                logger.warning("Cache unavailable, answering without it: %s", error)
                return fallback(*args, **kwargs)

        return wrapper

    return decorator


def _default(key, default=None, *args, **kwargs):
    return default


def _false(*args, **kwargs):
    return False


def _none(*args, **kwargs):
    return None


def _empty(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


def _incr_missing(key, *args, **kwargs):
    raise ValueError(f"Key {key!r} not found (the cache is unavailable)")


class KeptClientRedisCacheClient(RedisCacheClient):
    """Django makes a new redis.Redis for every cache call, and each one builds its table of
    reply callbacks: a third of a millisecond of every page for its two or three calls. A
    client is only a handle on its thread-safe connection pool, so one per pool is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ForgivingRedisCache(RedisCache):
    _down_until = 0.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient

    get = _forgiving(_default)(RedisCache.get)
    add = _forgiving(_false)(RedisCache.add)
    set = _forgiving(_none)(RedisCache.set)
    touch = _forgiving(_false)(RedisCache.touch)
    delete = _forgiving(_false)(RedisCache.delete)
    get_many = _forgiving(_empty)(RedisCache.get_many)
    has_key = _forgiving(_false)(RedisCache.has_key)
    incr = _forgiving(_incr_missing)(RedisCache.incr)
    set_many = _forgiving(_all_failed)(RedisCache.set_many)
    delete_many = _forgiving(_none)(RedisCache.delete_many)
    clear = _forgiving(_false)(RedisCache.clear)
