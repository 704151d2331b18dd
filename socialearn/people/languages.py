"""The language a person reads the site in, for what is written to them away from a request.

Pages follow the viewer (ViewerTimezoneMiddleware activates the profile's language, else
LocaleMiddleware the browser's). An email, a notification's title or a digest is built on the
clock or by someone else's action, so it names its reader's language explicitly:

    with in_language_of(recipient):
        subject = gettext("New answer to your question")

A person who left the choice to their browser gets the site's default (LANGUAGE_CODE): away
from a request there is no browser to ask.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import translation
from django.utils.functional import lazy

KNOWN = frozenset(code for code, _name in settings.LANGUAGES)


def language_of(person) -> str:
    """The language code to write to `person` (a user or a profile; None gives the default).

    Reads the profile the user already carries (select_related or cached) and queries it
    only when it is not loaded; for many recipients use languages_of()."""
    if person is None:
        return settings.LANGUAGE_CODE
    profile = person
    if not hasattr(person, "language"):
        try:
            profile = person.profile
        except ObjectDoesNotExist:  # a user without a profile reads the default
            return settings.LANGUAGE_CODE
    code = getattr(profile, "language", "") or ""
    return code if code in KNOWN else settings.LANGUAGE_CODE


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """Each user's language in one query, for a fan-out to many recipients."""
    from .models import Profile

    ids = list(user_ids)
    chosen = dict(
        Profile.objects.filter(user_id__in=ids)
        .exclude(language="")
        .values_list("user_id", "language")
    )
    return {uid: chosen[uid] if chosen.get(uid) in KNOWN else settings.LANGUAGE_CODE for uid in ids}


@contextmanager
def in_language_of(person) -> Iterator[str]:
    """Translate everything inside the block into `person`'s language; yields its code."""
    code = language_of(person)
    with translation.override(code):
        yield code


def _interpolate(message, params: dict) -> str:
    text = str(message)
    return text % params if params else text


_lazy_interpolate = lazy(_interpolate, str)


def translated_later(message, /, **params):
    """A text made now, for many people at once (a nudge rule's one query), and put into
    words later, in each reader's language: `message` is a gettext_lazy msgid with
    %(name)s placeholders, filled with `params` when the text is turned into a string.

        title=translated_later(gettext_lazy("%(count)s questions wait for you"), count=n)
    """
    return _lazy_interpolate(message, params)
