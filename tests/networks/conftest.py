import pytest

from communities.models import Community
from communities.services import community_create, membership_join
from tests.factories import TopicFactory, UserFactory


@pytest.fixture
def topic(db):
    return TopicFactory(name="Data engineering")


@pytest.fixture
def manager(db):
    return UserFactory(profile__display_name="Nina Network")


@pytest.fixture
def network(manager, topic):
    return community_create(
        created_by=manager,
        name="Lunch and learn",
        purpose="Colleagues talk about their passions.",
        kind=Community.Kind.NETWORK,
        topics=[topic],
    )


@pytest.fixture
def speaker(db):
    return UserFactory(profile__display_name="Sam Speaker")


@pytest.fixture
def private_network(manager, topic):
    return community_create(
        created_by=manager,
        name="Secret guild",
        purpose="Quiet talks.",
        kind=Community.Kind.NETWORK,
        visibility=Community.Visibility.PRIVATE,
        topics=[topic],
    )


@pytest.fixture
def member_of(db):
    def join(community, person=None):
        person = person or UserFactory()
        membership_join(community=community, user=person)
        return person

    return join
