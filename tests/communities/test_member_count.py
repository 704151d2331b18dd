"""A community's member count is kept on the community by the membership services."""

import pytest
from django.urls import reverse

from communities import tasks
from communities.models import Community, Membership
from communities.services import (
    community_create,
    invitation_decline,
    member_counts_recount,
    membership_decide,
    membership_invite,
    membership_join,
    membership_leave,
    membership_self_join,
)
from tests.communities.conftest import make_community
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _kept(community: Community) -> int:
    return Community.objects.get(pk=community.pk).member_count


def _counted(community: Community) -> int:
    return community.memberships.filter(status=Membership.Status.ACTIVE).count()


def test_joining_and_leaving_count_each_active_member_once(manager):
    community = make_community(manager)
    sam, kim = UserFactory(), UserFactory()
    assert _kept(community) == 1  # the manager who made it
    membership_join(community=community, user=sam)
    membership_self_join(community=community, user=kim)
    membership_join(community=community, user=sam)  # already a member
    assert _kept(community) == 3 == _counted(community)
    membership_leave(community=community, user=kim)
    membership_leave(community=community, user=kim)  # gone already
    assert _kept(community) == 2 == _counted(community)


def test_becoming_a_manager_does_not_count_a_member_again(manager, member):
    community = make_community(manager, members=[member])
    membership_join(community=community, user=member, role=Membership.Role.MANAGER)
    assert _kept(community) == 2 == _counted(community)


def test_requests_and_invitations_count_once_accepted(manager):
    private = make_community(manager, visibility=Community.Visibility.PRIVATE, name="Guild")
    asker, invited, decliner = UserFactory(), UserFactory(), UserFactory()
    request = membership_self_join(community=private, user=asker)
    membership_invite(community=private, invited_by=manager, users=[invited, decliner])
    assert _kept(private) == 1
    membership_decide(membership=request, decided_by=manager, approve=True)
    membership_self_join(community=private, user=invited)  # accepts the invitation
    invitation_decline(community=private, user=decliner)
    assert _kept(private) == 3 == _counted(private)


def test_leaving_an_onboarding_community_declines_and_stops_counting(manager, member):
    onboarding = community_create(
        created_by=manager, name="Welcome", purpose="Start here", kind=Community.Kind.ONBOARDING
    )
    membership_join(community=onboarding, user=member)
    membership_leave(community=onboarding, user=member)
    assert _kept(onboarding) == 1 == _counted(onboarding)


def test_a_leave_after_drift_never_counts_below_zero(manager, member):
    community = make_community(manager, members=[member])
    Community.objects.filter(pk=community.pk).update(member_count=0)
    membership_leave(community=community, user=member)
    assert _kept(community) == 0


def test_the_nightly_recount_corrects_changes_made_past_the_services(manager, member):
    community = make_community(manager, members=[member])
    other = make_community(manager, name="Other")
    Membership.objects.create(community=community, user=UserFactory())  # as the admin would
    Membership.objects.filter(community=other).delete()
    assert tasks.recount_members() == 2
    assert _kept(community) == 3
    assert _kept(other) == 0
    assert member_counts_recount() == 0


def test_pages_show_the_kept_count(client, admin_client, manager, member):
    community = make_community(manager, members=[member], name="Counted guild")
    Community.objects.filter(pk=community.pk).update(member_count=1234)
    client.force_login(member)
    assert "1234 members" in client.get(community.get_absolute_url()).content.decode()
    assert "1234 members" in client.get(reverse("communities:list")).content.decode()
    admin = admin_client.get(reverse("admin:communities_community_changelist")).content.decode()
    assert '<td class="field-active_members">1234</td>' in admin
