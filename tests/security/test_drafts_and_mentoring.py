"""Drafts are their authors' own; unrecorded mentoring stores and shows no conversation;
other people's mentoring requests and matches stay between the people involved."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from challenges.models import Step
from communities.models import Thread
from communities.services import thread_create
from expertqa.services import session_schedule
from mentoring.models import COORDINATOR_GROUP, AdhocVolunteer, Enrolment, Match, Meeting
from socialearn.notifications.models import Notification
from socialearn.notifications.services import topic_follow
from tests.factories import UserFactory

from .conftest import SECRET


def test_a_draft_challenge_is_only_its_designers(client, world):
    """Rule (challenges:list, :detail, :participant, :scoreboard, :edit): a draft challenge is
    invisible to members of its community until published."""
    ch = world.draft_challenge
    client.force_login(world.member)
    assert ch.title not in client.get(reverse("challenges:list")).content.decode()
    for name in ("challenges:detail", "challenges:participant", "challenges:scoreboard"):
        assert client.get(reverse(name, args=[ch.pk])).status_code == 404, name
    assert client.get(reverse("challenges:edit", args=[ch.pk])).status_code in (403, 404)
    assert client.post(reverse("challenges:join", args=[ch.pk])).status_code in (403, 404)
    client.force_login(world.manager)
    assert client.get(reverse("challenges:detail", args=[ch.pk])).status_code == 200


def test_an_unreleased_step_waits_for_its_release(client, world):
    """Rule (challenges:step): a step not yet posted by the clock is 404 to participants and
    visible to the designer for preview."""
    step = world.private_step
    assert not Step.objects.get(pk=step.pk).is_posted
    url = reverse("challenges:step", args=[world.private_challenge.pk, step.pk])
    client.force_login(world.member)
    assert client.get(url).status_code == 404
    client.force_login(world.manager)
    assert client.get(url).status_code == 200


def test_queued_flow_items_are_the_curators(client, world):
    """Rule (challenges:flow, challenges:flow_item, challenges:flows): a flow's queue and its
    items not yet posted are for its curator and the community's managers only."""
    client.force_login(world.member)
    assert client.get(reverse("challenges:flow", args=[world.private_flow.pk])).status_code == 404
    url = reverse("challenges:flow_item", args=[world.private_flow.pk, world.private_item.pk])
    assert client.get(url).status_code == 404
    assert world.private_item.title not in client.get(reverse("challenges:flows")).content.decode()
    client.force_login(world.manager)
    assert client.get(url).status_code == 200


def test_a_proposed_match_is_not_shown_to_the_pair_before_publication(client, world):
    """Rule (mentoring:match, mentoring:mine): a proposed match is the coordinators' draft."""
    mentor = Enrolment.objects.create(
        programme=world.programme, user=world.outsider, role=Enrolment.Role.MENTOR
    )
    protege = Enrolment.objects.create(
        programme=world.programme, user=world.hidden, role=Enrolment.Role.PROTEGE
    )
    match = Match.objects.create(
        programme=world.programme, mentor=mentor, protege=protege, status=Match.Status.PROPOSED
    )
    for person in (world.outsider, world.hidden):
        client.force_login(person)
        assert client.get(reverse("mentoring:match", args=[match.pk])).status_code == 404
        mine = client.get(reverse("mentoring:mine")).content.decode()
        other = world.hidden if person == world.outsider else world.outsider
        assert other.profile.display_name not in mine


def test_other_peoples_matches_are_not_found(client, world):
    """Rule (mentoring:match and its actions): only the mentor and the protégé see a match."""
    client.force_login(world.outsider)
    m = world.match
    assert client.get(reverse("mentoring:match", args=[m.pk])).status_code == 404
    for name in ("mentoring:accept", "mentoring:decline", "mentoring:complete"):
        assert client.post(reverse(name, args=[m.pk])).status_code == 404, name
    assert (
        client.post(
            reverse("mentoring:meeting_add", args=[m.pk]), {"met_on": "2026-01-05"}
        ).status_code
        == 404
    )
    assert client.get(reverse("mentoring:export", args=[world.programme.pk])).status_code == 403
    assert client.get(reverse("mentoring:coordinate", args=[world.programme.pk])).status_code == 403


