import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from mentoring import services
from mentoring.models import COORDINATOR_GROUP, Enrolment
from tests.factories import TopicFactory, UserFactory


def years_ago(years: float) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=round(years * 365.25))


@pytest.fixture
def topics(db):
    return [TopicFactory(name=name) for name in ("Leadership", "Coaching", "Finance")]


@pytest.fixture
def coordinator(db):
    user = UserFactory(profile__display_name="Cora Coordinator")
    group, _ = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    user.groups.add(group)
    return user


@pytest.fixture
def make_programme(coordinator, topics):
    def make(**fields):
        today = timezone.localdate()
        topic_list = fields.pop("topics", topics)
        defaults = {
            "name": "New managers",
            "goals": "Help new managers find their feet.",
            "commitment": "An hour every two weeks",
            "commitment_weeks": 12,
            "rhythm": "every two weeks",
            "enrolment_opens_on": today - dt.timedelta(days=1),
            "enrolment_closes_on": today + dt.timedelta(days=30),
            "minimum_score": 20,
        }
        defaults.update(fields)
        return services.programme_create(created_by=coordinator, topics=topic_list, **defaults)

    return make


@pytest.fixture
def programme(make_programme):
    return make_programme()


@pytest.fixture
def enrol():
    def make(programme, role, topics, user=None, **fields):
        user = user or UserFactory()
        return services.enrolment_create(
            programme=programme, user=user, role=role, topics=topics, **fields
        )

    return make


MENTOR = Enrolment.Role.MENTOR
PROTEGE = Enrolment.Role.PROTEGE
