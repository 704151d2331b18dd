"""The home page's new colleagues: the viewer's department or site first, newest first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from socialearn.people.selectors import newcomers, newcomers_near
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


def _shown(people) -> list[tuple]:
    return [
        (p.pk, p.user_id, p.name, p.job_title, p.started_company_on, p.photo_updated_at)
        + (str(p.location) if p.location else "",)
        for p in people
    ]


def test_the_home_pages_one_query_gives_what_newcomers_gives():
    sales, paris = DepartmentFactory(name="Sales"), LocationFactory(name="Paris")
    london = LocationFactory(name="London")
    me = _joined(400, department=sales, location=paris)
    nowhere = _joined(300)
    only_site = _joined(200, location=london)
    for days in (1, 2, 3, 4, 6, 8, 11, 12):
        _joined(days, department=sales if days % 4 == 0 else None)
        _joined(days, location=paris if days % 3 == 0 else london, job_title=f"Job {days}")
    _joined(7, display_name="", location=paris)  # named from the account
    _joined(5, department=sales).user.__class__.objects.filter(
        profile__started_company_on=timezone.localdate() - timedelta(days=5)
    ).update(is_active=False)
    _joined(90, department=sales)  # joined too long ago

    for near in (me, nowhere, only_site, None):
        for limit in (1, 5, 30):
            assert _shown(newcomers_near(near=near, limit=limit)) == _shown(
                newcomers(near=near, limit=limit)
            )
    assert len(newcomers_near(near=me, limit=30)) == 17  # not the one who left
