"""The live board's version stamp: readers poll it to learn that the board changed."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from ..models import Session

VERSION_CACHE_TTL = 120  # seconds; a stale value heals itself within this


def version_cache_key(session_id: int) -> str:
    return f"expertqa:session-version:{session_id}"


def board_version(session_id: int) -> int | None:
    """The board's version stamp, from Redis when it is there, else one indexed read."""
    key = version_cache_key(session_id)
    version = cache.get(key)
    if version is None:
        version = Session.objects.filter(pk=session_id).values_list("version", flat=True).first()
        if version is not None:
            cache.set(key, version, VERSION_CACHE_TTL)
    return version


def _board_changed(session: Session) -> None:
    """Bump the version in the caller's transaction; drop the cached copy once committed."""
    Session.objects.filter(pk=session.pk).update(version=F("version") + 1)
    session_id = session.pk
    transaction.on_commit(lambda: cache.delete(version_cache_key(session_id)))
