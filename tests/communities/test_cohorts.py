"""Course cohorts: an L&D admin's roster becomes private communities of shared interests."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import Community, Membership
from communities.services.cohorts import RosterError, cohorts_create, roster_parse
from socialearn.insights.access import LND_ADMIN_GROUP
from socialearn.notifications.models import Notification
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lnd_admin():
    user = UserFactory()
    group, _ = Group.objects.get_or_create(name=LND_ADMIN_GROUP)
    user.groups.add(group)
    return user


def people(n, *, interests=(), prefix="p"):
    return [
        UserFactory(email=f"{prefix}{i}@example.com", profile__interests=interests)
        for i in range(n)
    ]


def roster_of(users, header=True):
    lines = ["email"] if header else []
    lines += [u.email for u in users]
    return "\n".join(lines) + "\n"


def test_a_roster_is_split_into_private_cohorts_by_shared_interest(lnd_admin):
    data, lead = TopicFactory(name="Data"), TopicFactory(name="Leadership")
    analysts = people(6, interests=[data], prefix="analyst")
    leaders = people(6, interests=[lead], prefix="leader")
    mixed = [u for pair in zip(analysts, leaders, strict=True) for u in pair]

    cohorts = cohorts_create(
        created_by=lnd_admin,
        course_name="Spring course",
        roster_text=roster_of(mixed),
        group_size=6,
    )
    assert sorted(len(c.member_ids) for c in cohorts) == [6, 6]
    cohorts = [c.community for c in cohorts]

    assert sorted(c.name for c in cohorts) == ["Spring course · Data", "Spring course · Leadership"]
    for cohort in cohorts:
        assert cohort.kind == Community.Kind.COHORT
        assert cohort.is_private
        invited = set(
            cohort.memberships.filter(status=Membership.Status.INVITED).values_list(
                "user_id", flat=True
            )
        )
        expected = analysts if "Data" in cohort.name else leaders
        assert invited == {u.pk for u in expected}
        manager = cohort.memberships.get(user=lnd_admin)
        assert manager.role == Membership.Role.MANAGER
    assert Notification.objects.filter(kind="community_invitation").count() == 12


def test_every_participant_lands_in_exactly_one_cohort_of_the_target_size(lnd_admin):
    topics = [TopicFactory(name=f"T{i}") for i in range(4)]
    users = [
        UserFactory(email=f"x{i}@example.com", profile__interests=[topics[i % 4]])
        for i in range(35)
    ]
    cohorts = cohorts_create(
        created_by=lnd_admin, course_name="Course", roster_text=roster_of(users), group_size=17
    )
    sizes = sorted(c.community.memberships.filter(status="invited").count() for c in cohorts)
    assert sorted(len(c.member_ids) for c in cohorts) == sizes
    assert sizes == [17, 18]
    invited = Membership.objects.filter(status="invited").values_list("user_id", flat=True)
    assert sorted(invited) == sorted(u.pk for u in users)


def test_bad_rows_are_reported_by_line_and_nothing_is_created(lnd_admin):
    people(2)
    text = (
        "email\n"  # line 1: header
        "p0@example.com\n"  # line 2: fine
        "not-an-email\n"  # line 3
        "ghost@example.com\n"  # line 4: nobody
        "P0@example.com\n"  # line 5: duplicate of line 2
        "\n"  # line 6: blank, ignored
        "p1@example.com\n"  # line 7: fine
    )
    with pytest.raises(RosterError) as caught:
        cohorts_create(created_by=lnd_admin, course_name="Course", roster_text=text)
    lines = [(e.line, e.message) for e in caught.value.errors]
    assert [line for line, _ in lines] == [3, 4, 5]
    assert "not an email" in lines[0][1]
    assert "Nobody" in lines[1][1]
    assert "line 2" in lines[2][1]
    assert not Community.objects.filter(kind=Community.Kind.COHORT).exists()
    assert not Membership.objects.exists()
    assert not Notification.objects.exists()


def test_a_roster_without_header_and_with_extra_columns_is_read():
    roster = roster_parse("a@example.com,Ana\nb@example.com,Ben\n")
    assert roster.rows == [(1, "a@example.com"), (2, "b@example.com")]
    roster = roster_parse("Name,Work email\nAna,a@example.com\n")
    assert roster.rows == [(2, "a@example.com")]
    assert roster.errors == []


def test_inactive_people_are_unknown(lnd_admin):
    gone = UserFactory(email="gone@example.com", is_active=False)
    with pytest.raises(RosterError) as caught:
        cohorts_create(created_by=lnd_admin, course_name="C", roster_text=gone.email)
    assert caught.value.errors[0].line == 1


def test_the_upload_page_is_for_lnd_admins_only(client):
    client.force_login(UserFactory())
    assert client.get(reverse("communities:cohort_upload")).status_code == 403
    assert client.post(reverse("communities:cohort_upload"), {}).status_code == 403
    assert client.get(reverse("communities:cohorts")).status_code == 403


def test_uploading_a_csv_creates_the_cohorts_and_lists_them(client, lnd_admin):
    users = people(4, interests=[TopicFactory(name="Python")])
    client.force_login(lnd_admin)
    upload = SimpleUploadedFile("roster.csv", roster_of(users).encode("utf-8-sig"), "text/csv")
    response = client.post(
        reverse("communities:cohort_upload"),
        {"course_name": "Intro", "group_size": 17, "roster_file": upload},
    )
    assert response.status_code == 302
    page = client.get(response.url)
    body = page.content.decode()
    assert "Intro · Python" in body
    assert "4 participants split into 1 cohort" in body


def test_the_upload_form_shows_each_bad_line_and_creates_nothing(client, lnd_admin):
    people(1)
    client.force_login(lnd_admin)
    response = client.post(
        reverse("communities:cohort_upload"),
        {"course_name": "Intro", "group_size": 17, "roster_text": "p0@example.com\nbob@\n"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "nothing was created" in body
    assert "<td>2</td>" in body
    assert "is not an email address" in body
    assert not Community.objects.filter(kind=Community.Kind.COHORT).exists()


def test_the_upload_form_explains_missing_input(client, lnd_admin):
    client.force_login(lnd_admin)
    response = client.post(reverse("communities:cohort_upload"), {"group_size": 1})
    body = response.content.decode()
    assert "This field is required" in body
    assert "Ensure this value is greater than or equal to 2" in body
    assert "Upload a CSV file or paste" in body
    bad = SimpleUploadedFile("roster.csv", b"\xff\xfe\x00bad", "text/csv")
    response = client.post(
        reverse("communities:cohort_upload"),
        {"course_name": "C", "group_size": 5, "roster_file": bad},
    )
    assert "not UTF-8" in response.content.decode()


def test_the_cohort_list_runs_a_fixed_number_of_queries(
    client, lnd_admin, django_assert_max_num_queries
):
    client.force_login(lnd_admin)
    url = reverse("communities:cohorts")
    topic = TopicFactory(name="SQL")
    cohorts_create(
        created_by=lnd_admin, course_name="A", roster_text=roster_of(people(3, interests=[topic]))
    )
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
    users = people(40, interests=[topic], prefix="m")
    cohorts_create(
        created_by=lnd_admin, course_name="B", roster_text=roster_of(users), group_size=2
    )
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.content.decode().count("<tr>") == 1 + 21
