"""Shared set-up for the insights tests: people in departments, and a recorder."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group

from socialearn.insights import access
from socialearn.insights.services import activity_record
from tests.factories import DepartmentFactory, UserFactory

LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)


def at(text: str) -> datetime:
    """An instant in UTC, e.g. at("2026-03-02 00:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def person(name: str, department=None, **kwargs):
    user = UserFactory(
        username=f"{name}@example.com",
        first_name=name.title(),
        last_name="Example",
        profile__department=department,
        **kwargs,
    )
    user.date_joined = LONG_AGO
    user.save(update_fields=["date_joined"])
    return user


@pytest.fixture
def record():
    def rec(verb: str, actor, when: str, **kwargs):
        return activity_record(verb=verb, actor=actor, occurred_at=at(when), **kwargs)

    return rec


@pytest.fixture
def lnd_admin(db):
    user = person("lena")
    group, _ = Group.objects.get_or_create(name=access.LND_ADMIN_GROUP)
    user.groups.add(group)
    return user


@pytest.fixture
def departments(db):
    return DepartmentFactory(name="Sales"), DepartmentFactory(name="Engineering")
