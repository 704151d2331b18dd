import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socialearn.notifications.models import TopicFollow
from socialearn.people.models import Profile
from socialearn.people.views import TOPIC_EXPERTS_PAGE_SIZE
from tests.factories import DepartmentFactory, LocationFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = UserFactory(profile__display_name="Dana Demo")
    client.force_login(user)
    return user


def _people(n, **profile):
    topics = [TopicFactory(name=f"Skill {i}") for i in range(3)]
    dept, loc = DepartmentFactory(), LocationFactory()
    return UserFactory.create_batch(
        n,
        profile__department=dept,
        profile__location=loc,
        profile__expertise=topics,
        profile__interests=topics[:1],
        **profile,
    )


# --- directory ---------------------------------------------------------------------------


def test_directory_lists_people_with_their_expertise(client, me):
    python = TopicFactory(name="Python")
    UserFactory(profile__display_name="Jonas Mensah", profile__expertise=[python])
    response = client.get(reverse("people:directory"))
    assert response.status_code == 200
    assert "Jonas Mensah" in response.text
    assert "Python" in response.text


def test_find_an_expert_by_text_and_topic(client, me):
    python = TopicFactory(name="Python")
    UserFactory(profile__display_name="Jonas Mensah", profile__expertise=[python])
    UserFactory(profile__display_name="Laura Rossi")
    response = client.get(reverse("people:directory"), {"q": "python", "topic": python.slug})
    assert "Jonas Mensah" in response.text
    assert "Laura Rossi" not in response.text
    assert "1 person matches" in response.text


def test_directory_htmx_request_gets_only_the_results(client, me):
    response = client.get(reverse("people:directory"), {"q": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="results"')
    assert "<html" not in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"department": "999999"}, "That department does not exist"),
        ({"department": "not-a-number"}, "That department does not exist"),
        ({"location": "-1"}, "That location does not exist"),
        ({"topic": "no-such-topic"}, "That topic does not exist"),
        ({"q": "x" * 500}, "at most 200 characters"),
        ({"page": "banana"}, ""),
        ({"q": "&&& | !! ((("}, ""),
    ],
)
def test_directory_bad_input_gives_a_message_not_an_error(client, me, params, message):
    response = client.get(reverse("people:directory"), params)
    assert response.status_code == 200
    assert message in response.text


def test_directory_runs_a_fixed_number_of_queries(client, me, django_assert_max_num_queries):
    url = reverse("people:directory")
    _people(3)
    with django_assert_max_num_queries(12):
        client.get(url)
    _people(40)
    with django_assert_max_num_queries(12):
        response = client.get(url, {"q": "", "page": 2})
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        client.get(url, {"q": "skill"})


def test_directory_is_paginated(client, me):
    _people(30)
    first = client.get(reverse("people:directory"))
    assert "Page 1 of 2" in first.text
    assert "page=2" in first.text


def test_directory_hides_deactivated_people(client, me):
    UserFactory(profile__display_name="Gone Person", is_active=False)
    assert "Gone Person" not in client.get(reverse("people:directory")).text


def test_directory_needs_sign_in(client):
    response = client.get(reverse("people:directory"))
    assert response.status_code == 302


# --- profile -----------------------------------------------------------------------------


def test_profile_shows_expertise_interests_department_location_and_tenure(client, me):
    negotiation, coaching = TopicFactory(name="Negotiation"), TopicFactory(name="Coaching")
    boss = UserFactory(profile__display_name="Bea Boss")
    person = UserFactory(
        profile__display_name="Kofi Mensah",
        profile__job_title="Key Account Manager",
        profile__department=DepartmentFactory(name="Sales"),
        profile__location=LocationFactory(name="Singapore", time_zone="Asia/Singapore"),
        profile__started_company_on=datetime.date(2019, 3, 1),
        profile__started_role_on=datetime.date(2023, 6, 1),
        profile__manager=boss,
        profile__expertise=[negotiation],
        profile__interests=[coaching],
    )
    response = client.get(reverse("people:profile", args=[person.pk]))
    text = response.text
    for expected in [
        "Kofi Mensah",
        "Key Account Manager",
        "Sales",
        "Singapore",
        "March 2019",
        "June 2023",
        "Bea Boss",
        "Negotiation",
        "Coaching",
        "Follow Negotiation",
    ]:
        assert expected in text
    assert "Edit profile" not in text


