"""Answers the cheapest requests before Django's request cycle, when a feature can.

A live page polls every second. Through the whole middleware stack each answer cost
milliseconds of CPU; here it costs a signature check and two Redis reads (and, when something
changed, the same JSON for every viewer, joined from the Redis log without decoding it).
Features register a named URL and a handler at start-up (`AppConfig.ready`); the core imports
no feature. A handler returns (status, headers, body) to answer, or None to let Django answer
as usual: every doubt goes to Django.
"""

import logging
import re
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)

Handler = Callable[[dict, re.Match], tuple[str, list[tuple[str, str]], bytes] | None]
_routes: list[tuple[re.Pattern, Handler]] = []
_pending: list[tuple[str, Handler]] = []
_lock = threading.Lock()  # threaded workers: the first requests may arrive together
PLACEHOLDER = 987654321


def register(url_name: str, handler: Handler) -> None:
    """Answer GETs of the named URL (one integer `pk` parameter) with `handler` first."""
    _pending.append((url_name, handler))


def _compile() -> None:
    """Patterns from the URL configuration, once it can be read (the first request)."""
    from django.urls import reverse

    with _lock:
        routes = list(_routes)
        while _pending:
            name, handler = _pending.pop()
            path = reverse(name, args=[PLACEHOLDER])
            pattern = re.escape(path).replace(str(PLACEHOLDER), "(?P<pk>[0-9]+)")
            routes.append((re.compile(pattern), handler))
        _routes[:] = routes


def wrap(application):
    def fast_application(environ, start_response):
        if _pending:
            _compile()
        if environ.get("REQUEST_METHOD") == "GET":
            path = environ.get("PATH_INFO", "")
            for pattern, handler in _routes:
                match = pattern.fullmatch(path)
                if match is None:
                    continue
                try:
                    answer = handler(environ, match)
                except Exception:  # a doubt: Django answers, and says what went wrong
                    logger.exception("Fast path %s failed; Django answers", pattern.pattern)
                    answer = None
                if answer is not None:
                    status, headers, body = answer
                    start_response(status, headers)
                    return [body]
                break
        return application(environ, start_response)

    return fast_application
