"""The home page's communities section is read in one query (dashboard_lists): it must give
what the four reads it stands for give, for every kind of viewer."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from communities.first_run import joined_communities
from communities.models import Community, Thread
from communities.selectors import (
    communities_visible_to,
    compiled_readable,
    dashboard_lists,
    latest_from_my_communities,
    my_unanswered_questions,
    readable_ids,
    suggested_communities,
)
from communities.services import (
    answer_accept,
    membership_leave,
    reply_create,
    thread_create,
)
from socialearn.people.evidence import readable_places
from tests.communities.conftest import make_community
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _reference(user) -> dict:
    readable = compiled_readable(user)
    return {
        "mine": [c.pk for c in joined_communities(user, limit=8, requested=False)],
        "latest": [t.pk for t in latest_from_my_communities(user)],
        "unanswered": [
            (t.pk, t.reply_count) for t in my_unanswered_questions(user, readable=readable)
        ],
        "suggested": [(c.pk, c.shared) for c in suggested_communities(user)],
    }


def _one_pass(user) -> dict:
    lists = dashboard_lists(user, readable=compiled_readable(user))
    return {
        "mine": [c.pk for c in lists["mine"]],
        "latest": [t.pk for t in lists["latest"]],
        "unanswered": [(t.pk, t.reply_count) for t in lists["unanswered"]],
        "suggested": [(c.pk, c.shared) for c in lists["suggested"]],
    }


def _world():
    """A viewer in public and private communities, one they left, questions open, answered,
    held and asked where they no longer may read, and suggestions on their topics."""
    interests = [TopicFactory(name=f"Interest {i}") for i in range(3)]
    skills = [TopicFactory(name=f"Skill {i}") for i in range(2)]
    viewer = UserFactory(profile__interests=interests, profile__expertise=skills)
    other = UserFactory()
    manager = UserFactory()
    joined = [
        make_community(manager, name=f"Guild {i:02d}", members=[viewer, other]) for i in range(10)
    ]
    private = make_community(
        manager, name="Secret", members=[viewer], visibility=Community.Visibility.PRIVATE
    )
    left = make_community(
        manager, name="Left behind", members=[viewer], visibility=Community.Visibility.PRIVATE
    )
    for i, topics in enumerate([interests, interests[:1] + skills, skills[:1], [TopicFactory()]]):
        make_community(manager, name=f"Suggest {i}", topics=topics)
    make_community(
        manager, name="Hidden", topics=interests, visibility=Community.Visibility.PRIVATE
    )
    make_community(manager, name="Joined already", topics=interests, members=[viewer])

    def ask(community, title, kind="question", author=viewer):
        return thread_create(community=community, author=author, kind=kind, title=title, body="?")

    for i, community in enumerate(joined):
        ask(community, f"Question {i}", kind=["question", "help", "discussion"][i % 3])
        ask(community, f"Their post {i}", author=other)
    answered = ask(joined[0], "Answered")
    answer_accept(
        thread=answered,
        reply=reply_create(thread=answered, author=other, body="This"),
        accepted_by=viewer,
    )
    reply_create(thread=ask(private, "Private question"), author=manager, body="Maybe")
    ask(left, "Asked before leaving")
    membership_leave(community=left, user=viewer)
    Thread.objects.filter(title="Question 3").update(status=Thread.Status.HELD)
    return viewer, other, manager


def test_the_one_pass_read_gives_what_the_four_reads_give():
    viewer, other, manager = _world()
    for person in (viewer, other, manager, UserFactory()):
        assert _one_pass(person) == _reference(person)
    found = _one_pass(viewer)
    assert len(found["mine"]) == 8
    assert found["suggested"][0][1] == 3
    assert len(found["unanswered"]) == 5


def test_the_one_pass_read_builds_what_the_section_shows():
    viewer, _, _ = _world()
    lists = dashboard_lists(viewer, readable=compiled_readable(viewer))
    thread = lists["latest"][0]
    full = Thread.objects.select_related("community").get(pk=thread.pk)
    assert (thread.title, thread.get_absolute_url()) == (full.title, full.get_absolute_url())
    assert thread.community.name == full.community.name
    community = lists["mine"][0]
    assert community.get_absolute_url() == Community.objects.get(pk=community.pk).get_absolute_url()


def test_the_readable_communities_compiled_once_are_the_rules_own_sql():
    viewer, other, manager = _world()
    for person in (viewer, other, manager, AnonymousUser()):
        readable = compiled_readable(person)
        own = communities_visible_to(person).order_by().values("pk").query.sql_with_params()
        assert (readable.sql, tuple(readable.params)) == (own[0], tuple(own[1]))
        with connection.cursor() as cursor:
            cursor.execute(readable.sql, readable.params)
            found = {pk for (pk,) in cursor.fetchall()}
        assert found == set(communities_visible_to(person).values_list("pk", flat=True))


def test_the_readable_places_are_read_through_the_compiled_rules(django_assert_num_queries):
    """The pages that read a reader's readable communities once (people.evidence's
    readable_places: the topic hub, profiles) get the rules' own ids, in one query."""
    viewer, other, manager = _world()
    make_community(viewer, name="Proposed by the viewer", status=Community.Status.PROPOSED)
    for person in (viewer, other, manager, AnonymousUser()):
        with django_assert_num_queries(1):
            found = readable_places(person)
        assert found == set(communities_visible_to(person).values_list("pk", flat=True))
        assert sorted(readable_ids(person)) == sorted(found)
