from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from challenges.courses import services
from challenges.courses.models import Course
from socialearn.people.permissions import LD_ADMIN
from tests.factories import UserFactory


@pytest.fixture
def lnd(db):
    user = UserFactory(profile__display_name="Lee Learning")
    user.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    return user


@pytest.fixture
def facilitator(db):
    return UserFactory(profile__display_name="Fay Facilitator")


def make_course(
    *,
    created_by,
    facilitators=(),
    starts_on: date | None = None,
    days: int = 2,
    capacity: int | None = None,
    enrolment: str = Course.Enrolment.SELF,
    opens_days: int = 7,
    title: str = "Running retros",
) -> Course:
    starts_on = starts_on or timezone.localdate() + timedelta(days=3)
    return services.course_create(
        created_by=created_by,
        title=title,
        description="A **workshop**.",
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        facilitators=list(facilitators),
        location="Room 4",
        capacity=capacity,
        enrolment=enrolment,
        prereading_opens_days=opens_days,
    )


@pytest.fixture
def course(lnd, facilitator):
    return make_course(created_by=lnd, facilitators=[facilitator])
