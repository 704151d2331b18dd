"""The coordinator page's buttons and wording, and what a run tells the coordinator:
who no longer meets the rules, which locks were not kept, suggestions above the minimum."""

import pytest
from django.urls import reverse

from mentoring import selectors, services
from mentoring.models import Match
from socialearn.people.models import Profile
from tests.factories import UserFactory

from .conftest import MENTOR, PROTEGE, years_ago

pytestmark = pytest.mark.django_db


def _page(client, coordinator, programme) -> str:
    client.force_login(coordinator)
    return client.get(reverse("mentoring:coordinate", args=[programme.pk])).content.decode()


def _button(page: str, element_id: str) -> str:
    start = page.index(f'id="{element_id}"')
    return page[page.rindex("<button", 0, start) : page.index("</button>", start)]


def test_a_first_run_offers_run_matching_as_the_primary_button(client, programme, coordinator):
    page = _page(client, coordinator, programme)
    button = _button(page, "run-matching")
    assert "Run matching" in button
    assert "secondary" not in button
    assert "Re-run around locked pairs" not in page
    assert 'id="publish"' not in page


def test_once_proposed_publish_is_primary_and_counts_in_words(
    client, programme, coordinator, enrol, topics
):
    enrol(programme, MENTOR, topics[:1])
    enrol(programme, PROTEGE, topics[:1])
    client.force_login(coordinator)
    response = client.post(reverse("mentoring:run", args=[programme.pk]), follow=True)
    page = response.content.decode()
    assert "Matching done: 1 pair, 0 unmatched." in page
    assert "secondary" not in _button(page, "publish")
    assert "Publish 1 match<" in page.replace("\n", "").replace("  ", "")
    assert "Publish 1 match and tell everyone?" in page
    run_button = _button(page, "run-matching")
    assert "secondary" in run_button
    assert "Run matching again" in run_button
    assert "<strong>1</strong> pair (total score" in page
    published = client.post(reverse("mentoring:publish", args=[programme.pk]), follow=True)
    assert "1 match published; both people have been told." in published.content.decode()


def test_two_pairs_and_two_matches_are_plural(client, programme, coordinator, enrol, topics):
    enrol(programme, MENTOR, topics[:1], capacity=2)
    enrol(programme, PROTEGE, topics[:1])
    enrol(programme, PROTEGE, topics[:1])
    client.force_login(coordinator)
    page = client.post(reverse("mentoring:run", args=[programme.pk]), follow=True)
    text = page.content.decode()
    assert "Matching done: 2 pairs, 0 unmatched." in text
    assert "Publish 2 matches and tell everyone?" in text


def test_re_run_around_locked_pairs_appears_only_when_a_pair_is_locked(
    client, programme, coordinator, enrol, topics
):
    enrol(programme, MENTOR, topics[:1])
    enrol(programme, PROTEGE, topics[:1])
    services.matching_run_start(programme=programme, user=coordinator)
    assert "Re-run around locked pairs" not in _page(client, coordinator, programme)
    services.match_lock(match=Match.objects.get(), user=coordinator)
    assert "Re-run around locked pairs" in _button(
        _page(client, coordinator, programme), "run-matching"
    )


def test_refused_locks_are_shown_with_names_and_reason(
    client, programme, coordinator, enrol, topics
):
    boss = UserFactory(profile__display_name="Bea Boss")
    report = UserFactory(profile__display_name="Rob Report", profile__manager=boss)
    boss_mentor = enrol(programme, MENTOR, topics[:1], user=boss)
    protege = enrol(programme, PROTEGE, topics[:1], user=report)
    Match.objects.create(programme=programme, mentor=boss_mentor, protege=protege, locked=True)
    services.matching_run_start(programme=programme, user=coordinator)
    page = _page(client, coordinator, programme)
    assert "Locked pairs not kept" in page
    assert "Bea Boss and Rob Report" in page
    assert "A person cannot be matched with their own manager." in page


def test_a_profile_change_after_enrolment_drops_the_protege_with_the_reason(
    client, make_programme, coordinator, enrol, topics
):
    programme = make_programme(protege_max_years_in_role=2)
    enrol(programme, MENTOR, topics[:1])
    newcomer = UserFactory(profile__display_name="Nia New", profile__started_role_on=years_ago(0.5))
    protege = enrol(programme, PROTEGE, topics[:1], user=newcomer)
    # Her profile is corrected: she has led the team for three years.
    Profile.objects.filter(user=newcomer).update(started_role_on=years_ago(3))
    run = services.matching_run_start(programme=programme, user=coordinator)
    assert not Match.objects.filter(protege=protege).exists()
    assert run.ineligible == [
        {
            "enrolment_id": protege.pk,
            "name": "Nia New",
            "role": "protégé",
            "reason": "This programme is for protégés who have been in their role for under "
            "2 years; their profile says 3 years.",
        }
    ]
    assert protege.pk not in {u["enrolment_id"] for u in run.unmatched}
    page = _page(client, coordinator, programme)
    assert "No longer eligible" in page
    assert "their profile says 3 years" in page


def test_a_tightened_rule_drops_a_mentor_and_refuses_their_locked_pair(
    make_programme, coordinator, enrol, topics
):
    programme = make_programme()
    junior = UserFactory(profile__display_name="Jo Junior", profile__is_people_manager=False)
    mentor = enrol(programme, MENTOR, topics[:1], user=junior)
    other = enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    Match.objects.create(programme=programme, mentor=mentor, protege=protege, locked=True)
    services.programme_update(programme=programme, user=coordinator, mentor_manages_people="must")
    Profile.objects.filter(user=other.user).update(is_people_manager=True)
    run = services.matching_run_start(programme=programme, user=coordinator)
    assert [(e["name"], e["role"]) for e in run.ineligible] == [("Jo Junior", "mentor")]
    assert run.refused_locks[0]["reason"] == (
        "Jo Junior is no longer eligible: This programme is for mentors who lead a team; "
        "their profile says they do not"
    )
    assert [(m.mentor_id, m.protege_id) for m in Match.objects.all()] == [(other.pk, protege.pk)]


def test_suggestions_leave_out_mentors_below_the_minimum_score(make_programme, enrol, topics):
    programme = make_programme(matching_mode="self_service", minimum_score=40)
    leadership, coaching, finance = topics
    good = enrol(programme, MENTOR, [leadership, coaching])
    enrol(programme, MENTOR, [leadership])  # covers half the topics: 30 points
    protege = enrol(programme, PROTEGE, [leadership, coaching])
    suggested = selectors.suggestions_for(protege)
    assert [s["enrolment"].pk for s in suggested] == [good.pk]
    assert all(s["score"] >= 40 for s in suggested)
