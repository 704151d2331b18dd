"""Remembered translation lookups (socialearn/translations.py) answer exactly as Django's
plain translation objects do: every msgid of every catalog in the chain, in both languages,
singular, plural, with and without context, lazy or not; and a reset of Django's translations
(LOCALE_PATHS changed) is seen at once."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation
from django.utils.translation import (
    gettext,
    gettext_lazy,
    ngettext,
    npgettext,
    pgettext,
    pgettext_lazy,
    trans_real,
)

from socialearn.translations import PlainTranslation, RememberingTranslation

LANGUAGES = [code for code, _name in settings.LANGUAGES]
COUNTS = [0, 1, 2, 3, 5, 11, 21, 101, 1000]


def _chain(trans) -> list:
    """The object and every fallback behind it."""
    chain = []
    while trans is not None:
        chain.append(trans)
        trans = getattr(trans, "_fallback", None)
    return chain


def _msgids() -> tuple[set[str], set[str]]:
    """Every singular and every plural msgid in every language's catalogs and fallbacks (a
    msgid German translates is asked of English too, where it is a miss)."""
    singular, plural = set(), set()
    for trans in [t for language in LANGUAGES for t in _chain(PlainTranslation(language))]:
        for key in trans._catalog.keys():
            if isinstance(key, tuple):
                plural.add(key[0])
            elif key:
                singular.add(key)
    return singular, plural


def test_django_builds_remembering_translations():
    # A language built before the apps were ready is remembered in place; any later, as built.
    for language in LANGUAGES:
        assert "gettext" in trans_real.translation(language).__dict__
    with override_settings(LOCALE_PATHS=settings.LOCALE_PATHS):
        for language in LANGUAGES:
            assert isinstance(trans_real.translation(language), RememberingTranslation)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_msgid_translates_as_the_plain_lookup_does(language):
    plain = PlainTranslation(language)
    remembering = trans_real.translation(language)
    singular, plural = _msgids()
    assert len(singular) > 1000  # the project's and Django's catalogs are there
    for _pass in range(2):  # the second from the memo
        for msgid in singular | plural | {"not a msgid at all"}:
            assert remembering.gettext(msgid) == plain.gettext(msgid), msgid
        for msgid in plural | {"not a msgid at all"}:
            for n in COUNTS:
                expected = plain.ngettext(msgid, msgid + " (plural)", n)
                assert remembering.ngettext(msgid, msgid + " (plural)", n) == expected, msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_contexts_plurals_and_lazy_strings_through_the_public_functions(language):
    plain = PlainTranslation(language)
    singular, plural = _msgids()
    sep = trans_real.CONTEXT_SEPARATOR
    with translation.override(language):
        for _pass in range(2):
            for msgid in singular:
                if sep in msgid:
                    context, message = msgid.split(sep, 1)
                    expected = plain.gettext(msgid)
                    expected = message if sep in expected else expected
                    assert pgettext(context, message) == expected, msgid
                    assert str(pgettext_lazy(context, message)) == expected, msgid
                else:
                    assert gettext(msgid) == plain.gettext(msgid), msgid
                    assert str(gettext_lazy(msgid)) == plain.gettext(msgid), msgid
            for msgid in plural:
                for n in COUNTS:
                    if sep in msgid:
                        context, message = msgid.split(sep, 1)
                        expected = plain.ngettext(msgid, msgid + "s", n)
                        if sep in expected:
                            expected = plain.ngettext(message, message + "s", n)
                        assert npgettext(context, message, message + "s", n) == expected
                    else:
                        expected = plain.ngettext(msgid, msgid + "s", n)
                        assert ngettext(msgid, msgid + "s", n) == expected, msgid


def test_a_reset_of_the_translations_shows_at_once():
    with translation.override("de"):
        assert gettext("Skip to content") == "Zum Inhalt springen"
        with override_settings(LOCALE_PATHS=[]):
            with translation.override("de"):
                # The project's catalog is gone: the English source shows.
                assert gettext("Skip to content") == "Skip to content"
        with translation.override("de"):
            assert gettext("Skip to content") == "Zum Inhalt springen"
