from datetime import UTC, datetime, time, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialearn.insights.models import Activity
from socialearn.notifications.models import Notification
from socialearn.nudges.models import Nudge
from socialearn.nudges.services import nudge_preferences_set, nudges_run
from tests.factories import UserFactory

from .conftest import NOON_UTC

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_a_nudge_reaches_the_inbox_and_email_with_its_action_link(make_rule, deliver, mailoutbox):
    person = UserFactory(profile__time_zone="Europe/London")
    rule, targets = make_rule("ping")
    targets.append(person.pk)

    assert nudges_run(now=NOON_UTC, rules=[rule.name])["sent"] == 1
    assert not Notification.objects.exists()  # delivered after commit, by the outbox
    deliver()

    note = Notification.objects.get(recipient=person)
    assert (note.kind, note.title, note.url) == ("nudge_test_ping", "Do the ping thing", "/ping/")
    assert [m.to for m in mailoutbox] == [[person.email]]
    assert "/ping/" in mailoutbox[0].body
    nudged = Activity.objects.get(verb="nudged")
    assert nudged.actor == person
    assert nudged.extra["rule"] == "test.ping"


def test_the_same_cause_never_nudges_the_same_person_twice(make_rule, deliver):
    person = UserFactory(profile__time_zone="Europe/London")
    rule, targets = make_rule("ping")
    targets.append(person.pk)

    nudges_run(now=NOON_UTC, rules=[rule.name])
    nudges_run(now=NOON_UTC, rules=[rule.name])  # two beats at once, or a rerun
    nudges_run(now=NOON_UTC + timedelta(days=1), rules=[rule.name])  # a day later
    deliver()
    deliver()

    assert Nudge.objects.filter(person=person).count() == 1
    assert Notification.objects.filter(recipient=person).count() == 1


def test_quiet_hours_are_the_persons_own(make_rule):
    london = UserFactory(profile__time_zone="Europe/London")
    tokyo = UserFactory(profile__time_zone="Asia/Tokyo")
    new_york = UserFactory(profile__time_zone="America/New_York")
    rule, targets = make_rule("ping")
    targets += [london.pk, tokyo.pk, new_york.pk]

    nudges_run(now=NOON_UTC, rules=[rule.name])  # 12:00 London, 21:00 Tokyo, 07:00 New York
    assert set(Nudge.objects.values_list("person", flat=True)) == {london.pk}

    nudges_run(now=NOON_UTC + timedelta(hours=1), rules=[rule.name])  # 08:00 in New York
    assert set(Nudge.objects.values_list("person", flat=True)) == {london.pk, new_york.pk}

    # 07:59 in Tokyo the next morning: still quiet; 08:00: the nudge goes.
    nudges_run(now=datetime(2026, 1, 14, 22, 59, tzinfo=UTC), rules=[rule.name])
    assert not Nudge.objects.filter(person=tokyo).exists()
    nudges_run(now=datetime(2026, 1, 14, 23, 0, tzinfo=UTC), rules=[rule.name])
    assert Nudge.objects.get(person=tokyo).local_day.isoformat() == "2026-01-15"


def test_a_person_without_a_zone_lives_in_their_locations_then_the_organisations(make_rule):
    from tests.factories import LocationFactory

    in_sydney = UserFactory(profile__location=LocationFactory(time_zone="Australia/Sydney"))
    nowhere = UserFactory()  # the organisation's zone: Europe/London
    rule, targets = make_rule("ping")
    targets += [in_sydney.pk, nowhere.pk]

    nudges_run(now=NOON_UTC, rules=[rule.name])  # 23:00 in Sydney
    assert set(Nudge.objects.values_list("person", flat=True)) == {nowhere.pk}


def test_one_nudge_a_local_day_the_most_useful_first(make_rule):
    person = UserFactory(profile__time_zone="Europe/London")
    low, low_targets = make_rule("low", priority=10)
    high, high_targets = make_rule("high", priority=90)
    low_targets.append(person.pk)
    high_targets.append(person.pk)

    result = nudges_run(now=NOON_UTC)
    assert result["sent"] == 1
    assert result["test.high"] == 1
    nudges_run(now=NOON_UTC + timedelta(hours=5))  # same local day: the cap holds
    assert list(Nudge.objects.values_list("rule", flat=True)) == ["test.high"]

    nudges_run(now=NOON_UTC + timedelta(days=1))  # the next day, the other one
    assert sorted(Nudge.objects.values_list("rule", flat=True)) == ["test.high", "test.low"]


