"""Pages: who may see what, forms with clear errors, fixed query counts."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring import services
from mentoring.models import Match, Programme
from tests.factories import UserFactory

from .conftest import MENTOR, PROTEGE, years_ago

pytestmark = pytest.mark.django_db


def test_mentoring_home_needs_sign_in(client):
    response = client.get(reverse("mentoring:home"))
    assert response.status_code == 302


def test_coordinator_creates_a_programme_through_the_form(client, coordinator, topics):
    client.force_login(coordinator)
    today = timezone.localdate()
    response = client.post(
        reverse("mentoring:programme_create"),
        {
            "name": "Leads",
            "goals": "Grow",
            "commitment": "An hour a month",
            "commitment_weeks": 10,
            "topics": [topics[0].pk],
            "enrolment_opens_on": today.isoformat(),
            "enrolment_closes_on": today.isoformat(),
            "default_mentor_capacity": 2,
            "matching_mode": "batch",
            "minimum_score": 20,
            "protege_manages_people": "must",
            "mentor_manages_people": "any",
        },
    )
    programme = Programme.objects.get(name="Leads")
    assert response.status_code == 302
    assert response["Location"] == programme.get_absolute_url()


def test_bad_programme_form_shows_messages_not_errors(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("mentoring:programme_create"), {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_employees_cannot_create_or_coordinate(client, programme):
    client.force_login(UserFactory())
    assert client.get(reverse("mentoring:programme_create")).status_code == 403
    assert client.get(reverse("mentoring:coordinate", args=[programme.pk])).status_code == 403
    assert client.post(reverse("mentoring:run", args=[programme.pk])).status_code == 403
    assert client.get(reverse("mentoring:export", args=[programme.pk])).status_code == 403
    assert client.get(reverse("mentoring:call", args=[programme.pk])).status_code == 403


def test_bad_ids_are_404(client):
    client.force_login(UserFactory())
    assert client.get(reverse("mentoring:programme", args=[999])).status_code == 404
    assert client.get(reverse("mentoring:match", args=[999])).status_code == 404
    assert client.get(reverse("mentoring:enrol", args=[999, "mentor"])).status_code == 404


def test_enrol_page_tells_ineligible_people_why(client, make_programme):
    programme = make_programme(protege_max_years_in_role=1, protege_manages_people="must")
    user = UserFactory(profile__started_role_on=years_ago(3), profile__is_people_manager=True)
    client.force_login(user)
    response = client.get(reverse("mentoring:enrol", args=[programme.pk, "protege"]))
    assert (
        "This programme is for protégés who have led a team for under 1 year; "
        "your profile says 3 years." in response.content.decode()
    )


def test_enrol_form_without_topics_says_so(client, programme):
    client.force_login(UserFactory())
    response = client.post(reverse("mentoring:enrol", args=[programme.pk, "protege"]), {})
    assert "Choose at least one topic." in response.content.decode()


def test_coordinator_runs_publishes_and_the_protege_accepts(
    client, programme, coordinator, enrol, topics
):
    mentor = enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    client.force_login(coordinator)
    client.post(reverse("mentoring:run", args=[programme.pk]))
    page = client.get(reverse("mentoring:coordinate", args=[programme.pk])).content.decode()
    assert "Covers every topic asked for: Leadership" in page
    client.post(reverse("mentoring:publish", args=[programme.pk]))
    match = Match.objects.get()
    client.force_login(protege.user)
    mine = client.get(reverse("mentoring:mine")).content.decode()
    assert "Covers every topic asked for: Leadership" in mine
    client.post(reverse("mentoring:accept", args=[match.pk]))
    client.force_login(mentor.user)
    client.post(reverse("mentoring:accept", args=[match.pk]))
    match.refresh_from_db()
    assert match.status == Match.Status.ACTIVE


def test_a_match_is_visible_only_to_its_two_people(client, programme, coordinator, enrol, topics):
    enrol(programme, MENTOR, topics[:1])
    enrol(programme, PROTEGE, topics[:1])
    services.matching_run_start(programme=programme, user=coordinator)
    match = Match.objects.get()
    client.force_login(match.protege.user)
    assert client.get(reverse("mentoring:match", args=[match.pk])).status_code == 404  # proposed
    services.programme_publish(programme=programme, user=coordinator)
    assert client.get(reverse("mentoring:match", args=[match.pk])).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("mentoring:match", args=[match.pk])).status_code == 404
    assert client.post(reverse("mentoring:accept", args=[match.pk])).status_code == 404


def _active_match(make_programme, enrol, topics, **fields):
    programme = make_programme(matching_mode="self_service", **fields)
    mentor = enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    match = services.match_request(protege=protege, mentor=mentor, user=protege.user)
    return services.match_accept(match=match, user=mentor.user)


def test_unrecorded_programmes_show_no_notes_field(client, make_programme, enrol, topics):
    match = _active_match(make_programme, enrol, topics, offline_unrecorded=True)
    client.force_login(match.mentor.user)
    html = client.get(reverse("mentoring:match", args=[match.pk])).content.decode()
    assert 'name="met_on"' in html
    assert 'name="notes"' not in html


def test_recorded_programmes_offer_notes(client, make_programme, enrol, topics):
    match = _active_match(make_programme, enrol, topics)
    client.force_login(match.mentor.user)
    html = client.get(reverse("mentoring:match", args=[match.pk])).content.decode()
    assert 'name="notes"' in html


def test_csv_export_keeps_to_dates_for_unrecorded_programmes(
    client, make_programme, enrol, topics, coordinator
):
    match = _active_match(make_programme, enrol, topics, offline_unrecorded=True)
    client.force_login(coordinator)
    response = client.get(reverse("mentoring:export", args=[match.programme_id]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["mentor", "protege", "status", "offered_at", "started_at", "ended_at"]
    assert rows[1][2] == "active"


def test_csv_export_includes_reasons_for_recorded_programmes(
    client, make_programme, enrol, topics, coordinator
):
    match = _active_match(make_programme, enrol, topics)
    client.force_login(coordinator)
    response = client.get(reverse("mentoring:export", args=[match.programme_id]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-2:] == ["score", "reasons"]


def test_self_service_page_lists_ranked_suggestions(client, make_programme, enrol, topics):
    programme = make_programme(matching_mode="self_service")
    enrol(programme, MENTOR, topics[:2], user=UserFactory(profile__display_name="Strong Mentor"))
    enrol(programme, MENTOR, topics[:1], user=UserFactory(profile__display_name="Other Mentor"))
    protege = enrol(programme, PROTEGE, topics[:2])
    client.force_login(protege.user)
    html = client.get(reverse("mentoring:programme", args=[programme.pk])).content.decode()
    assert html.index("Strong Mentor") < html.index("Other Mentor")


def test_call_for_volunteers_shows_the_audience_size_before_sending(
    client, programme, coordinator, topics
):
    UserFactory(profile__expertise=[topics[0]])
    client.force_login(coordinator)
    response = client.post(
        reverse("mentoring:call", args=[programme.pk]),
        {"topics": [topics[0].pk], "require_expertise": "on", "action": "preview"},
    )
    assert 'id="audience-size">1<' in response.content.decode()


def test_ask_for_a_mentor_form(client, topics):
    client.force_login(UserFactory())
    response = client.post(reverse("mentoring:adhoc_new"), {"topic": topics[0].pk})
    assert "Say a few words about what you need." in response.content.decode()
    response = client.post(
        reverse("mentoring:adhoc_new"), {"topic": topics[0].pk, "message": "Help"}
    )
    assert response.status_code == 302


def test_coordinator_page_runs_a_fixed_number_of_queries(
    client, make_programme, coordinator, enrol, topics, django_assert_max_num_queries
):
    client.force_login(coordinator)

    def fill(programme, n):
        for _ in range(n):
            enrol(programme, MENTOR, topics[:2], capacity=2)
            enrol(programme, PROTEGE, topics[:1])
            enrol(programme, PROTEGE, topics[1:2])
            enrol(programme, PROTEGE, topics[2:])
        services.matching_run_start(programme=programme, user=coordinator)

    small, big = make_programme(name="small"), make_programme(name="big")
    fill(small, 1)
    fill(big, 20)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("mentoring:coordinate", args=[small.pk]))
    with django_assert_max_num_queries(20) as many:
        response = client.get(reverse("mentoring:coordinate", args=[big.pk]))
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert response.content.decode().count("data-match=") == 40


def test_a_long_list_of_published_matches_folds_away_below_the_proposals(
    client, make_programme, coordinator, enrol, topics
):
    client.force_login(coordinator)
    programme = make_programme(name="busy")
    for _ in range(11):
        enrol(programme, MENTOR, topics[:2], capacity=2)
        enrol(programme, PROTEGE, topics[:1])
        enrol(programme, PROTEGE, topics[1:2])
    services.matching_run_start(programme=programme, user=coordinator)
    published = services.programme_publish(programme=programme, user=coordinator)
    assert published > 20

    page = client.get(reverse("mentoring:coordinate", args=[programme.pk])).content.decode()

    assert f"Show all {published} published matches" in page
    assert "<details open>" not in page.split('id="published-title"')[1].split("</section>")[0]


def test_my_mentoring_and_programme_pages_run_a_fixed_number_of_queries(
    client, make_programme, enrol, topics, django_assert_max_num_queries
):
    user = UserFactory()
    client.force_login(user)
    first = make_programme(matching_mode="self_service")
    enrol(first, PROTEGE, topics[:1], user=user)
    enrol(first, MENTOR, topics[:1])
    seed = make_programme(name="seed", matching_mode="self_service")
    services.match_request(
        protege=enrol(seed, PROTEGE, topics[:1], user=user),
        mentor=enrol(seed, MENTOR, topics[:1]),
        user=user,
    )
    with django_assert_max_num_queries(25) as few_mine:
        client.get(reverse("mentoring:mine"))
    with django_assert_max_num_queries(25) as few_page:
        client.get(reverse("mentoring:programme", args=[first.pk]))
    for i in range(8):
        programme = make_programme(name=f"p{i}", matching_mode="self_service")
        protege = enrol(programme, PROTEGE, topics[:1], user=user)
        mentor = enrol(programme, MENTOR, topics[:2])
        enrol(first, MENTOR, topics[:1])
        services.match_request(protege=protege, mentor=mentor, user=user)
    with django_assert_max_num_queries(25) as many_mine:
        client.get(reverse("mentoring:mine"))
    with django_assert_max_num_queries(25) as many_page:
        client.get(reverse("mentoring:programme", args=[first.pk]))
    assert len(many_mine.captured_queries) == len(few_mine.captured_queries)
    assert len(many_page.captured_queries) == len(few_page.captured_queries)


def test_match_page_runs_a_fixed_number_of_queries(
    client, make_programme, enrol, topics, django_assert_max_num_queries
):
    match = _active_match(make_programme, enrol, topics)
    client.force_login(match.mentor.user)
    today = timezone.localdate()
    services.meeting_record(match=match, user=match.mentor.user, met_on=today, notes="a")
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("mentoring:match", args=[match.pk]))
    for _ in range(12):
        services.meeting_record(match=match, user=match.mentor.user, met_on=today, notes="b")
    with django_assert_max_num_queries(20) as many:
        response = client.get(reverse("mentoring:match", args=[match.pk]))
    assert response.content.decode().count("<strong>") >= 13
    assert len(many.captured_queries) == len(few.captured_queries)


def test_programme_figures_are_open_to_its_coordinators_only(programme, coordinator):
    from socialearn.insights.access import can_view

    assert can_view(coordinator, "programme", programme.pk)
    assert not can_view(UserFactory(), "programme", programme.pk)


def test_home_dashboard_shows_answers_waiting(client, programme, coordinator, enrol, topics):
    enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    services.matching_run_start(programme=programme, user=coordinator)
    services.programme_publish(programme=programme, user=coordinator)
    client.force_login(protege.user)
    html = client.get(reverse("home")).content.decode()
    assert "mentoring match waiting for your answer" in html


def test_leaving_a_programme_cancels_pending_offers(client, programme, coordinator, enrol, topics):
    enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    services.matching_run_start(programme=programme, user=coordinator)
    services.programme_publish(programme=programme, user=coordinator)
    client.force_login(protege.user)
    client.post(reverse("mentoring:withdraw", args=[protege.pk]))
    assert Match.objects.get().status == Match.Status.CANCELLED
    client.force_login(UserFactory())
    assert client.post(reverse("mentoring:withdraw", args=[protege.pk])).status_code == 404


def test_a_running_match_polls_quietly_until_done(client, programme, coordinator):
    from mentoring.models import MatchingRun

    run = MatchingRun.objects.create(programme=programme, started_by=coordinator)
    client.force_login(coordinator)
    url = reverse("mentoring:coordinate", args=[programme.pk])
    page = client.get(url).content.decode()
    assert "Matching is running" in page
    assert 'hx-trigger="every 2s"' in page
    partial = client.get(url + "?part=run", HTTP_HX_REQUEST="true")
    assert "Matching is running" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    run.status = MatchingRun.Status.DONE
    run.save()
    assert client.get(url + "?part=run", HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"


def test_admin_lists_programmes_enrolments_and_matches(client, make_programme, enrol, topics):
    match = _active_match(make_programme, enrol, topics, offline_unrecorded=True)
    meeting = services.meeting_record(
        match=match, user=match.mentor.user, met_on=timezone.localdate()
    )
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    for name in ("programme", "enrolment", "match", "meeting"):
        response = client.get(reverse(f"admin:mentoring_{name}_changelist"))
        assert response.status_code == 200
    change = client.get(reverse("admin:mentoring_meeting_change", args=[meeting.pk]))
    assert 'name="notes"' not in change.content.decode()