def test_my_own_profile_offers_editing(client, me):
    response = client.get(reverse("people:me"), follow=True)
    assert "Edit profile" in response.text


def test_unknown_profile_is_404(client, me):
    assert client.get(reverse("people:profile", args=[999999])).status_code == 404


def test_profile_runs_a_fixed_number_of_queries(client, me, django_assert_max_num_queries):
    few = UserFactory(profile__expertise=[TopicFactory()])
    many = UserFactory(
        profile__expertise=[TopicFactory() for _ in range(25)],
        profile__interests=[TopicFactory() for _ in range(25)],
        profile__manager=UserFactory(),
    )
    for topic in many.profile.expertise.all()[:10]:
        TopicFollow.objects.create(user=me, topic=topic)
    with django_assert_max_num_queries(10):
        client.get(reverse("people:profile", args=[few.pk]))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("people:profile", args=[many.pk]))
    assert response.status_code == 200


# --- profile edit --------------------------------------------------------------------------


def _form_data(**overrides):
    data = {
        "display_name": "Dana Demo",
        "job_title": "Designer",
        "department": "",
        "location": "",
        "started_company_on": "2020-01-06",
        "started_role_on": "2022-02-01",
        "bio": "Hello",
        "time_zone": "Europe/Paris",
        "email_preference": "immediate",
        "digest_frequency": "none",
    }
    data.update(overrides)
    return data


def test_editing_my_profile_saves_it_and_updates_search(client, me):
    topic = TopicFactory(name="Typography")
    dept = DepartmentFactory(name="Design")
    response = client.post(
        reverse("people:profile_edit"),
        _form_data(department=dept.pk, expertise=[topic.pk], email_preference="none"),
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=me)
    assert profile.department == dept
    assert profile.time_zone == "Europe/Paris"
    assert profile.email_preference == "none"
    assert list(profile.expertise.all()) == [topic]
    search = client.get(reverse("people:directory"), {"q": "typography"})
    assert "Dana Demo" in search.text


