"""The home page's expert sessions section reads in one query of its own (dashboard_sessions):
it must give what live_and_next gives, for every kind of viewer."""

from datetime import timedelta

import pytest

from communities.models import Community
from communities.selectors import compiled_readable
from communities.services import community_create, membership_join, membership_leave
from expertqa.selectors import dashboard_sessions, live_and_next
from expertqa.services import session_cancel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _shown(sessions: list) -> list[tuple]:
    return [(s.pk, s.title, s.starts_at, s.ends_at, s.topic.name) for s in sessions]


def test_the_sections_query_gives_what_live_and_next_gives(make_session, manager, member):
    secret = community_create(
        created_by=manager, name="Secret", purpose="p", visibility=Community.Visibility.PRIVATE
    )
    membership_join(community=secret, user=member)
    gone = community_create(
        created_by=manager, name="Gone", purpose="p", visibility=Community.Visibility.PRIVATE
    )
    membership_join(community=gone, user=member)
    for minutes in (-50, -30, -20, -5):  # open now, closing at different times
        make_session(title=f"Open {minutes}", starts_in=timedelta(minutes=minutes))
    for days in (1, 2, 3, 4, 8):  # the coming week, and beyond it
        make_session(title=f"In {days} days", starts_in=timedelta(days=days, hours=-1))
    make_session(title="Over", starts_in=timedelta(hours=-3))
    make_session(title="Private now", community=secret, starts_in=timedelta(minutes=-40))
    make_session(title="Private soon", community=secret, starts_in=timedelta(hours=5))
    make_session(title="Left soon", community=gone, starts_in=timedelta(hours=6))
    membership_leave(community=gone, user=member)
    cancelled = make_session(title="Called off", starts_in=timedelta(hours=2))
    session_cancel(session=cancelled, by=manager)

    for person in (member, manager, UserFactory()):
        live, upcoming = dashboard_sessions(compiled_readable(person))
        expected_live, expected_upcoming = live_and_next(person, readable=compiled_readable(person))
        assert _shown(live) == _shown(expected_live)
        assert _shown(upcoming) == _shown(expected_upcoming)
    live, upcoming = dashboard_sessions(compiled_readable(member))
    assert [s.title for s in live] == ["Open -50", "Private now", "Open -30"]
    assert [s.title for s in upcoming] == ["Private soon", "In 1 days", "In 2 days"]
    assert live[0].get_absolute_url().endswith(f"/{live[0].pk}/")
