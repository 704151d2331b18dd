"""Outcomes for coordinators and L&D, against counts made by hand; the match and
coordinator pages keep a fixed number of queries however much a pair records."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring import services
from mentoring.models import CheckIn, Goal, Match, Meeting
from mentoring.relationship import services as rel
from mentoring.relationship.selectors import programme_outcome_figures, programme_outcomes
from socialearn.insights.models import Activity
from tests.factories import UserFactory

from .conftest import MENTOR, PROTEGE

pytestmark = pytest.mark.django_db


def _active(programme, enrol, topics, name):
    mentor = enrol(
        programme, MENTOR, topics[:1], user=UserFactory(profile__display_name=f"M {name}")
    )
    protege = enrol(
        programme, PROTEGE, topics[:1], user=UserFactory(profile__display_name=f"P {name}")
    )
    match = services.match_request(protege=protege, mentor=mentor, user=protege.user)
    return services.match_accept(match=match, user=mentor.user)


def _answer(match, user, score, recommend):
    checkin = CheckIn.objects.create(
        match=match, user=user, side="protege", stage=CheckIn.Stage.END
    )
    rel.checkin_answer(
        checkin=checkin,
        user=user,
        satisfaction=score,
        goal_progress="most",
        would_recommend=recommend,
    )


@pytest.fixture
def three_matches(make_programme, enrol, topics):
    """A: 2 goals (1 achieved), 3 meetings, completed, protégé turned mentor, scores 5 and 4.
    B: 1 goal, no meeting, active for ten weeks: stalled; score 2, would not recommend.
    C: no goal, 1 meeting last week, active."""
    programme = make_programme(matching_mode="self_service")
    a = _active(programme, enrol, topics, "A")
    b = _active(programme, enrol, topics, "B")
    c = _active(programme, enrol, topics, "C")
    later = timezone.localdate() + dt.timedelta(days=20)
    first = rel.goal_add(match=a, user=a.protege.user, title="Delegate", target_on=later)
    rel.goal_add(match=a, user=a.protege.user, title="Hire", target_on=later)
    rel.goal_set_status(goal=first, user=a.mentor.user, status=Goal.Status.ACHIEVED)
    rel.goal_add(match=b, user=b.protege.user, title="Speak up", target_on=later)
    today = timezone.localdate()
    for days in (1, 8, 15):
        services.meeting_record(match=a, user=a.mentor.user, met_on=today - dt.timedelta(days=days))
    services.meeting_record(match=c, user=c.mentor.user, met_on=today - dt.timedelta(days=7))
    # A planned meeting has not been held: it counts for nothing yet.
    rel.meeting_schedule(
        match=c,
        user=c.mentor.user,
        starts_at=timezone.now() + dt.timedelta(days=3),
        duration_minutes=30,
    )
    Match.objects.filter(pk=b.pk).update(started_at=timezone.now() - dt.timedelta(weeks=10))
    services.match_complete(match=a, user=a.protege.user)
    rel.protege_become_mentor(match=a, user=a.protege.user)
    _answer(a, a.protege.user, 5, True)
    _answer(a, a.mentor.user, 4, True)
    _answer(b, b.protege.user, 2, False)
    return programme, a, b, c


def test_outcome_figures_match_the_hand_counts(three_matches):
    programme, a, b, c = three_matches
    outcomes = programme_outcomes(programme)
    assert outcomes["started"] == 3
    assert outcomes["completed"] == 1
    assert outcomes["completion_rate"] == 33
    assert (outcomes["goals_set"], outcomes["goals_achieved"]) == (3, 1)
    assert outcomes["meetings_per_match"] == round(4 / 3, 1)
    assert outcomes["satisfaction"] == round((5 + 4 + 2) / 3, 1)
    assert outcomes["answers"] == 3
    assert outcomes["recommend_rate"] == 67
    assert outcomes["became_mentor"] == 1
    assert outcomes["stalled"] == 1
    by_match = {row["match"].pk: row for row in outcomes["rows"]}
    assert by_match[b.pk]["stalled"]
    assert not by_match[c.pk]["stalled"]
    assert by_match[a.pk]["meetings"] == 3
    assert by_match[c.pk]["meetings"] == 1
    assert by_match[a.pk]["satisfaction"] == 4.5


def test_the_coordinator_pages_figures_are_the_outcomes_without_their_rows(
    three_matches, make_programme
):
    programme, *_ = three_matches
    outcomes = programme_outcomes(programme)
    figures = programme_outcome_figures(programme)
    assert figures == {k: v for k, v in outcomes.items() if k != "rows"}
    empty = make_programme(name="Nobody matched yet")
    assert programme_outcome_figures(empty) == {
        k: v for k, v in programme_outcomes(empty).items() if k != "rows"
    }


def test_the_outcomes_reach_insights_through_the_activity_record(three_matches):
    programme, *_ = three_matches
    verbs = Activity.objects.filter(programme_id=programme.pk).values_list("verb", flat=True)
    assert list(verbs).count("mentoring_goal_set") == 3
    assert list(verbs).count("mentoring_goal_achieved") == 1
    assert list(verbs).count("mentoring_checkin_answered") == 3
    assert list(verbs).count("mentoring_meeting_scheduled") == 1
    assert list(verbs).count("match_completed") == 2


def test_the_coordinator_page_and_csv_show_the_outcomes(client, three_matches, coordinator):
    programme, a, b, c = three_matches
    client.force_login(coordinator)
    page = client.get(reverse("mentoring:coordinate", args=[programme.pk])).content.decode()
    assert "Goals set / achieved" in page
    assert "3 / 1" in page
    assert "<td>M B</td><td>P B</td>" in page  # the stalled match is named
    response = client.get(reverse("mentoring:outcomes", args=[programme.pk]))
    rows = sorted(csv.DictReader(io.StringIO(response.content.decode())), key=lambda r: r["mentor"])
    assert [(r["mentor"], r["goals set"], r["meetings"], r["stalled"]) for r in rows] == [
        ("M A", "2", "3", "no"),
        ("M B", "1", "0", "yes"),
        ("M C", "0", "1", "no"),
    ]
    assert rows[0]["protégé became mentor"] == "yes"
    assert rows[0]["satisfaction"] == "4.5"


def test_each_row_of_the_csv_holds_its_match_to_the_hand_counts(client, three_matches, coordinator):
    """A: 2 goals (1 achieved), 3 meetings held, completed, its protégé now a mentor, scores 5
    and 4. B: 1 goal, no meeting in ten weeks: stalled, score 2. C: a meeting held last week and
    one planned (not counted): not stalled, no answer yet."""
    programme, a, b, c = three_matches
    client.force_login(coordinator)
    response = client.get(reverse("mentoring:outcomes", args=[programme.pk]))
    rows = {r["mentor"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    figures = (
        "status",
        "goals set",
        "goals achieved",
        "meetings",
        "satisfaction",
        "stalled",
        "protégé became mentor",
    )
    assert {name: tuple(row[f] for f in figures) for name, row in rows.items()} == {
        "M A": ("Completed", "2", "1", "3", "4.5", "no", "yes"),
        "M B": ("Active", "1", "0", "0", "2.0", "yes", "no"),
        "M C": ("Active", "0", "0", "1", "", "no", "no"),
    }
    assert [rows[n]["protégé"] for n in ("M A", "M B", "M C")] == ["P A", "P B", "P C"]
    assert rows["M C"]["started"] == str(timezone.localdate(c.started_at))
    assert rows["M C"]["ends"] == str(c.agreement.ends_on)


def _fill_with_recorded_matches(programme, n, enrol, topics) -> None:
    """n active matches, each with a goal, a meeting today and a 4 for satisfaction."""
    later = timezone.localdate() + dt.timedelta(days=20)
    for i in range(n):
        match = _active(programme, enrol, topics, f"{programme.name}{i}")
        rel.goal_add(match=match, user=match.protege.user, title="Goal", target_on=later)
        services.meeting_record(match=match, user=match.mentor.user, met_on=timezone.localdate())
        _answer(match, match.protege.user, 4, True)


def test_the_csv_runs_a_fixed_number_of_queries_with_few_or_many_matches(
    client, make_programme, enrol, topics, coordinator, django_assert_max_num_queries
):
    small = make_programme(name="small", matching_mode="self_service")
    big = make_programme(name="big", matching_mode="self_service")
    _fill_with_recorded_matches(small, 1, enrol, topics)
    _fill_with_recorded_matches(big, 12, enrol, topics)
    client.force_login(coordinator)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("mentoring:outcomes", args=[small.pk]))
    with django_assert_max_num_queries(10) as many:
        response = client.get(reverse("mentoring:outcomes", args=[big.pk]))
    assert response.content.decode().count("\r\n") == 13
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_employee_gets_no_outcomes(client, three_matches):
    programme, a, *_ = three_matches
    client.force_login(a.protege.user)
    assert client.get(reverse("mentoring:outcomes", args=[programme.pk])).status_code == 403


def test_the_coordinator_page_runs_a_fixed_number_of_queries_with_few_or_many_matches(
    client, make_programme, enrol, topics, coordinator, django_assert_max_num_queries
):
    small = make_programme(name="small", matching_mode="self_service")
    big = make_programme(name="big", matching_mode="self_service")
    _fill_with_recorded_matches(small, 1, enrol, topics)
    _fill_with_recorded_matches(big, 15, enrol, topics)
    client.force_login(coordinator)
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("mentoring:coordinate", args=[small.pk]))
    with django_assert_max_num_queries(25) as many:
        response = client.get(reverse("mentoring:coordinate", args=[big.pk]))
    assert "Matches started</dt><dd>15" in response.content.decode()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_match_page_runs_a_fixed_number_of_queries_however_much_the_pair_records(
    client, make_programme, enrol, topics, django_assert_max_num_queries
):
    programme = make_programme(matching_mode="self_service")
    match = _active(programme, enrol, topics, "X")
    mentor, protege = match.mentor.user, match.protege.user
    later = timezone.localdate() + dt.timedelta(days=20)

    def record(n):
        for i in range(n):
            rel.goal_add(match=match, user=protege, title=f"Goal {i}", target_on=later)
            rel.note_add(match=match, user=mentor, body=f"Note {i}", shared=bool(i % 2))
            rel.meeting_schedule(
                match=match,
                user=mentor,
                starts_at=timezone.now() + dt.timedelta(days=i + 1),
                duration_minutes=30,
            )

    record(1)
    client.force_login(mentor)
    with django_assert_max_num_queries(25) as few:
        client.get(match.get_absolute_url())
    record(10)
    with django_assert_max_num_queries(25) as many:
        response = client.get(match.get_absolute_url())
    assert response.content.decode().count('class="goal"') == 11
    assert Meeting.objects.filter(match=match).count() == 11
    assert len(many.captured_queries) == len(few.captured_queries)
