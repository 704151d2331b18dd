"""The live poll's unchanged answer, before Django's request cycle (socialearn.fastpaths).

Answers 204 only when everything checks out exactly as `views.live_changes` would check it
(the signed token, the same person signed in, the same version); anything else returns None
and the view answers.
"""

from http.cookies import CookieError, SimpleCookie
from importlib import import_module
from urllib.parse import parse_qs

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import signing

from . import channel

HEADERS = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    ("Content-Length", "0"),
]


def unchanged(environ: dict, match) -> tuple[str, list] | None:
    from .views import POLL_MAX_AGE, POLL_SALT

    session_id = int(match.group("pk"))
    query = parse_qs(environ.get("QUERY_STRING", ""))
    token, since = query.get("t", [""])[0], query.get("v", [""])[0]
    if not token or not since.isdigit():
        return None
    try:
        data = signing.loads(token, salt=POLL_SALT, max_age=POLL_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("s") != session_id:
        return None
    try:
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
    except CookieError:
        return None
    morsel = cookie.get(settings.SESSION_COOKIE_NAME)
    if morsel is None:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(morsel.value)
    if str(store.get(SESSION_KEY)) != str(data.get("u")):
        return None
    try:
        version, ops = channel.changes_since(session_id, int(since))
    except channel.Unavailable:
        return None
    if ops == [] and version == int(since):
        return "204 No Content", list(HEADERS)
    return None
