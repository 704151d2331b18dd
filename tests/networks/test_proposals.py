from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from communities.services import community_create
from expertqa.models import Session, TalkProposal
from expertqa.services import (
    network_series_create,
    proposal_accept,
    proposal_create,
    proposal_decline,
    session_recording_set,
)
from expertqa.waiting import proposals_to_review
from socialearn.notifications.models import Notification
from tests.factories import UserFactory


def _propose(network, speaker, topic, **kw):
    kw.setdefault("title", "Kafka in production")
    kw.setdefault("abstract", "What broke, and what we learned.")
    return proposal_create(community=network, proposer=speaker, topic=topic, **kw)


def test_a_proposed_talk_becomes_a_session_with_the_speaker_as_expert(
    network, manager, speaker, topic
):
    proposal = _propose(network, speaker, topic, duration_minutes=45)
    series = network_series_create(community=network, by=manager, title="Data Fridays")
    starts = timezone.now() + timedelta(days=3)

    session = proposal_accept(proposal=proposal, by=manager, series=series, starts_at=starts)

    assert list(session.experts.all()) == [speaker]
    assert session.series == series
    assert session.kind == Session.Kind.LUNCH
    assert session.ends_at - session.starts_at == timedelta(minutes=45)
    assert session.thread is not None  # the community thread of any scheduled session
    proposal.refresh_from_db()
    assert proposal.status == TalkProposal.Status.ACCEPTED
    assert proposal.session == session
    note = Notification.objects.get(recipient=speaker)
    assert note.url == session.get_absolute_url()


def test_declining_needs_a_note_and_tells_the_speaker(network, manager, speaker, topic):
    proposal = _propose(network, speaker, topic)
    with pytest.raises(ValidationError):
        proposal_decline(proposal=proposal, by=manager, note=" ")
    proposal_decline(proposal=proposal, by=manager, note="We had this topic last month.")
    proposal.refresh_from_db()
    assert proposal.status == TalkProposal.Status.DECLINED
    assert Notification.objects.get(recipient=speaker).body == "We had this topic last month."
    with pytest.raises(ValidationError):
        proposal_accept(
            proposal=proposal, by=manager, series=None, starts_at=timezone.now() + timedelta(1)
        )


def test_only_managers_decide_and_only_networks_take_proposals(network, manager, speaker, topic):
    proposal = _propose(network, speaker, topic)
    with pytest.raises(PermissionDenied):
        proposal_accept(
            proposal=proposal,
            by=speaker,
            series=None,
            starts_at=timezone.now() + timedelta(days=1),
        )
    practice = community_create(created_by=manager, name="Practice", purpose="x", topics=[topic])
    with pytest.raises(PermissionDenied):
        _propose(practice, speaker, topic)


def test_private_networks_take_proposals_from_members_only(
    private_network, speaker, topic, member_of
):
    with pytest.raises(PermissionDenied):
        _propose(private_network, speaker, topic)
    member_of(private_network, speaker)
    assert _propose(private_network, speaker, topic).pk


def test_proposals_wait_for_the_network_managers(network, manager, speaker, topic):
    _propose(network, speaker, topic)
    assert proposals_to_review(manager).count() == 1
    assert proposals_to_review(speaker).count() == 0


def test_the_speaker_sets_the_recording_link(network, manager, speaker, topic):
    proposal = _propose(network, speaker, topic)
    session = proposal_accept(
        proposal=proposal, by=manager, series=None, starts_at=timezone.now() + timedelta(days=1)
    )
    session_recording_set(session=session, by=speaker, url="https://video.example.org/42")
    session.refresh_from_db()
    assert session.recording_url == "https://video.example.org/42"
    with pytest.raises(PermissionDenied):
        session_recording_set(session=session, by=UserFactory(), url="https://x.example.org/")


def test_the_pages_of_a_proposal_journey(client, network, manager, speaker, topic):
    client.force_login(speaker)
    response = client.post(
        reverse("expertqa:propose", args=[network.slug]),
        {
            "title": "Graphs for everyone",
            "abstract": "A gentle start.",
            "topic": topic.pk,
            "duration_minutes": 30,
        },
    )
    proposal = TalkProposal.objects.get()
    assert response.status_code == 302
    assert client.get(proposal.get_absolute_url()).status_code == 200
    other = UserFactory()
    client.force_login(other)
    assert client.get(proposal.get_absolute_url()).status_code == 404
    client.force_login(manager)
    starts = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("expertqa:proposal_accept", args=[proposal.pk]),
        {"starts_at": starts, "duration_minutes": 30},
    )
    assert response.status_code == 302
    assert Session.objects.get().experts.get() == speaker


@pytest.mark.parametrize("n", [1, 12])
def test_the_network_page_costs_the_same_whatever_it_holds(
    client, django_assert_max_num_queries, network, manager, topic, n
):
    for i in range(n):
        _propose(network, UserFactory(), topic, title=f"Talk {i}")
    client.force_login(manager)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("expertqa:network", args=[network.slug]))
    assert response.status_code == 200


def test_a_second_decision_is_refused_with_a_word(client, network, manager, speaker, topic):
    proposal = _propose(network, speaker, topic)
    proposal_decline(proposal=proposal, by=manager, note="Not this term.")
    client.force_login(manager)
    response = client.post(
        reverse("expertqa:proposal_accept", args=[proposal.pk]),
        {"starts_at": "2099-01-01T12:00", "duration_minutes": 30},
    )
    assert response.status_code == 302
    assert not Session.objects.exists()
