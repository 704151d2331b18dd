"""Every scoreboard figure against data counted by hand."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring import selectors, services
from mentoring.models import Enrolment, Match
from tests.factories import LocationFactory, UserFactory

from .conftest import MENTOR, PROTEGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(make_programme, enrol, topics):
    leadership, coaching, finance = topics
    paris, lyon = LocationFactory(name="Paris"), LocationFactory(name="Lyon")
    a = make_programme(name="A")
    b = make_programme(name="B")

    def person(place):
        return UserFactory(profile__location=place)

    p1 = enrol(a, PROTEGE, [leadership, coaching], user=person(paris))
    enrol(a, PROTEGE, [leadership], user=person(lyon))  # p2, waiting
    p3 = enrol(a, PROTEGE, [leadership], user=person(paris))
    p4 = enrol(a, PROTEGE, [coaching], user=person(paris))
    m1 = enrol(a, MENTOR, [leadership], user=person(paris), capacity=1)
    m2 = enrol(a, MENTOR, [coaching, leadership], user=person(lyon), capacity=2)
    m3 = enrol(a, MENTOR, [leadership], user=person(paris), capacity=1)
    m3.unavailable = "holiday"
    m3.save()
    enrol(a, MENTOR, [finance], user=person(paris), capacity=1)  # m4
    g = person(paris)
    g_protege = enrol(a, PROTEGE, [leadership], user=g)
    g_mentor = enrol(b, MENTOR, [leadership], user=g, capacity=1)
    h = person(lyon)
    h_protege = enrol(a, PROTEGE, [coaching], user=h)
    h_mentor = enrol(b, MENTOR, [finance], user=h, capacity=1)
    earlier = timezone.now() - dt.timedelta(days=100)
    Enrolment.objects.filter(pk__in=[g_protege.pk, h_protege.pk]).update(created_at=earlier)
    Enrolment.objects.filter(pk__in=[g_mentor.pk, h_mentor.pk]).update(created_at=timezone.now())
    Match.objects.create(programme=a, mentor=m1, protege=p3, status=Match.Status.ACTIVE)
    Match.objects.create(programme=a, mentor=m2, protege=p4, status=Match.Status.COMPLETED)
    Match.objects.create(programme=a, mentor=m2, protege=g_protege, status=Match.Status.COMPLETED)
    return {"a": a, "b": b, "p1": p1}


def _row(data, name):
    return next(r for r in data["rows"] if r["topic"].name == name)


def test_demand_and_supply_per_topic(board):
    data = selectors.scoreboard()
    figures = {r["topic"].name: (r["want"], r["have"], r["gap"]) for r in data["rows"]}
    assert figures == {"Leadership": (2, 2, 0), "Coaching": (2, 1, 1), "Finance": (0, 2, -2)}


def test_demand_and_supply_per_topic_and_location(board):
    data = selectors.scoreboard()
    places = {
        (r["topic"].name, loc["name"]): (loc["want"], loc["have"], loc["gap"])
        for r in data["rows"]
        for loc in r["locations"]
    }
    assert places == {
        ("Leadership", "Paris"): (1, 1, 0),
        ("Leadership", "Lyon"): (1, 1, 0),
        ("Coaching", "Paris"): (1, 0, 1),
        ("Coaching", "Lyon"): (1, 1, 0),
        ("Finance", "Paris"): (0, 1, -1),
        ("Finance", "Lyon"): (0, 1, -1),
    }


def test_proteges_who_became_mentors_in_the_same_topic(board):
    data = selectors.scoreboard()
    assert data["grown_total"] == 1
    assert _row(data, "Leadership")["grown"] == 1
    assert _row(data, "Finance")["grown"] == 0
    assert _row(data, "Coaching")["grown"] == 0


def test_matches_active_completed_and_programme_progress(board):
    data = selectors.scoreboard()
    assert data["totals"] == {"active": 1, "completed": 2}
    a = next(p for p in data["programmes"] if p.name == "A")
    assert (a.proteges, a.mentors, a.active_matches, a.completed_matches, a.matched) == (
        6,
        4,
        1,
        2,
        3,
    )
    b = next(p for p in data["programmes"] if p.name == "B")
    assert (b.proteges, b.mentors, b.matched) == (0, 2, 0)


def test_the_page_shows_the_figures_and_a_chart(client, board):
    client.force_login(UserFactory())
    response = client.get(reverse("mentoring:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<td class="gap gap-short">1 short</td>' in html
    assert "<svg" in html
    assert 'id="total-grown">1<' in html


def test_the_scoreboard_runs_a_fixed_number_of_queries(
    client, make_programme, enrol, topics, django_assert_max_num_queries
):
    viewer = UserFactory()
    client.force_login(viewer)
    programme = make_programme()
    enrol(programme, MENTOR, topics[:1])
    enrol(programme, PROTEGE, topics[:2])
    with django_assert_max_num_queries(16) as few:
        client.get(reverse("mentoring:home"))
    for i in range(15):
        extra = make_programme(name=f"P{i}")
        enrol(extra, MENTOR, topics[:2])
        enrol(extra, PROTEGE, topics[1:])
        enrol(extra, PROTEGE, topics[:1], user=UserFactory(profile__location=LocationFactory()))
    with django_assert_max_num_queries(16) as many:
        response = client.get(reverse("mentoring:home"))
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_kept_scoreboard_is_counted_again_after_an_enrolment_or_a_match(
    client, make_programme, enrol, topics, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory())
    programme = make_programme()
    mentor = enrol(programme, MENTOR, topics[:1], capacity=1)
    html = client.get(reverse("mentoring:home")).content.decode()
    assert '<td class="want">0</td><td class="have">1</td>' in html

    with django_capture_on_commit_callbacks(execute=True):
        protege = enrol(programme, PROTEGE, topics[:1])
    row = _row(selectors.scoreboard_kept(), "Leadership")
    assert (row["want"], row["have"]) == (1, 1)

    match = Match.objects.create(
        programme=programme, mentor=mentor, protege=protege, status=Match.Status.OFFERED
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.match_accept(match=match, user=mentor.user)
        services.match_accept(match=match, user=protege.user)
    # Nobody waits and the one slot is taken: the topic leaves the board.
    assert selectors.scoreboard_kept()["rows"] == []
    html = client.get(reverse("mentoring:home")).content.decode()
    assert 'id="total-active">1<' in html


def test_the_kept_scoreboard_is_kept_per_language(make_programme, enrol, topics):
    from django.utils import translation

    enrol(make_programme(), PROTEGE, topics[:1], user=UserFactory(profile__location=None))

    def places():
        return [loc["name"] for loc in _row(selectors.scoreboard_kept(), "Leadership")["locations"]]

    with translation.override("de"):
        german = places()
    with translation.override("en"):
        assert places() == ["No location given"]
    assert german == ["Kein Standort angegeben"]


def test_the_kept_page_keeps_the_coordinators_hint_to_coordinators(client, coordinator, db):
    client.force_login(UserFactory())
    assert "Start one with" not in client.get(reverse("mentoring:home")).content.decode()
    client.force_login(coordinator)
    assert "Start one with" in client.get(reverse("mentoring:home")).content.decode()
    client.force_login(UserFactory())
    assert "Start one with" not in client.get(reverse("mentoring:home")).content.decode()


def test_the_kept_scoreboard_counts_again_after_an_edit_in_the_admin(
    admin_client, make_programme, enrol, topics
):
    mentor = enrol(make_programme(), MENTOR, topics[:1], capacity=1)
    assert _row(selectors.scoreboard_kept(), "Leadership")["have"] == 1
    response = admin_client.post(
        reverse("admin:mentoring_enrolment_delete", args=[mentor.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert selectors.scoreboard_kept()["rows"] == []
