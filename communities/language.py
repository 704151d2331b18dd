"""Notifications in the language of the person who reads them, whoever's request wrote them.

A person's language is their profile's; blank (the browser's choice, unknown away from a
request) reads in the site's language. Texts are built once per language among the
recipients, so managers who read English and German get two rows, not one text for all.
A text one row carries to a whole audience (a fan-out, a clock post, a channel card) is
written in the site's language, never in that of whoever happened to cause it.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from socialearn.notifications.services import notify

try:
    from socialearn.people.languages import in_language_of, languages_of
except ImportError:  # profiles without a language yet: everyone reads the site's language
    from socialearn.people.models import Profile

    def _chosen(profile) -> str:
        return getattr(profile, "language", "") or settings.LANGUAGE_CODE

    def languages_of(user_ids: Iterable[int]) -> dict[int, str]:  # type: ignore[no-redef]
        ids = list(user_ids)
        known = any(f.name == "language" for f in Profile._meta.get_fields())
        rows = Profile.objects.filter(user_id__in=ids) if known and ids else []
        chosen = {p.user_id: _chosen(p) for p in rows}
        return {uid: chosen.get(uid, settings.LANGUAGE_CODE) for uid in ids}

    @contextmanager  # type: ignore[no-redef]
    def in_language_of(person) -> Iterator[str]:
        code = _chosen(getattr(person, "profile", person))
        with translation.override(code):
            yield code


@contextmanager
def in_site_language() -> Iterator[None]:
    with translation.override(settings.LANGUAGE_CODE):
        yield


def notify_in_their_language(*, recipients: Iterable, texts: Callable[[], dict], **kwargs) -> int:
    """notify() once per language among the recipients; `texts()` returns the title (and
    body) and is called with that language active."""
    by_language: dict[str, list[int]] = defaultdict(list)
    for user_id, language in languages_of(getattr(r, "pk", r) for r in recipients).items():
        by_language[language].append(user_id)
    sent = 0
    for language, user_ids in sorted(by_language.items()):
        with translation.override(language):
            sent += notify(recipients=user_ids, **texts(), **kwargs)
    return sent


__all__ = ["in_language_of", "in_site_language", "languages_of", "notify_in_their_language"]
