"""`make test` fails when a string is left untranslated in the shipped catalogue.

Every msgid that makemessages finds in the sources today must be in
locale/<language>/LC_MESSAGES/<domain>.po, translated (every plural form) and not fuzzy; and
the compiled .mo beside it must be the one msgfmt makes from that .po now (`make messages`).
"""

import filecmp

import pytest
from django.conf import settings

from .catalogue import LOCALE, compile_mo, regenerate, translations

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))
SHOWN = 40


def _listing(entries) -> str:
    lines = [f"  {e}" for e in entries[:SHOWN]]
    if len(entries) > SHOWN:
        lines.append(f"  … and {len(entries) - SHOWN} more")
    return "\n".join(lines)


def test_every_language_has_a_catalogue():
    for language in LANGUAGES:
        assert (LOCALE / language / "LC_MESSAGES" / "django.po").exists(), language


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_string_of_the_sources_is_translated(tmp_path, language, domain):
    shipped = LOCALE / language / "LC_MESSAGES" / f"{domain}.po"
    if domain == "djangojs" and not shipped.exists():
        pytest.skip("no JavaScript catalogue shipped")
    regenerated = regenerate(tmp_path, language=language, domain=domain)
    entries = translations(regenerated)
    missing = [e for e in entries if e.untranslated]
    fuzzy = [e for e in entries if e.fuzzy and not e.untranslated]
    problems = []
    if missing:
        problems.append(
            f"{len(missing)} string(s) without a {language} translation in {shipped.name} "
            f"(new in the sources, or an empty msgstr):\n{_listing(missing)}"
        )
    if fuzzy:
        problems.append(
            f"{len(fuzzy)} fuzzy translation(s) (changed English or a guess by msgmerge): "
            f"check each, then remove its '#, fuzzy' line:\n{_listing(fuzzy)}"
        )
    assert not problems, (
        "\n\n".join(problems)
        + "\n\nRegenerate and translate: see docs/translation.md "
        + f"(manage.py makemessages -l {language} --no-location --no-wrap)."
    )


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(LOCALE)))
def test_the_compiled_catalogue_is_the_shipped_one(tmp_path, po):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(LOCALE.parent)} is missing: run `make messages`"
    fresh = tmp_path / mo.name
    compile_mo(po, fresh)
    assert filecmp.cmp(fresh, mo, shallow=False), (
        f"{mo.relative_to(LOCALE.parent)} is older than its .po: run `make messages`"
    )
