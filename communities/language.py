"""Notifications in the language of the person who reads them, whoever's request wrote them.

A person's language is Profile.language; blank (the browser's choice, unknown away from a
request) and unset read in the site's language. Texts are built once per language among the
recipients, so a manager team of English and German readers gets two rows, not one.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from socialearn.notifications.services import notify
from socialearn.people.models import Profile


def _has_language() -> bool:
    return any(f.name == "language" for f in Profile._meta.get_fields())


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Each person's language (one query; none while profiles have no language)."""
    ids = set(user_ids)
    chosen: dict[int, str] = {}
    if ids and _has_language():
        # Spelled as names, not keywords: the field arrives with the languages' settings.
        language = "language"
        chosen = dict(
            Profile.objects.filter(user_id__in=ids)
            .exclude(**{language: ""})
            .values_list("user_id", language)
        )
    return {uid: chosen.get(uid) or settings.LANGUAGE_CODE for uid in ids}


@contextmanager
def in_language_of(user):
    """Texts built inside read in `user`'s language."""
    profile = getattr(user, "profile", None)
    language = getattr(profile, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        yield


@contextmanager
def in_site_language():
    """For texts one row carries to many readers (an audience fan-out): the site's language,
    never the language of whoever happened to cause them."""
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
