"""Stored explanations, translated for whoever reads them.

The matching engine explains each pair in words ("Shares 2 of 3 topics asked for: …"), a run
keeps why protégés were left unmatched, locks refused and people no longer eligible, and a
match keeps its reasons. They are stored as the engine wrote them, in the source language,
because the two people of a match and the coordinators may each read another language.
`reason_text` finds the template a stored text was written from and renders it again from
the reader's catalogue; a text no template fits is shown as it was stored.
"""

import re
from functools import cache

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop, ngettext

# Every sentence the engine (matching/scores.py, matching/assignment.py) and the services
# store, with its placeholders named. Keep in step with those modules: a changed wording
# there must change here, or the stored text is shown untranslated.
TEMPLATES = (
    gettext_noop("Covers every topic asked for: %(topics)s"),
    gettext_noop("Shares %(shared)s of %(wanted)s topics asked for: %(topics)s"),
    gettext_noop("%(mentor_years)s in role against %(protege_years)s: experience to pass on"),
    gettext_noop("The mentor has less time in role than the protégé"),
    gettext_noop("Both lead a team"),
    gettext_noop("Both in %(place)s, as %(who)s wished"),
    gettext_noop("Different locations, though %(who)s preferred the same"),
    gettext_noop("Different locations, as %(who)s wished"),
    gettext_noop("Same location, though %(who)s preferred a different one"),
    gettext_noop("Crosses departments (%(first)s and %(second)s), as wished"),
    gettext_noop("Crosses departments (%(first)s and %(second)s)"),
    gettext_noop("Same department, though crossing departments was preferred"),
    # Why a protégé is left unmatched.
    gettext_noop("No eligible mentor offers their topics"),
    gettext_noop("Every possible mentor scores below the programme's minimum"),
    gettext_noop("The mentors who fit them have no capacity left"),
    # Why a pair may never be matched, or a lock is not kept.
    gettext_noop("A person cannot mentor themselves"),
    gettext_noop("A person cannot be matched with their own manager"),
    gettext_noop("These two were paired before"),
    gettext_noop("They share no topic"),
    gettext_noop("One of these two is not in the programme's pool"),
    gettext_noop("This pair is locked twice"),
    gettext_noop("The protégé is already locked with another mentor"),
    gettext_noop("The mentor has no capacity left for it"),
    gettext_noop("%(name)s is no longer eligible: %(reason)s"),
    gettext_noop("Chosen by the coordinator"),
    # A person no longer eligible, said to the coordinator (services.eligibility_problems).
    gettext_noop(
        "This programme asks how long %(who)s have been in their current role; "
        "their profile has no start date for their role."
    ),
    gettext_noop(
        "This programme is for %(who)s who have led a team for under %(limit)s; "
        "their profile says %(actual)s."
    ),
    gettext_noop(
        "This programme is for %(who)s who have been in their role for under %(limit)s; "
        "their profile says %(actual)s."
    ),
    gettext_noop(
        "This programme is for %(who)s who have led a team for at least %(limit)s; "
        "their profile says %(actual)s."
    ),
    gettext_noop(
        "This programme is for %(who)s who have been in their role for at least %(limit)s; "
        "their profile says %(actual)s."
    ),
    gettext_noop("This programme is for %(who)s who lead a team; their profile says they do not."),
    gettext_noop(
        "This programme is for %(who)s who do not lead a team; their profile says they do."
    ),
    # A run whose worker died.
    gettext_noop("The run did not finish within ten minutes."),
    gettext_noop(
        "This programme asks how long they have been with the company; "
        "their profile has no start date."
    ),
    gettext_noop(
        "This programme is for %(who)s with at least %(limit)s in the company; "
        "their profile says %(actual)s."
    ),
)

# Words the engine puts into the sentences above.
WORDS = (
    gettext_noop("the protégé"),
    gettext_noop("the mentor"),
    gettext_noop("the same place"),
    gettext_noop("one department"),
    gettext_noop("another"),
    gettext_noop("protégés"),
    gettext_noop("mentors"),
)

_YEARS = re.compile(r"^(\d+(?:\.\d+)?) years?$")
_SENTENCE_BREAK = re.compile(r"(?<=\.) (?=[A-Z])")


@cache
def _patterns() -> list[tuple[re.Pattern, str]]:
    compiled = []
    for template in TEMPLATES:
        parts = re.split(r"%\((\w+)\)s", template)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        compiled.append((re.compile(f"^{regex}$"), template))
    # The most specific first: more fixed words, fewer chances to match the wrong template.
    compiled.sort(key=lambda item: -len(re.sub(r"%\(\w+\)s", "", item[1])))
    return compiled


def _value(name: str, value: str) -> str:
    if years := _YEARS.match(value):
        number = float(years.group(1))
        shown = int(number) if number == int(number) else number
        return ngettext("%(years)s year", "%(years)s years", 1 if shown == 1 else 2) % {
            "years": number_format(shown)
        }
    if value in WORDS:
        return gettext(value)
    if name == "reason":
        # A nested reason lost its full stop ("… is no longer eligible: <problem>").
        translated = reason_text(value + ".")
        return translated[:-1] if translated.endswith(".") else reason_text(value)
    if name in ("shared", "wanted") and value.isdigit():
        return number_format(int(value))
    return value


def _one(text: str) -> str | None:
    for pattern, template in _patterns():
        found = pattern.match(text)
        if found:
            values = {name: _value(name, value) for name, value in found.groupdict().items()}
            return gettext(template) % values if values else gettext(template)
    return None


def reason_text(text: str) -> str:
    """A stored explanation in the active language (as stored when no template fits)."""
    if not text:
        return text
    translated = _one(text)
    if translated is not None:
        return translated
    # Several sentences in one text (a person failing more than one rule).
    sentences = _SENTENCE_BREAK.split(text)
    if len(sentences) > 1:
        return " ".join(_one(s) or s for s in sentences)
    return text
