"""Nudge conversion, counted against activity rows made by hand."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from socialearn.insights.figures import Period
from socialearn.insights.models import Activity
from socialearn.insights.nudges import conversion, conversion_rows
from socialearn.people.permissions import LD_ADMIN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STEP = "challenges.missed_step"
QUESTION = "communities.unanswered_question"


def nudged(person, at, rule, follow, **subject):
    return Activity.objects.create(
        verb="nudged",
        actor=person,
        occurred_at=at,
        extra={"rule": rule, "follow": follow},
        **subject,
    )


def did(person, at, verb, **subject):
    return Activity.objects.create(verb=verb, actor=person, occurred_at=at, **subject)


@pytest.fixture
def march():
    return Period.for_days(first=date(2026, 3, 1), last=date(2026, 3, 31), tz="UTC")


def test_a_nudge_counts_as_followed_by_the_asked_action_on_the_same_thing_within_48_hours(march):
    a, b, c, d, e = (UserFactory() for _ in range(5))
    follow = ["step_completed"]
    # a: did the step 47 hours later -> followed.
    nudged(a, MONDAY, STEP, follow, challenge_id=7)
    did(a, MONDAY + timedelta(hours=47), "step_completed", challenge_id=7)
    # b: exactly 48 hours later -> followed; c: 48 hours and a minute -> not.
    nudged(b, MONDAY, STEP, follow, challenge_id=7)
    did(b, MONDAY + timedelta(hours=48), "step_completed", challenge_id=7)
    nudged(c, MONDAY, STEP, follow, challenge_id=7)
    did(c, MONDAY + timedelta(hours=48, minutes=1), "step_completed", challenge_id=7)
    # d: a step of another challenge, and before the nudge -> not.
    nudged(d, MONDAY, STEP, follow, challenge_id=7)
    did(d, MONDAY + timedelta(hours=1), "step_completed", challenge_id=8)
    did(d, MONDAY - timedelta(hours=1), "step_completed", challenge_id=7)
    # e: someone else did it -> not; e's question nudge followed by a reply in the thread.
    nudged(e, MONDAY, STEP, follow, challenge_id=7)
    did(a, MONDAY + timedelta(hours=2), "step_completed", challenge_id=7)
    nudged(e, MONDAY + timedelta(days=7), QUESTION, ["replied"], thread_id=3, community_id=4)
    did(e, MONDAY + timedelta(days=7, hours=3), "replied", thread_id=3, community_id=4)
    # Outside the period: not counted at all.
    nudged(e, datetime(2026, 4, 2, tzinfo=UTC), STEP, follow, challenge_id=7)

    rows = conversion_rows(march)
    assert rows == [
        {"rule": STEP, "week": date(2026, 3, 2), "sent": 5, "followed": 2},
        {"rule": QUESTION, "week": date(2026, 3, 9), "sent": 1, "followed": 1},
    ]
    page = conversion(march)
    by_rule = {r["rule"]: r for r in page["rules"]}
    assert (by_rule[STEP]["sent"], by_rule[STEP]["followed"], by_rule[STEP]["share"]) == (5, 2, 40)
    assert by_rule[QUESTION]["share"] == 100
    assert by_rule["mentoring.stalled"]["share"] is None  # listed, nothing sent
    assert page["total_sent"] == 6
    assert page["weekly_chart"]["rows"][0] == ("23 Feb", 0, 0)
    assert ("2 Mar", 5, 2) in page["weekly_chart"]["rows"]


@pytest.fixture
def ld_admin(client):
    person = UserFactory()
    person.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    client.force_login(person)
    return person


def test_the_nudges_page_is_for_ld_admins(client):
    client.force_login(UserFactory())
    assert client.get(reverse("insights:nudges")).status_code == 403


@pytest.mark.parametrize("count", [2, 200])
def test_the_nudges_page_costs_the_same_queries_with_few_and_many_nudges(
    client, ld_admin, count, django_assert_max_num_queries
):
    people = [UserFactory() for _ in range(3)]
    Activity.objects.bulk_create(
        Activity(
            verb="nudged",
            actor=people[i % 3],
            occurred_at=datetime.now(UTC) - timedelta(days=i % 20),
            extra={"rule": STEP, "follow": ["step_completed"]},
            challenge_id=1,
        )
        for i in range(count)
    )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("insights:nudges"))
    assert response.status_code == 200
    assert "Share followed within 48 hours" in response.content.decode()


def test_a_running_periods_nudges_are_worked_out_at_most_every_five_minutes_and_say_when(
    client, ld_admin, django_assert_max_num_queries, settings
):
    from socialearn.insights.tasks import refresh_running_period

    def nudge():
        Activity.objects.create(
            verb="nudged",
            actor=ld_admin,
            occurred_at=datetime.now(UTC),
            extra={"rule": STEP, "follow": ["step_completed"]},
            challenge_id=1,
        )

    nudge()
    first = client.get(reverse("insights:nudges")).context
    assert first["total_sent"] == 1
    nudge()
    # Session, user, profile, inbox count: the nudges are not read again.
    with django_assert_max_num_queries(4):
        again = client.get(reverse("insights:nudges"))
    assert again.context["total_sent"] == 1
    assert "As of " in again.content.decode()
    refresh_running_period(
        page="nudges", period=first["period"].as_dict(), language=settings.LANGUAGE_CODE
    )
    assert client.get(reverse("insights:nudges")).context["total_sent"] == 2
