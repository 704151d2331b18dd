"""The live poll, answered before Django's request cycle (socialearn.fastpaths).

Answers only when everything checks out exactly as `views.live_changes` checks it (the
signed token, the same person signed in): 204 when nothing changed, else the same JSON the
view sends, which is the same for every viewer. Every refusal, and Redis being unavailable,
returns None: the view answers those, with its messages.
"""

from http.cookies import CookieError, SimpleCookie
from importlib import import_module
from urllib.parse import parse_qs

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import signing

from . import channel

HEADERS = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]


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
        version, raw = channel.changes_raw(session_id, int(since))
    except channel.Unavailable:
        return None
    if raw == "":
        return "204 No Content", [*HEADERS, ("Content-Length", "0")], b""
    body = channel.answer_body(version, raw)
    headers = [*HEADERS, ("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    return "200 OK", headers, body
