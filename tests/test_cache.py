"""The cache forgives an unreachable Redis: reads miss, writes do nothing, pages go on."""

import socket
import time

import pytest

from socialearn.cache import ForgivingRedisCache


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_redis_is_a_cache_miss_and_is_skipped_for_a_while():
    cache = ForgivingRedisCache(
        f"redis://127.0.0.1:{closed_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )
    assert cache.get("key", "fallback") == "fallback"
    started = time.monotonic()
    assert cache.set("key", 1) is None
    assert cache.add("key", 1) is False
    assert cache.get_many(["key"]) == {}
    assert cache.delete("key") is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("key")
    assert time.monotonic() - started < 0.1  # Redis is not even tried during the back-off


def test_a_reachable_redis_is_used_as_usual(settings):
    cache = ForgivingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "forgiving-test"})
    cache.set("key", 41)
    assert cache.incr("key") == 42
    cache.delete("key")


def test_one_redis_client_serves_every_call_on_its_pool():
    """A client is a handle on its connection pool: made once, not for every cache call."""
    from django.core.cache import cache

    cache.set("kept-client-probe", 1, 5)
    client = cache._cache.get_client(write=True)
    assert cache.get("kept-client-probe") == 1
    assert cache._cache.get_client() is client
    assert cache._cache.get_client(write=True) is client