def test_unrecorded_programme_stores_and_shows_no_notes(client, world, django_user_model):
    """Rule (mentoring:meeting_add, mentoring:match, mentoring:export, admin): an offline,
    unrecorded programme keeps the date of a meeting, never what was said."""
    client.force_login(world.member)
    url = reverse("mentoring:meeting_add", args=[world.match.pk])
    client.post(url, {"met_on": timezone.localdate().isoformat(), "notes": "We spoke of pay"})
    meeting = Meeting.objects.get(match=world.match)
    assert meeting.notes == ""
    page = client.get(reverse("mentoring:match", args=[world.match.pk])).content.decode()
    assert "We spoke of pay" not in page
    assert 'name="notes"' not in page
    # Even a note that reached the table some other way never shows.
    Meeting.objects.filter(pk=meeting.pk).update(notes="Smuggled note")
    assert (
        "Smuggled note"
        not in client.get(reverse("mentoring:match", args=[world.match.pk])).content.decode()
    )
    client.force_login(world.lnd)
    csv_text = client.get(reverse("mentoring:export", args=[world.programme.pk])).content.decode()
    assert "Smuggled note" not in csv_text
    assert "reasons" not in csv_text.splitlines()[0]
    admin = django_user_model.objects.create_superuser(
        username="root@example.com", email="root@example.com", password="x-long-password"
    )
    client.force_login(admin)
    for admin_url in (
        reverse("admin:mentoring_meeting_changelist"),
        reverse("admin:mentoring_meeting_change", args=[meeting.pk]),
    ):
        response = client.get(admin_url)
        assert response.status_code == 200
        assert "Smuggled note" not in response.content.decode()


def test_a_request_for_a_mentor_is_seen_only_by_those_it_was_sent_to(client, world):
    """Rule (mentoring:adhoc, mentoring:adhoc_help): someone's request for a mentor is shown
    to them, to the willing mentors it went to, to its helper and to coordinators; others get
    404 and cannot answer it."""
    ask = world.adhoc
    url = reverse("mentoring:adhoc", args=[ask.pk])
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    assert client.post(reverse("mentoring:adhoc_help", args=[ask.pk])).status_code == 404
    ask.refresh_from_db()
    assert ask.helper_id is None
    client.force_login(world.member)
    assert client.get(url).status_code == 200
    AdhocVolunteer.objects.create(user=world.outsider, topic=ask.topic)
    client.force_login(world.outsider)
    response = client.get(url)
    assert response.status_code == 200
    assert "Private worry about pay" in response.content.decode()
    coordinator = UserFactory()
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATOR_GROUP)[0])
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    staff_only = UserFactory(is_staff=True)
    client.force_login(staff_only)
    assert client.get(url).status_code == 404


def test_followers_outside_a_private_community_hear_nothing_of_it(
    world, django_capture_on_commit_callbacks
):
    """Rule (notifications): a help request or session invitation in a private community never
    reaches topic followers who are not its members, and an @mention of an outsider there
    sends nothing."""
    topic_follow(user=world.outsider, topic=world.topic)
    with django_capture_on_commit_callbacks(execute=True):
        thread_create(
            community=world.private,
            author=world.member,
            kind=Thread.Kind.HELP,
            title=f"{SECRET} help needed",
            body="Please help @olly",
            topics=[world.topic],
        )
        now = timezone.now()
        session_schedule(
            created_by=world.manager,
            title=f"{SECRET} invitation",
            topic=world.topic,
            community=world.private,
            experts=[world.manager],
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=1),
            invite=True,
        )
    for title, body in Notification.objects.filter(recipient=world.outsider).values_list(
        "title", "body"
    ):
        assert SECRET not in title
        assert SECRET not in body
    assert Notification.objects.filter(recipient=world.member, title__contains=SECRET).exists() or (
        Notification.objects.filter(title__contains=SECRET).exists()
    )


