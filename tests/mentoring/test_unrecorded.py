"""Switching a programme to offline and unrecorded deletes what its pairs wrote, after a
confirmation that says how much; switching back brings nothing back."""

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring import services
from mentoring.models import Match, Meeting, Programme
from socialearn.notifications.models import Notification
from tests.admin_forms import form_data
from tests.factories import UserFactory

from .conftest import MENTOR, PROTEGE
from .test_coordinators import _programme_data


@pytest.fixture
def pair(make_programme, enrol, topics):
    """A recorded self-service programme whose pair has written: a request note and two
    meeting notes."""
    programme = make_programme(matching_mode="self_service")
    mentor = enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    match = services.match_request(
        protege=protege, mentor=mentor, user=protege.user, message="Worried about my team"
    )
    match = services.match_accept(match=match, user=mentor.user)
    for words in ("We talked about delegation", "Hard conversation with my boss"):
        services.meeting_record(
            match=match, user=mentor.user, met_on=timezone.localdate(), notes=words
        )
    return programme, match


def _edit(client, programme, **changes):
    data = _programme_data(
        [programme.topics.first()], name=programme.name, matching_mode="self_service", **changes
    )
    return client.post(reverse("mentoring:programme_edit", args=[programme.pk]), data)


def test_going_unrecorded_asks_first_and_says_how_many_notes_go(client, pair, coordinator):
    programme, match = pair
    client.force_login(coordinator)
    response = _edit(client, programme, offline_unrecorded="on")
    assert response.status_code == 200
    text = response.content.decode()
    assert "2 meeting notes" in text
    assert "1 note sent with mentoring requests" in text
    programme.refresh_from_db()
    assert not programme.offline_unrecorded
    assert Meeting.objects.exclude(notes="").count() == 2


def test_confirming_deletes_the_notes_in_the_database(client, pair, coordinator):
    programme, match = pair
    client.force_login(coordinator)
    response = _edit(client, programme, offline_unrecorded="on", forget_conversations="yes")
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.offline_unrecorded
    assert list(Meeting.objects.filter(match=match).values_list("notes", flat=True)) == ["", ""]
    assert Meeting.objects.filter(match=match).count() == 2  # the dates stay
    assert Match.objects.get(pk=match.pk).message == ""

    # Switching back shows nothing: the words are gone, not hidden.
    assert _edit(client, programme).status_code == 302
    programme.refresh_from_db()
    assert not programme.offline_unrecorded
    client.force_login(match.mentor.user)
    page = client.get(reverse("mentoring:match", args=[match.pk])).content.decode()
    assert "delegation" not in page
    assert "Worried about my team" not in page


def test_the_service_deletes_the_notes_in_the_switch_itself(pair, coordinator):
    programme, match = pair
    services.programme_update(programme=programme, user=coordinator, offline_unrecorded=True)
    assert not Meeting.objects.exclude(notes="").exists()
    assert not Match.objects.exclude(message="").exists()
    # From then on nothing said in meetings is stored.
    services.meeting_record(
        match=match, user=match.mentor.user, met_on=timezone.localdate(), notes="new words"
    )
    assert not Meeting.objects.exclude(notes="").exists()


def test_the_admin_asks_first_then_deletes_through_the_same_service(client, pair):
    programme, match = pair
    root = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(root)
    url = reverse("admin:mentoring_programme_change", args=[programme.pk])
    data = form_data(client.get(url))
    data["offline_unrecorded"] = ["on"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "deletes 2 meeting note(s) and 1 request note(s)" in response.content.decode()
    assert not Programme.objects.get(pk=programme.pk).offline_unrecorded
    assert Meeting.objects.exclude(notes="").count() == 2

    data["forget_conversations"] = ["on"]
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Programme.objects.get(pk=programme.pk).offline_unrecorded
    assert not Meeting.objects.exclude(notes="").exists()
    assert not Match.objects.exclude(message="").exists()


@pytest.fixture
def unrecorded(make_programme, enrol, topics):
    programme = make_programme(matching_mode="self_service", offline_unrecorded=True)
    mentor = enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    return programme, mentor, protege


def test_an_unrecorded_programme_stores_no_request_note(unrecorded):
    programme, mentor, protege = unrecorded
    match = services.match_request(
        protege=protege, mentor=mentor, user=protege.user, message="Worried about my team"
    )
    assert Match.objects.get(pk=match.pk).message == ""
    inbox = Notification.objects.filter(recipient=mentor.user, kind="mentoring_request")
    assert inbox.count() == 1
    assert not Notification.objects.filter(body__contains="Worried").exists()


def test_an_unrecorded_programme_offers_no_note_and_drops_a_posted_one(client, unrecorded):
    programme, mentor, protege = unrecorded
    client.force_login(protege.user)
    page = client.get(programme.get_absolute_url()).content.decode()
    assert f"Ask {mentor.user.profile.name}" in page  # the suggestion is there
    assert 'name="message"' not in page
    response = client.post(
        reverse("mentoring:request", args=[programme.pk, mentor.pk]),
        {"message": "Worried about my team"},
    )
    assert response.status_code == 302
    assert Match.objects.filter(programme=programme).count() == 1
    assert not Match.objects.exclude(message="").exists()
    assert not Notification.objects.filter(body__contains="Worried").exists()


def test_a_recorded_programme_still_offers_the_note(client, make_programme, enrol, topics):
    programme = make_programme(matching_mode="self_service")
    enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    client.force_login(protege.user)
    assert 'name="message"' in client.get(programme.get_absolute_url()).content.decode()
