"""Writing to people in their own language, away from their request.

A notification's title, an email or a calendar file is built by someone else's action or on
the clock, so the text is translated for each reader: group the recipients by language and
build the text once per language, inside that language.

    for ids in each_language(recipient_ids):
        notify(recipients=ids, title=gettext("Your mentor is proposed"), ...)

    with in_language_of(user):
        subject = gettext("Mentoring meeting")
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.utils import translation

try:
    from socialearn.people.languages import in_language_of, language_of, languages_of
except ImportError:  # pragma: no cover - before people choose a language, all read the default
    from contextlib import contextmanager

    def language_of(person) -> str:
        return settings.LANGUAGE_CODE

    def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
        return dict.fromkeys(user_ids, settings.LANGUAGE_CODE)

    @contextmanager
    def in_language_of(person) -> Iterator[str]:
        code = language_of(person)
        with translation.override(code):
            yield code


__all__ = ["each_language", "in_language_of", "language_of", "languages_of"]


def each_language(recipients: Iterable) -> Iterator[list[int]]:
    """The recipients' user ids (users or ids) in groups of one language each, with that
    language active while the caller builds and sends the group's text."""
    ids = sorted({getattr(r, "pk", r) for r in recipients})
    if not ids:
        return
    groups: dict[str, list[int]] = defaultdict(list)
    for uid, code in languages_of(ids).items():
        groups[code].append(uid)
    for code in sorted(groups):
        with translation.override(code):
            yield groups[code]
