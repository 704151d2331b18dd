import pytest

from communities.models import Community, Membership
from communities.services import community_create, membership_join
from tests.factories import TopicFactory, UserFactory


@pytest.fixture
def topic():
    return TopicFactory(name="Data analysis")


@pytest.fixture
def manager():
    return UserFactory(email="maria.manager@example.com", username="maria.manager@example.com")


@pytest.fixture
def member():
    return UserFactory(email="sam.member@example.com", username="sam.member@example.com")


@pytest.fixture
def outsider():
    return UserFactory(email="olly.outsider@example.com", username="olly.outsider@example.com")


def make_community(manager, *, name="Data people", members=(), topics=(), **kwargs):
    community = community_create(
        created_by=manager, name=name, purpose="Share what we learn", topics=topics, **kwargs
    )
    for person in members:
        membership_join(community=community, user=person)
    return community


@pytest.fixture
def community(manager, member, topic):
    return make_community(manager, members=[member], topics=[topic])


@pytest.fixture
def private_community(manager, member, topic):
    return make_community(
        manager,
        name="Secret guild",
        members=[member],
        topics=[topic],
        visibility=Community.Visibility.PRIVATE,
    )


@pytest.fixture
def anonymous_community(manager, member, topic):
    return make_community(
        manager,
        name="Ask anything",
        members=[member],
        topics=[topic],
        anonymity=Community.Anonymity.ON,
    )


__all__ = ["Membership", "make_community"]