def test_every_profile_field_has_a_label(client, me):
    response = client.get(reverse("people:profile_edit"))
    form = response.context["form"]
    for field in form:
        assert field.label, field.name
        assert f'for="{field.id_for_label}"' in response.text or field.name in (
            "expertise",
            "interests",
        )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone", "is not a time zone we know"),
        ({"started_company_on": "31/31/2020"}, "started_company_on", "Enter a date like"),
        (
            {"started_company_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
            "started_company_on",
            "cannot be in the future",
        ),
        (
            {"started_role_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()},
            "started_role_on",
            "cannot be in the future",
        ),
        (
            {"started_company_on": "2022-01-01", "started_role_on": "2021-01-01"},
            "started_role_on",
            "before you joined the company",
        ),
        ({"display_name": ""}, "display_name", "Tell colleagues what to call you"),
        ({"display_name": "x" * 151}, "display_name", "Keep your name under"),
        ({"department": "999999"}, "department", "Choose a department"),
        ({"location": "abc"}, "location", "Choose a location"),
        ({"expertise": ["999999"]}, "expertise", "is not one of our topics"),
        ({"email_preference": "always"}, "email_preference", "Select a valid choice"),
        ({"bio": "x" * 4001}, "bio", "Keep it under 4,000 characters (you wrote 4,001)."),
    ],
)
def test_profile_form_bad_input_gets_a_clear_message(client, me, overrides, field, message):
    response = client.post(reverse("people:profile_edit"), _form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert message.split("%")[0] in response.text.replace("&#x27;", "'").replace("&quot;", '"')


def test_profile_edit_needs_sign_in(client):
    assert client.get(reverse("people:profile_edit")).status_code == 302


# --- topics --------------------------------------------------------------------------------


def test_topic_page_lists_its_experts_and_a_follow_button(client, me):
    topic = TopicFactory(name="Facilitation")
    UserFactory(profile__display_name="Rosa Silva", profile__expertise=[topic])
    UserFactory(profile__display_name="Not An Expert")
    response = client.get(reverse("people:topic", args=[topic.slug]))
    assert "Rosa Silva" in response.text
    assert "Not An Expert" not in response.text
    assert reverse("notifications:topic_follow", args=[topic.slug]) in response.text


def test_a_topic_counts_and_pages_its_experts_who_can_still_sign_in(client, me):
    topic = TopicFactory(name="Facilitation")
    for i in range(30):
        UserFactory(profile__display_name=f"Expert {i:02}", profile__expertise=[topic])
    UserFactory(
        profile__display_name="Expert Departed", profile__expertise=[topic], is_active=False
    )
    response = client.get(reverse("people:topic", args=[topic.slug]))
    page = response.context["page"]
    assert page.paginator.count == 30
    size = TOPIC_EXPERTS_PAGE_SIZE
    assert [p.display_name for p in page] == [f"Expert {i:02}" for i in range(size)]
    last = client.get(reverse("people:topic", args=[topic.slug]) + "?page=3").context["page"]
    assert [p.display_name for p in last] == [f"Expert {i:02}" for i in range(2 * size, 30)]


def test_unknown_topic_is_404(client, me):
    assert client.get(reverse("people:topic", args=["nope"])).status_code == 404


def test_topic_pages_run_a_fixed_number_of_queries(client, me, django_assert_max_num_queries):
    topic = TopicFactory(name="Facilitation")
    UserFactory.create_batch(2, profile__expertise=[topic])
    # The hub: its sections (one query each; the questions two when the unanswered do not
    # fill it), and its experts ranked by evidence on ids: the markers of the topic's kept
    # evidence (counted when not kept: everyone's evidence, those with it, the declared),
    # the communities the reader may read, then the page's profiles.
    with django_assert_max_num_queries(19):
        client.get(reverse("people:topic", args=[topic.slug]))
    with django_assert_max_num_queries(8):
        client.get(reverse("people:topics"))
    UserFactory.create_batch(40, profile__expertise=[topic, TopicFactory()])
    # The hub: its sections (one query each; the questions two when the unanswered do not
    # fill it), and its experts ranked by evidence on ids: the markers of the topic's kept
    # evidence (counted when not kept: everyone's evidence, those with it, the declared),
    # the communities the reader may read, then the page's profiles.
    with django_assert_max_num_queries(19):
        client.get(reverse("people:topic", args=[topic.slug]))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("people:topics"))
    assert response.status_code == 200


def test_topic_list_counts_a_new_expert_or_follower_at_once(client, me):
    topic = TopicFactory(name="Facilitation")
    UserFactory.create_batch(2, profile__expertise=[topic])
    first = client.get(reverse("people:topics")).context["topics"]
    assert [(t.expert_count, t.follower_count) for t in first if t == topic] == [(2, 0)]

    UserFactory(profile__expertise=[topic])
    TopicFollow.objects.create(user=me, topic=topic)
    again = client.get(reverse("people:topics")).context["topics"]
    assert [(t.expert_count, t.follower_count) for t in again if t == topic] == [(3, 1)]


def test_home_shows_new_colleagues(client, me):
    UserFactory(
        profile__display_name="Nina Newcomer",
        profile__started_company_on=timezone.localdate() - datetime.timedelta(days=3),
    )
    UserFactory(
        profile__display_name="Olga Oldtimer",
        profile__started_company_on=timezone.localdate() - datetime.timedelta(days=900),
    )
    response = client.get("/")
    assert "Nina Newcomer" in response.text
    assert "Olga Oldtimer" not in response.text
    assert '<span class="avatar avatar-m avatar-hue-' in response.text  # a face to the name


@pytest.mark.parametrize("n", [1, 5])
def test_new_colleagues_cost_the_same_whoever_joined(client, me, n, django_assert_num_queries):
    for i in range(5):
        UserFactory(
            profile__display_name=f"Newcomer {i}",
            profile__started_company_on=timezone.localdate() - datetime.timedelta(days=3 + i),
        )
    client.get("/")  # the menu's waiting counts are kept after the first page
    with CaptureQueriesContext(connection) as five:
        client.get("/")
    Profile.objects.filter(display_name__startswith="Newcomer").exclude(
        display_name__in=[f"Newcomer {i}" for i in range(n)]
    ).update(started_company_on=timezone.localdate() - datetime.timedelta(days=900))
    with django_assert_num_queries(len(five.captured_queries)):
        assert client.get("/").text.count("avatar-m") == n


