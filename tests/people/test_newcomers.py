"""The home page's new colleagues: the viewer's department or site first, newest first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from socialearn.people.selectors import newcomers
from tests.factories import DepartmentFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _joined(days_ago: int, **profile):
    start = timezone.localdate() - timedelta(days=days_ago)
    return UserFactory(
        profile__started_company_on=start, **{f"profile__{k}": v for k, v in profile.items()}
    ).profile


def test_nearby_newcomers_come_first_then_the_newest_others_without_repeats():
    sales, paris = DepartmentFactory(name="Sales"), LocationFactory(name="Paris")
    me = _joined(400, department=sales)
    same_department = _joined(10, department=sales)
    same_site = _joined(20, location=paris)
    me.location = paris
    me.save(update_fields=["location"])
    newest_elsewhere = _joined(1)
    older_elsewhere = _joined(5)
    _joined(90)  # joined too long ago

    assert newcomers(near=me, limit=4) == [
        same_department,
        same_site,
        newest_elsewhere,
        older_elsewhere,
    ]
    assert newcomers(near=me, limit=1) == [same_department]
    assert me not in newcomers(near=me, limit=10)


def test_without_a_viewer_the_newest_come_first():
    older, newer = _joined(9), _joined(2)
    assert newcomers(limit=2) == [newer, older]
