"""Suggested communities: the home page's cost does not grow with the organisation."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community
from communities.selectors import suggested_communities
from tests.communities.conftest import make_community
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _viewer_with_suggestions(n: int):
    """A person with n interests, n expertise topics and n public communities to suggest."""
    interests = [TopicFactory(name=f"Interest {i}") for i in range(n)]
    expertise = [TopicFactory(name=f"Skill {i}") for i in range(n)]
    viewer = UserFactory(profile__interests=interests, profile__expertise=expertise)
    manager = UserFactory()
    for i in range(n):
        make_community(manager, name=f"Guild {i}", topics=[interests[i], expertise[(i + 1) % n]])
    make_community(manager, name="Already mine", topics=interests[:1], members=[viewer])
    return viewer


def test_suggests_unjoined_public_communities_sharing_most_of_my_topics():
    interest, skill, other = TopicFactory(), TopicFactory(), TopicFactory()
    viewer = UserFactory(profile__interests=[interest], profile__expertise=[skill])
    manager = UserFactory()
    both = make_community(manager, name="Zebra both", topics=[interest, skill])
    one = make_community(manager, name="Alpha one", topics=[skill, other])
    make_community(manager, name="Joined", topics=[interest], members=[viewer])
    make_community(manager, name="Elsewhere", topics=[other])
    make_community(
        manager, name="Hidden", topics=[interest], visibility=Community.Visibility.PRIVATE
    )

    suggested = suggested_communities(viewer)

    assert suggested == [both, one]
    assert [c.shared for c in suggested] == [2, 1]


def test_nobody_without_topics_gets_suggestions():
    make_community(UserFactory(), name="Anything", topics=[TopicFactory()])
    assert suggested_communities(UserFactory()) == []


@pytest.mark.parametrize("n", [1, 50])
def test_home_page_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, n):
    viewer = _viewer_with_suggestions(n)
    client.force_login(viewer)
    # 7 with 1 or 50 of everything: the viewer (their profile and groups with them), the menu,
    # and one query a section (communities, expert sessions, mentoring, challenges, new
    # colleagues); the readable communities are compiled once into the sections' own.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "Guild 0" in response.content.decode()


@pytest.mark.parametrize("n", [1, 50])
def test_the_welcome_step_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries, n):
    viewer = _viewer_with_suggestions(n)
    client.force_login(viewer)
    # 5 with 1 or 50 of everything: the viewer and their profile (read once, by the
    # middleware), the suggestions, the communities joined, the menu.
    with django_assert_max_num_queries(5):
        response = client.get(reverse("communities:welcome"))
    html = response.content.decode()
    assert response.status_code == 200
    guild = Community.objects.get(name="Guild 0")
    assert f'<a href="{guild.get_absolute_url()}"><strong>Guild 0</strong></a>' in html
    assert f'action="{reverse("communities:join", args=[guild.slug])}"' in html
    mine = Community.objects.get(name="Already mine")
    assert f'<li><a href="{mine.get_absolute_url()}">Already mine</a></li>' in html


def test_the_welcome_step_gives_a_person_without_a_profile_one(client):
    from socialearn.people.models import Profile

    person = UserFactory()
    Profile.objects.filter(user=person).delete()
    client.force_login(person)
    assert client.get(reverse("communities:welcome")).status_code == 200
    assert Profile.objects.filter(user=person).exists()


# --- the query plan at a seeded size -------------------------------------------------------

# What grows with the number of people. The communities themselves are a few thousand at
# most: reading them whole is the planner's cheapest way and stays cheap (the bench reports
# any sequential scan over 10,000 rows).
BIG_TABLES = {
    "auth_user",
    "people_profile",
    "people_profile_interests",
    "people_profile_expertise",
    "communities_community_topics",
    "communities_membership",
}


def _seed(people: int, communities: int, topics: int) -> None:
    """Thousands of rows in one statement each, then ANALYZE, as an organisation would have."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO people_topic (name, slug, description) "
            "SELECT 'Seeded topic ' || g, 'seeded-topic-' || g, '' "
            "FROM generate_series(1, %s) g",
            [topics],
        )
        cursor.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined) "
            "SELECT '!', false, 'seeded' || g, '', '', 'seeded' || g || '@example.com', "
            "false, true, now() FROM generate_series(1, %s) g",
            [people],
        )
        cursor.execute(
            "INSERT INTO people_profile (user_id, display_name, job_title, is_people_manager, "
            "bio, time_zone, email_preference, digest_frequency) "
            "SELECT id, username, '', false, '', '', 'none', 'none' FROM auth_user "
            "WHERE username LIKE 'seeded%%'"
        )
        for table, offset in (("people_profile_interests", 0), ("people_profile_expertise", 7)):
            cursor.execute(
                f"INSERT INTO {table} (profile_id, topic_id) "  # noqa: S608 - fixed names
                "SELECT DISTINCT p.id, t.id FROM people_profile p "
                "CROSS JOIN generate_series(0, 2) k "
                "JOIN people_topic t ON t.slug = 'seeded-topic-' "
                "|| (1 + (p.id * 13 + k * 31 + %s) %% %s)",
                [offset, topics],
            )
        cursor.execute(
            "INSERT INTO communities_community (name, slug, kind, purpose, rules, visibility, "
            "anonymity, status, created_at) "
            "SELECT 'Seeded ' || g, 'seeded-' || g, 'practice', '', '', "
            "CASE WHEN g %% 5 = 0 THEN 'private' ELSE 'public' END, 'off', "
            "CASE WHEN g %% 11 = 0 THEN 'archived' ELSE 'active' END, now() "
            "FROM generate_series(1, %s) g",
            [communities],
        )
        cursor.execute(
            "INSERT INTO communities_community_topics (community_id, topic_id) "
            "SELECT DISTINCT c.id, t.id FROM communities_community c "
            "CROSS JOIN generate_series(0, 2) k "
            "JOIN people_topic t ON t.slug = 'seeded-topic-' || (1 + (c.id * 7 + k * 17) %% %s)",
            [topics],
        )
        cursor.execute(
            "INSERT INTO communities_membership (community_id, user_id, role, status, "
            "created_at) "
            "SELECT DISTINCT c.id, u.id, 'member', 'active', now() FROM auth_user u "
            "CROSS JOIN generate_series(0, 3) k "
            "JOIN communities_community c "
            "ON c.slug = 'seeded-' || (1 + (u.id * 3 + k * 101) %% %s)",
            [communities],
        )
        for table in [*BIG_TABLES, "communities_community"]:
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 - fixed names


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def test_suggested_communities_reads_indexes_at_organisation_size():
    _seed(people=4000, communities=3000, topics=300)
    viewer = UserFactory(
        profile__interests=[
            TopicFactory(name="Seeded topic 5"),
            TopicFactory(name="Seeded topic 9"),
        ],
        profile__expertise=[TopicFactory(name="Seeded topic 40")],
    )
    with CaptureQueriesContext(connection) as captured:
        assert suggested_communities(viewer)
    scans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN (FORMAT JSON) " + query["sql"])
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            scans += [
                n["Relation Name"]
                for n in _plan_nodes(plan[0]["Plan"])
                if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in BIG_TABLES
            ]
    assert scans == []
