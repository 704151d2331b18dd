"""Translation lookups remembered per catalog, so a page's strings cost a dict lookup each.

Django builds one translation object per language by merging every installed app's catalog,
and Python's gettext chains each merged app's plain-English catalog behind it as a fallback.
English is the source language here: nearly every lookup in en-gb is a miss, and each miss
walked about eight nested fallbacks (eight Python calls, two dict lookups each) before giving
the msgid back; in German, a string Django's own catalogs lack walks the same chain after the
German one. That was 8-10% of a small page's CPU.

Each translation object Django builds answers `gettext` and `ngettext` (which `pgettext`,
`npgettext` and the lazy strings go through) from a bounded memo of its own answers. A
catalog never changes once built, so the memo gives exactly what the chain gives. Django
builds new objects whenever it drops its translations (LOCALE_PATHS, LANGUAGES or
INSTALLED_APPS changed in a test, a .mo file changed under the development server), and
their memos start empty: nothing needs clearing by hand.
"""

from functools import lru_cache

from django.utils.translation import trans_real

# Bounds, so that a msgid made up at run time (a translated variable) cannot grow a memo
# without end: far more than the catalogs' distinct strings (about 3,000 here).
GETTEXT_MEMO = 8192
NGETTEXT_MEMO = 2048

PlainTranslation = trans_real.DjangoTranslation


def remember(translation: trans_real.DjangoTranslation) -> trans_real.DjangoTranslation:
    """Answer the object's lookups from a memo of its own answers (once per object)."""
    if "gettext" not in translation.__dict__:
        translation.gettext = lru_cache(maxsize=GETTEXT_MEMO)(translation.gettext)  # type: ignore[method-assign]
        translation.ngettext = lru_cache(maxsize=NGETTEXT_MEMO)(translation.ngettext)  # type: ignore[method-assign]
    return translation


class RememberingTranslation(PlainTranslation):
    """Django's translation object, with its lookups remembered (see the module)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        remember(self)


def install() -> None:
    """Have Django build remembering translation objects from now on (AppConfig.ready), and
    remember the lookups of any it built before."""
    trans_real.DjangoTranslation = RememberingTranslation  # type: ignore[misc]
    for translation in list(trans_real._translations.values()):
        remember(translation)
