"""Onboarding buddies: newcomers offered a volunteer from their location or department."""

import datetime as dt

import pytest
from django.utils import timezone

from mentoring.buddies import buddies_offer
from mentoring.models import Enrolment, Match
from socialearn.notifications.models import Notification
from tests.factories import DepartmentFactory, LocationFactory, UserFactory
from tests.mentoring.conftest import MENTOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(make_programme, topics):
    return make_programme(
        name="Onboarding buddies",
        onboarding_buddies=True,
        matching_mode="self_service",
        minimum_score=0,
        topics=topics[:1],
    )


@pytest.fixture
def places():
    return {
        "london": LocationFactory(name="London"),
        "austin": LocationFactory(name="Austin", time_zone="America/Chicago"),
        "sales": DepartmentFactory(name="Sales"),
        "data": DepartmentFactory(name="Data"),
    }


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def person(places, location, department, started):
    return UserFactory(
        profile__location=places[location],
        profile__department=places[department],
        profile__started_company_on=started,
    )


def test_a_newcomer_is_offered_a_volunteer_from_their_own_location(scheme, enrol, topics, places):
    london_buddy = enrol(
        scheme, MENTOR, topics[:1], user=person(places, "london", "data", days_ago(900))
    )
    enrol(scheme, MENTOR, topics[:1], user=person(places, "austin", "data", days_ago(900)))
    newcomer = person(places, "london", "sales", days_ago(3))

    assert buddies_offer() == 1

    match = Match.objects.get(protege__user=newcomer)
    assert match.mentor == london_buddy
    assert match.status == Match.Status.OFFERED
    assert Notification.objects.filter(recipient=newcomer, kind="mentoring_match").exists()
    assert Notification.objects.filter(recipient=london_buddy.user).exists()


def test_the_same_department_elsewhere_will_do_but_a_stranger_will_not(
    scheme, enrol, topics, places
):
    enrol(scheme, MENTOR, topics[:1], user=person(places, "austin", "data", days_ago(900)))
    stranger_newcomer = person(places, "london", "sales", days_ago(2))
    assert buddies_offer() == 0
    assert Enrolment.objects.filter(user=stranger_newcomer, programme=scheme).exists()

    colleague = enrol(
        scheme, MENTOR, topics[:1], user=person(places, "austin", "sales", days_ago(900))
    )
    assert buddies_offer() == 1
    assert Match.objects.get(protege__user=stranger_newcomer).mentor == colleague


def test_people_who_joined_long_ago_are_not_enrolled_and_nothing_is_offered_twice(
    scheme, enrol, topics, places
):
    enrol(
        scheme, MENTOR, topics[:1], capacity=5, user=person(places, "london", "data", days_ago(900))
    )
    old_timer = person(places, "london", "data", days_ago(400))
    newcomer = person(places, "london", "data", days_ago(1))

    assert buddies_offer() == 1
    assert buddies_offer() == 0

    assert not Enrolment.objects.filter(user=old_timer, programme=scheme).exists()
    assert Match.objects.filter(protege__user=newcomer).count() == 1


def test_a_volunteer_takes_no_more_newcomers_than_their_capacity(scheme, enrol, topics, places):
    enrol(
        scheme, MENTOR, topics[:1], capacity=1, user=person(places, "london", "data", days_ago(900))
    )
    person(places, "london", "data", days_ago(1))
    person(places, "london", "data", days_ago(2))

    assert buddies_offer() == 1
    assert Match.objects.filter(status=Match.Status.OFFERED).count() == 1


def test_a_declined_buddy_is_replaced_by_the_next_best(scheme, enrol, topics, places):
    from mentoring import services

    first = enrol(scheme, MENTOR, topics[:1], user=person(places, "london", "data", days_ago(900)))
    second = enrol(
        scheme, MENTOR, topics[:1], user=person(places, "london", "sales", days_ago(900))
    )
    newcomer = person(places, "london", "data", days_ago(1))
    buddies_offer()
    offered = Match.objects.get(protege__user=newcomer)
    other = second if offered.mentor == first else first

    services.match_decline(match=offered, user=offered.mentor.user)
    buddies_offer()

    assert Match.objects.get(protege__user=newcomer, status=Match.Status.OFFERED).mentor == other


def test_schemes_that_are_not_buddy_schemes_enrol_nobody(make_programme, topics, places):
    programme = make_programme(name="Leaders", topics=topics[:1])
    person(places, "london", "data", days_ago(1))
    buddies_offer()
    assert not Enrolment.objects.filter(programme=programme).exists()