def test_coordinator_group_only_sees_requests_as_coordinators(client, world):
    """Rule (mentoring:adhoc): the coordinators' group may follow up every request."""
    coordinator = UserFactory()
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATOR_GROUP)[0])
    client.force_login(coordinator)
    assert client.get(reverse("mentoring:adhoc", args=[world.adhoc.pk])).status_code == 200


def test_answering_an_unreleased_step_does_not_show_it(client, world):
    """Rule (challenges:answer, challenges:done): posting to a step not yet released is 404 and
    never renders its prompt, as a page or an htmx partial."""
    from challenges.models import Participant

    step = world.private_step
    Step.objects.filter(pk=step.pk).update(prompt_html="<p>Unreleased prompt words</p>")
    Participant.objects.create(
        challenge=world.private_challenge, user=world.member, joined_at=timezone.now()
    )
    client.force_login(world.member)
    for name in ("challenges:answer", "challenges:done"):
        url = reverse(name, args=[world.private_challenge.pk, step.pk])
        for headers in ({}, {"HX-Request": "true"}):
            response = client.post(url, {"body": ""}, headers=headers)
            assert response.status_code == 404, (name, headers)
            assert "Unreleased prompt words" not in response.content.decode()


def test_leaving_a_private_community_stops_its_challenge_notifications(world):
    """Rule (notifications, audience "challenge_participants"): a participant who left the
    private community hears no more of its challenge's steps."""
    from challenges.audiences import challenge_participants
    from challenges.models import Participant
    from communities.services import membership_leave

    Participant.objects.create(
        challenge=world.private_challenge, user=world.member, joined_at=timezone.now()
    )
    ids = lambda: set(  # noqa: E731
        challenge_participants(challenge_id=world.private_challenge.pk).values_list(
            "user_id", flat=True
        )
    )
    assert world.member.pk in ids()
    membership_leave(community=world.private, user=world.member)
    assert world.member.pk not in ids()


def test_a_relative_flow_item_is_read_once_it_reached_the_member(client, world):
    """Rule (challenges:flow_item): an item of a relative flow not yet delivered to a member
    (nor posted) is 404 to them; once in their inbox they may open it."""
    from challenges.models import Flow, FlowItem
    from socialearn.notifications.services import notify

    flow = Flow.objects.create(
        name="Welcome drip", community=world.public, curator=world.manager, mode="relative"
    )
    item = FlowItem.objects.create(flow=flow, position=1, title="Day 30 secret", day_offset=30)
    url = reverse("challenges:flow_item", args=[flow.pk, item.pk])
    client.force_login(world.member)
    assert client.get(url).status_code == 404
    notify(
        recipients=[world.member],
        kind="flow_item",
        title=item.title,
        url=url,
        dedupe_key=f"flow-item:{item.pk}",
    )
    assert client.get(url).status_code == 200
    client.force_login(world.hidden)
    assert client.get(url).status_code == 404


def test_search_finds_no_draft_unreleased_step_queued_item_or_unrecorded_mentoring(client, world):
    """Rule (search, search_suggest): a draft challenge, a step the clock has not released, a
    flow item not yet posted and anything of mentoring (unrecorded programmes' requests and
    meetings) are never found, even by a member of the community."""
    client.force_login(world.member)
    for q in ("unfinished draft", "step", "item", "worry", "quiet", "pay"):
        for name in ("search", "search_suggest"):
            text = client.get(reverse(name), {"q": q}).content.decode()
            text = text.split("</header>", 1)[-1]
            assert "Unfinished draft challenge" not in text, (name, q)
            assert f"{SECRET} step" not in text, (name, q)
            assert f"{SECRET} item" not in text, (name, q)
            assert "Private worry about pay" not in text, (name, q)
            assert "Quiet mentoring" not in text, (name, q)
    client.force_login(world.manager)  # control: the designer finds their draft
    text = client.get(reverse("search"), {"q": "Unfinished draft"}).content.decode()
    assert "Unfinished draft challenge" in text.replace("<mark>", "").replace("</mark>", "")
