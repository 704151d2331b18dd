"""The rules features register, and what a rule hands the engine.

The core never imports a feature: a feature defines its rules in its own `nudges.py`
(loaded by autodiscovery when the nudges app is ready) and registers them here. A rule runs
ONE query per run for everyone at once and returns the people to nudge, each with a cause
(the dedupe key: the same cause never nudges the same person twice), a message and an
action link. The engine does the rest: preferences, quiet hours, the daily cap, delivery.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time
from typing import NamedTuple

from django.utils.functional import Promise

# Words a rule gives: a string, or a lazy translation put into words in each reader's language.
Text = str | Promise

# Nobody is nudged outside these local hours unless a rule narrows them.
DAY_STARTS = time(8, 0)
DAY_ENDS = time(20, 0)


class Candidate(NamedTuple):
    """One person a rule would nudge now, and why.

    `subject` holds the ids the asked action will carry in the activity record
    (community_id, programme_id, session_id, challenge_id, thread_id, object_id): the
    conversion figures match the follow-up on them. A tuple, not a dataclass: a run makes
    one per person per rule, tens of thousands of them.
    """

    person_id: int
    cause: str
    title: Text  # a translated_later text (socialearn.people.languages) speaks their language
    url: str
    body: Text = ""
    subject: dict | None = None


@dataclass(frozen=True)
class Rule:
    """A nudge: who, when, what it says and which action counts as following it.

    `find(now)` returns the candidates in ONE query. `priority` orders a person's nudges on
    a day (the most useful first; only one goes out per local day). `follow_verbs` are the
    activity verbs that count as having done what the nudge asked.
    """

    name: str
    label: Text
    description: Text
    find: Callable[[datetime], Iterable[Candidate]]
    kind: str
    action: Text
    follow_verbs: tuple[str, ...]
    priority: int = 50
    starts: time = DAY_STARTS
    ends: time = DAY_ENDS

    def in_hours(self, local: datetime) -> bool:
        return self.starts <= local.time().replace(tzinfo=None) < self.ends


_rules: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    _rules[rule.name] = rule
    return rule


def rules() -> list[Rule]:
    """Every registered rule, the most useful first."""
    return sorted(_rules.values(), key=lambda rule: (-rule.priority, rule.name))


def get(name: str) -> Rule:
    try:
        return _rules[name]
    except KeyError:
        raise LookupError(f"No nudge rule registered as {name!r}") from None


def labels() -> dict[str, Text]:
    return {rule.name: rule.label for rule in rules()}
