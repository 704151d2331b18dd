"""Onboarding communities: the daily invitation of newcomers, accepting, and welcoming."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership
from communities.services import (
    community_create,
    membership_invite,
    membership_join,
    membership_leave,
    membership_self_join,
)
from communities.services.onboarding import invitation_accept, invitation_decline
from communities.tasks import invite_newcomers
from socialearn.insights.models import Activity
from socialearn.notifications.models import Notification
from tests.factories import DepartmentFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def onboarding(name, *, location=None, department=None, creator=None):
    return community_create(
        created_by=creator or UserFactory(),
        name=name,
        purpose="Your first weeks with us.",
        kind=Community.Kind.ONBOARDING,
        location=location,
        department=department,
    )


@pytest.fixture
def lyon():
    return LocationFactory(name="Lyon")


@pytest.fixture
def finance():
    return DepartmentFactory(name="Finance")


def invited(community):
    return set(
        community.memberships.filter(status=Membership.Status.INVITED).values_list(
            "user_id", flat=True
        )
    )


def test_newcomers_are_invited_to_the_onboarding_community_of_their_location(lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(3))
    UserFactory(profile__location=lyon, profile__started_company_on=days_ago(400))
    UserFactory(profile__location=lyon, profile__started_company_on=None)
    UserFactory(profile__started_company_on=days_ago(2))  # no location, no department

    assert invite_newcomers() == 1

    assert invited(community) == {newcomer.pk}
    note = Notification.objects.get(recipient=newcomer)
    assert note.kind == "community_invitation"
    assert note.dedupe_key == f"onboarding-invite:{community.pk}"


def test_the_department_community_is_used_when_the_location_has_none(lyon, finance):
    by_department = onboarding("Finance newcomers", department=finance)
    newcomer = UserFactory(
        profile__location=lyon, profile__department=finance, profile__started_company_on=days_ago(1)
    )
    invite_newcomers()
    assert invited(by_department) == {newcomer.pk}


def test_the_location_community_wins_over_the_department_one(lyon, finance):
    by_location = onboarding("Welcome to Lyon", location=lyon)
    by_department = onboarding("Finance newcomers", department=finance)
    newcomer = UserFactory(
        profile__location=lyon, profile__department=finance, profile__started_company_on=days_ago(1)
    )
    invite_newcomers()
    assert invited(by_location) == {newcomer.pk}
    assert invited(by_department) == set()


def test_the_window_follows_the_setting(settings, lyon):
    settings.ONBOARDING_NEWCOMER_DAYS = 10
    community = onboarding("Welcome to Lyon", location=lyon)
    inside = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(10))
    UserFactory(profile__location=lyon, profile__started_company_on=days_ago(11))
    invite_newcomers()
    assert invited(community) == {inside.pk}


def test_running_twice_invites_and_notifies_nobody_twice(lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    people = [
        UserFactory(profile__location=lyon, profile__started_company_on=days_ago(i))
        for i in range(5)
    ]
    assert invite_newcomers() == 5
    assert invite_newcomers() == 0
    assert len(invited(community)) == 5
    assert Notification.objects.filter(recipient__in=people).count() == 5


def test_members_are_not_invited_again(lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    member = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(2))
    membership_join(community=community, user=member)
    assert invite_newcomers() == 0
    assert community.memberships.get(user=member).status == Membership.Status.ACTIVE


def test_someone_who_declined_is_not_invited_again(client, lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(2))
    invite_newcomers()
    client.force_login(newcomer)
    response = client.post(reverse("communities:invitation_decline", args=[community.slug]))
    assert response.status_code == 302
    membership = community.memberships.get(user=newcomer)
    assert membership.status == Membership.Status.DECLINED
    assert invite_newcomers() == 0
    assert community.memberships.get(user=newcomer).status == Membership.Status.DECLINED
    assert Notification.objects.filter(recipient=newcomer).count() == 1


def test_a_decline_is_remembered_by_the_membership_not_the_notification(client, lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(2))
    invite_newcomers()
    invitation_decline(community=community, user=newcomer)
    Notification.objects.filter(recipient=newcomer).delete()  # read and cleared from the inbox

    assert invite_newcomers() == 0
    assert not Notification.objects.filter(recipient=newcomer).exists()


def test_someone_who_declined_is_neither_a_member_nor_invited(client, lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(2))
    invite_newcomers()
    invitation_decline(community=community, user=newcomer)
    client.force_login(newcomer)
    page = client.get(reverse("communities:invitations")).content.decode()
    assert "Welcome to Lyon" not in page.split("<main")[1]
    assert newcomer.pk not in invited(community)
    assert not community.memberships.filter(user=newcomer, status="active").exists()


def test_someone_who_declined_can_still_join_later(client, lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(2))
    invite_newcomers()
    invitation_decline(community=community, user=newcomer)

    membership_self_join(community=community, user=newcomer)

    membership = community.memberships.get(user=newcomer)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.joined_at is not None


def test_a_declined_private_invitation_can_be_taken_up_without_a_request(lyon):
    community = community_create(
        created_by=UserFactory(),
        name="Quiet onboarding",
        purpose="Private.",
        kind=Community.Kind.ONBOARDING,
        visibility=Community.Visibility.PRIVATE,
        location=lyon,
    )
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(2))
    invite_newcomers()
    invitation_decline(community=community, user=newcomer)

    membership = membership_self_join(community=community, user=newcomer)

    assert membership.status == Membership.Status.ACTIVE


def test_leaving_an_onboarding_community_is_declining_it(lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(2))
    invite_newcomers()
    invitation_accept(community=community, user=newcomer)

    membership_leave(community=community, user=newcomer)

    membership = community.memberships.get(user=newcomer)
    assert membership.status == Membership.Status.DECLINED
    assert membership.joined_at is None
    assert Activity.objects.filter(verb="left", actor=newcomer).count() == 1
    assert invite_newcomers() == 0


def test_a_manager_can_invite_again_someone_who_declined(lyon):
    veteran = UserFactory()
    community = onboarding("Welcome to Lyon", location=lyon, creator=veteran)
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(2))
    invite_newcomers()
    invitation_decline(community=community, user=newcomer)

    assert membership_invite(community=community, invited_by=veteran, users=[newcomer]) == 1

    assert newcomer.pk in invited(community)
    assert Notification.objects.filter(recipient=newcomer, kind="community_invitation").count() == 2


def test_declined_people_are_not_shown_as_waiting_to_managers(client, lyon):
    veteran = UserFactory()
    community = onboarding("Welcome to Lyon", location=lyon, creator=veteran)
    newcomer = UserFactory(
        profile__location=lyon,
        profile__started_company_on=days_ago(2),
        profile__display_name="Dora Declined",
    )
    invite_newcomers()
    invitation_decline(community=community, user=newcomer)
    client.force_login(veteran)
    page = client.get(reverse("communities:members", args=[community.slug])).content.decode()
    assert "Dora Declined" not in page


def test_the_invitation_task_uses_a_fixed_number_of_queries(django_assert_max_num_queries, lyon):
    onboarding("Welcome to Lyon", location=lyon)
    for i in range(3):
        UserFactory(profile__location=lyon, profile__started_company_on=days_ago(i))
    with django_assert_max_num_queries(8):
        assert invite_newcomers() == 3
    for i in range(30):
        UserFactory(profile__location=lyon, profile__started_company_on=days_ago(i % 20))
    with django_assert_max_num_queries(8):
        assert invite_newcomers() == 30


def test_accepting_an_invitation_makes_a_member(client, lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(2))
    invite_newcomers()
    client.force_login(newcomer)
    page = client.get(reverse("communities:invitations"))
    assert "Welcome to Lyon" in page.content.decode()

    response = client.post(reverse("communities:invitation_accept", args=[community.slug]))

    assert response.status_code == 302
    membership = community.memberships.get(user=newcomer)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.joined_at is not None
    assert Activity.objects.filter(verb="joined", actor=newcomer, community_id=community.pk)


def test_accepting_without_an_invitation_is_a_404(client, lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    client.force_login(UserFactory())
    response = client.post(reverse("communities:invitation_accept", args=[community.slug]))
    assert response.status_code == 404
    assert client.post(reverse("communities:invitation_accept", args=["nope"])).status_code == 404


def test_accept_is_post_only(client, lyon):
    community = onboarding("Welcome to Lyon", location=lyon)
    client.force_login(UserFactory())
    url = reverse("communities:invitation_accept", args=[community.slug])
    assert client.get(url).status_code == 405


@pytest.fixture
def welcoming(lyon):
    veteran = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(900))
    community = onboarding("Welcome to Lyon", location=lyon, creator=veteran)
    newcomer = UserFactory(
        profile__location=lyon,
        profile__started_company_on=days_ago(4),
        profile__display_name="Nina New",
    )
    invitation_accept_ready = invite_newcomers()
    assert invitation_accept_ready == 1
    invitation_accept(community=community, user=newcomer)
    return community, veteran, newcomer


def test_the_newcomers_page_lists_recent_starters(client, welcoming):
    community, veteran, newcomer = welcoming
    client.force_login(veteran)
    body = client.get(reverse("communities:newcomers", args=[community.slug])).content.decode()
    assert "Nina New" in body
    assert "Welcome</button>" in body
    assert veteran.profile.name not in body.split("<main")[1]


def test_welcoming_notifies_the_newcomer_and_records_the_activity(client, welcoming):
    community, veteran, newcomer = welcoming
    client.force_login(veteran)
    url = reverse("communities:newcomer_welcome", args=[community.slug, newcomer.pk])

    response = client.post(url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "Welcomed" in response.content.decode()
    activity = Activity.objects.get(verb="welcomed")
    assert activity.actor == veteran
    assert activity.target_user == newcomer
    assert activity.community_id == community.pk
    note = Notification.objects.get(recipient=newcomer, kind="newcomer_welcomed")
    assert "welcomes you" in note.title
    # A second click changes nothing.
    client.post(url)
    assert Activity.objects.filter(verb="welcomed").count() == 1
    assert Notification.objects.filter(recipient=newcomer, kind="newcomer_welcomed").count() == 1


def test_only_newcomers_can_be_welcomed(client, welcoming):
    community, veteran, newcomer = welcoming
    client.force_login(newcomer)
    url = reverse("communities:newcomer_welcome", args=[community.slug, veteran.pk])
    assert client.post(url).status_code == 404
    assert not Activity.objects.filter(verb="welcomed").exists()


def test_newcomers_of_a_private_community_are_hidden_from_outsiders(client, lyon):
    community = community_create(
        created_by=UserFactory(),
        name="Quiet onboarding",
        purpose="Private.",
        kind=Community.Kind.ONBOARDING,
        visibility=Community.Visibility.PRIVATE,
        location=lyon,
    )
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(1))
    membership_join(community=community, user=newcomer)
    client.force_login(UserFactory())
    assert client.get(reverse("communities:newcomers", args=[community.slug])).status_code == 404
    url = reverse("communities:newcomer_welcome", args=[community.slug, newcomer.pk])
    assert client.post(url).status_code == 404
    partial = client.get(
        reverse("communities:newcomers", args=[community.slug]), headers={"HX-Request": "true"}
    )
    assert partial.status_code == 404


def test_the_newcomers_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, welcoming, lyon
):
    community, veteran, _ = welcoming
    client.force_login(veteran)
    url = reverse("communities:newcomers", args=[community.slug])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    for i in range(25):
        membership_join(
            community=community,
            user=UserFactory(profile__location=lyon, profile__started_company_on=days_ago(i)),
        )
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.content.decode().count('class="newcomer"') == 20


def test_each_newcomer_row_shows_name_title_start_and_a_welcome(client, welcoming, lyon):
    """Rule: every row says who (display name, else full name, else "New member"), their
    title and the day they started -- each row, also when several started the same day --
    and links their profile and the welcome, or says they were welcomed."""
    from django.utils.dateformat import format as date_format

    community, veteran, nina = welcoming
    same_day = [
        UserFactory(
            profile__location=lyon,
            profile__started_company_on=days_ago(4),
            profile__display_name="",
            first_name="Omar",
            last_name="Okafor",
            profile__job_title="Analyst",
        ),
        UserFactory(
            profile__location=lyon,
            profile__started_company_on=days_ago(4),
            profile__display_name="",
            first_name="",
            last_name="",
        ),
    ]
    earlier = UserFactory(
        profile__location=lyon, profile__started_company_on=days_ago(9), profile__display_name="Ed"
    )
    for user in [*same_day, earlier]:
        membership_join(community=community, user=user)
    client.force_login(veteran)
    client.post(reverse("communities:newcomer_welcome", args=[community.slug, earlier.pk]))

    body = client.get(reverse("communities:newcomers", args=[community.slug])).content.decode()

    rows = {
        user.pk: body.split(f'id="newcomer-{user.pk}"')[1].split("</tr>")[0]
        for user in [nina, *same_day, earlier]
    }
    four_days, nine_days = date_format(days_ago(4), "j M"), date_format(days_ago(9), "j M")
    assert "Nina New" in rows[nina.pk]
    assert "Omar Okafor" in rows[same_day[0].pk]
    assert "Analyst · " in rows[same_day[0].pk]
    assert "New member" in rows[same_day[1].pk]
    for user in [nina, *same_day]:
        row = rows[user.pk]
        assert f"started {four_days}" in row
        assert f'href="{reverse("people:profile", args=[user.pk])}"' in row
        welcome = reverse("communities:newcomer_welcome", args=[community.slug, user.pk])
        assert f'action="{welcome}" hx-post="{welcome}"' in row
    assert f"started {nine_days}" in rows[earlier.pk]
    assert "Welcomed" in rows[earlier.pk]
    assert "<form" not in rows[earlier.pk]


def test_the_partial_for_the_community_page_loads_the_list(client, welcoming):
    community, veteran, _ = welcoming
    client.force_login(veteran)
    response = client.get(
        reverse("communities:newcomers", args=[community.slug]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "Nina New" in body
    assert "<html" not in body


def test_the_community_page_snippet_loads_the_newcomers_list(welcoming):
    from django.template.loader import render_to_string

    community, _, _ = welcoming
    html = render_to_string("communities/lnd/_newcomers.html", {"community": community})
    url = reverse("communities:newcomers", args=[community.slug])
    assert f'hx-get="{url}"' in html
    assert f'href="{url}"' in html


def test_the_invitations_page_runs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, lyon
):
    newcomer = UserFactory(profile__location=lyon, profile__started_company_on=days_ago(1))
    onboarding("Welcome to Lyon", location=lyon)
    invite_newcomers()
    client.force_login(newcomer)
    url = reverse("communities:invitations")
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    for i in range(20):
        community = onboarding(f"Cohort {i}")
        community.memberships.create(user=newcomer, status=Membership.Status.INVITED)
    with django_assert_max_num_queries(8):
        body = client.get(url).content.decode()
    assert body.count('class="card invitation"') == 21


def test_declines_from_before_the_declined_status_become_declined_memberships(lyon):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("communities.migrations.0003_membership_declined")
    community = onboarding("Welcome to Lyon", location=lyon)
    declined, member = (
        UserFactory(profile__location=lyon, profile__started_company_on=days_ago(2))
        for _ in range(2)
    )
    invite_newcomers()
    invitation_accept(community=community, user=member)
    # Before: declining deleted the row; only the invitation notification remembered it.
    community.memberships.filter(user=declined).delete()

    migration.remember_declines(apps, None)

    assert community.memberships.get(user=declined).status == Membership.Status.DECLINED
    assert community.memberships.get(user=member).status == Membership.Status.ACTIVE
    assert invite_newcomers() == 0


def test_newcomer_urls_are_those_reverse_gives(welcoming):
    """The list writes each row's URLs from one reverse per route: they must be reverse()'s
    own, whatever the slug (even one that is a number)."""
    from communities.selectors.onboarding import _UrlOfId

    for slug in ["welcome-to-lyon", "0", "team-0"]:
        welcome = _UrlOfId("communities:newcomer_welcome", slug)
        for pk in [0, 7, 10, 12345]:
            assert welcome(pk) == reverse("communities:newcomer_welcome", args=[slug, pk])
    profile = _UrlOfId("people:profile")
    assert profile(105) == reverse("people:profile", args=[105])
