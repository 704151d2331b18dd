from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection

from socialearn.notifications.models import TopicFollow
from socialearn.people.models import Department, Location, Profile, Topic
from socialearn.people.permissions import COORDINATOR, LD_ADMIN

pytestmark = pytest.mark.django_db


def _counts():
    return (
        get_user_model().objects.count(),
        Profile.objects.count(),
        Topic.objects.count(),
        Department.objects.count(),
        Location.objects.count(),
        TopicFollow.objects.count(),
        Profile.expertise.through.objects.count(),
    )


def test_seed_demo_builds_a_believable_organisation_and_is_idempotent():
    call_command("seed_demo", scale=60, people_only=True, stdout=StringIO())
    first = _counts()
    call_command("seed_demo", scale=60, people_only=True, stdout=StringIO())
    assert _counts() == first
    assert first[1] == 63  # 60 people and 3 demo logins
    assert Department.objects.count() == 8
    assert set(Location.objects.values_list("name", flat=True)) == {
        "London",
        "New York",
        "Austin",
        "Sydney",
    }
    assert len(set(Location.objects.values_list("time_zone", flat=True))) == 4
    assert Topic.objects.count() >= 30
    assert Profile.objects.filter(is_people_manager=True).exists()
    assert Profile.objects.exclude(manager=None).count() > 40
    assert Profile.objects.exclude(search_vector=None).count() == first[1]


def test_demo_logins_work_and_staff_are_in_their_groups(client):
    call_command("seed_demo", scale=10, people_only=True, stdout=StringIO())
    User = get_user_model()
    ld = User.objects.get(email="ld-admin@socialearn.local")
    coordinator = User.objects.get(email="coordinator@socialearn.local")
    assert ld.groups.filter(name=LD_ADMIN).exists()
    assert ld.is_staff
    assert coordinator.groups.filter(name=COORDINATOR).exists()
    assert ld.has_perm("people.change_topic")
    assert not coordinator.has_perm("people.change_topic")
    assert client.login(username="demo@socialearn.local", password="socialearn-demo")
    assert Group.objects.get(name=LD_ADMIN).permissions.filter(codename="change_profile").exists()


def test_the_whole_demo_has_a_long_tail_of_engagement(django_capture_on_commit_callbacks):
    """Most people read and a few write: the insights overview shows it, and a second run of
    the whole seed adds nothing. The hundreds of outbox messages it writes wake the relay
    once, not once each."""
    from communities.models import Community, Thread
    from mentoring.models import Enrolment, Programme
    from socialearn.insights.figures import Period, overview_figures
    from socialearn.outbox.models import Message

    with django_capture_on_commit_callbacks() as callbacks:
        call_command("seed_demo", scale=80, stdout=StringIO())
    assert Message.objects.count() > 10
    assert [getattr(c, "__name__", "") for c in callbacks].count("relay_wake") == 1
    counts = (Community.objects.count(), Thread.objects.count(), Enrolment.objects.count())

    summary, _ = overview_figures(Period.last_days(30, tz="Europe/London"))
    assert summary.members > 80
    assert 0.05 < summary.engagement_rate < 0.6
    programme = Programme.objects.get(name="New managers' circle")
    assert set(programme.topics.values_list("name", flat=True)) == {
        "Leadership",
        "Giving feedback",
        "Coaching",
        "Conflict resolution",
    }
    call_command("seed_demo", scale=80, stdout=StringIO())
    assert (
        Community.objects.count(),
        Thread.objects.count(),
        Enrolment.objects.count(),
    ) == counts


def test_the_seed_leaves_every_table_analysed_for_the_planner(monkeypatch):
    """Whether or not the server runs autovacuum, a bench-size seed's tables come with
    statistics (pg_class.reltuples is -1 for a table never analysed)."""
    from socialearn.people.management.commands import seed_demo

    monkeypatch.setattr(seed_demo, "ANALYSED_FROM", 10)
    call_command("seed_demo", scale=10, people_only=True, stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r'"
            " AND relnamespace = 'public'::regnamespace AND reltuples < 0"
        )
        assert cursor.fetchall() == []