def test_the_daily_cap_counts_the_persons_local_day(make_rule):
    """23:30 UTC is already tomorrow in Berlin: a second nudge may go there, not in London."""
    berlin = UserFactory(profile__time_zone="Europe/Berlin")
    rule_a, targets_a = make_rule("a", ends=time(23, 59))
    rule_b, targets_b = make_rule("b", starts=time(0, 0), ends=time(23, 59))
    targets_a.append(berlin.pk)
    nudges_run(now=datetime(2026, 1, 14, 22, 30, tzinfo=UTC))  # 23:30 in Berlin
    targets_b.append(berlin.pk)
    nudges_run(now=datetime(2026, 1, 14, 22, 45, tzinfo=UTC))  # same Berlin day
    assert Nudge.objects.filter(person=berlin).count() == 1
    nudges_run(now=datetime(2026, 1, 14, 23, 5, tzinfo=UTC))  # 00:05 in Berlin: a new day
    assert Nudge.objects.filter(person=berlin).count() == 2


def test_a_rule_switched_off_never_nudges_that_person(make_rule):
    quiet, keen = UserFactory(), UserFactory()
    rule, targets = make_rule("ping")
    targets += [quiet.pk, keen.pk]
    nudge_preferences_set(person=quiet, enabled={rule.name: False})

    nudges_run(now=NOON_UTC, rules=[rule.name])
    assert list(Nudge.objects.values_list("person", flat=True)) == [keen.pk]

    nudge_preferences_set(person=quiet, enabled={rule.name: True})
    nudges_run(now=NOON_UTC, rules=[rule.name])
    assert Nudge.objects.filter(person=quiet).exists()


def test_a_switched_off_rule_leaves_the_day_to_the_next_one(make_rule):
    person = UserFactory()
    high, high_targets = make_rule("high", priority=90)
    low, low_targets = make_rule("low", priority=10)
    high_targets.append(person.pk)
    low_targets.append(person.pk)
    nudge_preferences_set(person=person, enabled={high.name: False})

    nudges_run(now=NOON_UTC)
    assert list(Nudge.objects.values_list("rule", flat=True)) == ["test.low"]


def test_inactive_people_are_never_nudged(make_rule):
    gone = UserFactory(is_active=False)
    rule, targets = make_rule("ping")
    targets.append(gone.pk)
    assert nudges_run(now=NOON_UTC, rules=[rule.name])["sent"] == 0


def _newcomers(count: int) -> None:
    joined = NOON_UTC - timedelta(days=5)
    User.objects.bulk_create(
        User(username=f"new{i}@example.com", email=f"new{i}@example.com", date_joined=joined)
        for i in range(count)
    )


@pytest.mark.parametrize("people", [10, 10_000])
def test_a_run_costs_the_same_queries_for_10_and_10000_people(people):
    _newcomers(people)
    with CaptureQueriesContext(connection) as queries:
        result = nudges_run(now=NOON_UTC, rules=["people.incomplete_profile"])
    assert result["sent"] == people
    rule_queries = [q for q in queries.captured_queries if "auth_user" in q["sql"]]
    # The rule's own query, and the engine's one look at everyone's zone and preferences.
    assert len(rule_queries) == 2
    statements = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 5  # rule, people, causes sent, record, outbox message


def test_delivering_a_nudge_twice_writes_its_inbox_line_and_activity_once(make_rule):
    from socialearn.nudges.services import nudges_deliver

    person = UserFactory()
    rule, targets = make_rule("ping")
    targets.append(person.pk)
    nudges_run(now=NOON_UTC, rules=[rule.name])
    ids = list(Nudge.objects.values_list("id", flat=True))

    assert nudges_deliver(ids=ids) == 1
    assert nudges_deliver(ids=ids) == 0  # a retried outbox message
    assert Notification.objects.filter(recipient=person).count() == 1
    nudged = Activity.objects.get(verb="nudged", actor=person)
    assert nudged.occurred_at == NOON_UTC  # conversion counts from the sending
    assert nudged.extra == {"rule": "test.ping", "nudge": ids[0], "follow": ["posted"]}