@pytest.mark.parametrize("n", [1, 60])
def test_the_profile_form_runs_a_fixed_number_of_queries(
    client, me, n, django_assert_max_num_queries
):
    topics = TopicFactory.create_batch(n)
    DepartmentFactory.create_batch(n)
    me.profile.expertise.set(topics[: n // 2 + 1])
    me.profile.interests.set(topics[n // 2 :])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people:profile_edit"))
    assert response.status_code == 200


def test_the_time_zone_list_keeps_my_choice_and_its_attributes(client, me):
    client.post(reverse("people:profile_edit"), _form_data(time_zone="America/Sao_Paulo"))
    page = client.get(reverse("people:profile_edit")).text
    assert '<option value="America/Sao_Paulo" selected>America/Sao Paulo</option>' in page
    assert 'aria-describedby="id_time_zone_helptext"' in page
    bad = client.post(reverse("people:profile_edit"), _form_data(time_zone="Mars/<b>"))
    assert 'aria-invalid="true"' in bad.text
    assert "Mars/<b>" not in bad.text


@pytest.mark.parametrize("n", [2, 30])
def test_a_directory_search_ranks_a_bounded_candidate_set(
    client, me, n, django_assert_max_num_queries, monkeypatch
):
    """A common word ranks at most CANDIDATES matches (the first in directory order), says
    so when more matched, and costs the same number of queries however many match."""
    from socialearn.people import selectors

    monkeypatch.setattr(selectors, "CANDIDATES", 10)
    for i in range(n):
        UserFactory(profile__display_name=f"Analyst {i:02}", profile__job_title="Data analyst")
    client.get(reverse("people:directory") + "?q=data")  # warm the menu
    with django_assert_max_num_queries(9):
        response = client.get(reverse("people:directory") + "?q=data")
    page = response.content.decode()
    assert ("More than 10 people match" in page) == (n > 10)
    assert page.count('<article class="person-card">') == min(n, 10)


def test_the_directory_count_follows_newcomers_and_departures(client, me):
    def count() -> int:
        return client.get(reverse("people:directory")).context["page"].paginator.count

    UserFactory.create_batch(3)
    assert count() == Profile.objects.filter(user__is_active=True).count()
    UserFactory()
    assert count() == Profile.objects.filter(user__is_active=True).count()
    gone = UserFactory()
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert count() == Profile.objects.filter(user__is_active=True).count()


def test_the_listed_profiles_compiled_once_are_the_listings_own(django_assert_num_queries):
    """The directory's and the topic hubs' page of people (selectors.listed_profiles) reads,
    through SQL compiled once per process, the profiles the ORM's listing reads: account,
    department, location and expertise (in name order), for several pages of ids."""
    from socialearn.people import selectors

    dept, loc = DepartmentFactory(), LocationFactory()
    topics = [TopicFactory(name=n) for n in ("Zoning", "Agile", "Mentoring")]
    people = [
        UserFactory(profile__department=dept, profile__location=loc, profile__expertise=topics),
        UserFactory(profile__display_name="Bo", profile__department=dept),
        UserFactory(profile__location=loc, profile__expertise=topics[:1]),
        UserFactory(),
    ]
    ids = [u.profile.pk for u in people]

    def seen(profile):
        joined = (profile.user.email, profile.department, profile.location)
        expertise = [(t.pk, t.name, t.slug) for t in profile.expertise.all()]
        return profile.pk, profile.display_name, profile.job_title, joined, expertise

    for page in (ids, ids[1:3], ids[::-1], [ids[2], -1]):
        expected = selectors._listing(Profile.objects.filter(pk__in=page)).in_bulk(page)
        with django_assert_num_queries(2):
            found = {p.pk: seen(p) for p in selectors.listed_profiles(page)}
        assert found == {pk: seen(p) for pk, p in expected.items()}
    assert selectors._listed_compiled() is not None
    with django_assert_num_queries(0):
        assert selectors.listed_profiles([]) == []
