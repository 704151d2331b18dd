from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Community
from communities.services import community_create, membership_join
from expertqa.services import session_schedule
from tests.factories import TopicFactory, UserFactory


@pytest.fixture
def topic(db):
    return TopicFactory(name="Data engineering")


@pytest.fixture
def manager(db):
    return UserFactory(profile__display_name="Mia Manager")


@pytest.fixture
def community(manager, topic):
    return community_create(
        created_by=manager,
        name="Data practice",
        purpose="People who move data around.",
        anonymity=Community.Anonymity.ON,
        topics=[topic],
    )


@pytest.fixture
def expert(community):
    person = UserFactory(profile__display_name="Erin Expert")
    membership_join(community=community, user=person)
    return person


@pytest.fixture
def asker(community):
    person = UserFactory(profile__display_name="Alex Asker")
    membership_join(community=community, user=person)
    return person


@pytest.fixture
def member(community):
    person = UserFactory(profile__display_name="Morgan Member")
    membership_join(community=community, user=person)
    return person


@pytest.fixture
def make_session(manager, community, topic, expert):
    def make(*, starts_in=timedelta(minutes=-10), duration=timedelta(hours=1), **kwargs):
        kwargs.setdefault("community", community)
        kwargs.setdefault("experts", [expert])
        kwargs.setdefault("title", "Ask the data platform team")
        kwargs.setdefault("invite", False)
        starts_at = kwargs.pop("starts_at", timezone.now() + starts_in)
        return session_schedule(
            created_by=kwargs.pop("created_by", manager),
            topic=kwargs.pop("topic", topic),
            starts_at=starts_at,
            ends_at=starts_at + duration,
            **kwargs,
        )

    return make


@pytest.fixture
def open_session(make_session):
    return make_session()
