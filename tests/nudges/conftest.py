from datetime import UTC, datetime

import pytest

from socialearn.nudges import registry
from socialearn.nudges.registry import Candidate, Rule
from socialearn.outbox.services import outbox_relay

# A Wednesday, 12:00 UTC: 12:00 in London (winter), 21:00 in Tokyo, 07:00 in New York.
NOON_UTC = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)


@pytest.fixture
def deliver():
    """Run the outbox relay: what the beat does seconds after a run commits."""

    def run():
        outbox_relay(now=datetime.now(UTC))
        return outbox_relay(now=datetime.now(UTC))  # the emails the delivery asked for

    return run


@pytest.fixture
def make_rule():
    """Register a rule nudging exactly the people in its `targets` list (no query)."""
    made: list[str] = []

    def make(name: str, *, priority: int = 50, **options) -> tuple[Rule, list[int]]:
        targets: list[int] = []

        def find(now):
            return [
                Candidate(
                    person_id=pk,
                    cause=f"test:{name}:{options.get('cause', 'one')}",
                    title=f"Do the {name} thing",
                    url=f"/{name}/",
                )
                for pk in targets
            ]

        rule = Rule(
            name=f"test.{name}",
            label=f"Test {name}",
            description="",
            find=find,
            kind=f"nudge_test_{name}",
            action="Do it",
            follow_verbs=("posted",),
            priority=priority,
            **{k: v for k, v in options.items() if k in ("starts", "ends")},
        )
        registry.register(rule)
        made.append(rule.name)
        return rule, targets

    yield make
    for name in made:
        registry._rules.pop(name, None)
