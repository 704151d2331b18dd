"""Editing, rescheduling and cancelling a session; sessions added in the admin; the record
a finished session leaves in its community."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from communities.services import membership_join
from expertqa import services
from expertqa.models import Question, Session
from socialearn.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _local_minute(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _edit_data(session, **changes):
    data = {
        "title": session.title,
        "description": session.description,
        "experts": ", ".join(e.email for e in session.experts.all()),
        "starts_at": _local_minute(session.starts_at),
        "duration": session.duration_minutes,
    }
    data.update(changes)
    return data


def _calendar_event(content: bytes):
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


@pytest.fixture
def invited_session(make_session, member, mailoutbox):
    """A session two days ahead whose invitations (and their emails) have gone out."""
    session = make_session(starts_in=timedelta(days=2), invite=True)
    Session.objects.filter(pk=session.pk).update(invited_at=None)
    services.session_send_invitations(session_id=session.pk)
    mailoutbox.clear()
    session.refresh_from_db()
    return session


# --- editing and rescheduling -----------------------------------------------------------------


def test_an_edit_that_keeps_the_window_is_not_a_reschedule(
    client, invited_session, manager, member, expert, mailoutbox, django_capture_on_commit_callbacks
):
    second = UserFactory(profile__display_name="Sam Second")
    client.force_login(manager)
    data = _edit_data(
        invited_session,
        title="Ask the data platform team anything",
        description="Bring **pipelines**.",
        experts=f"{expert.email}, {second.email}",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("expertqa:edit", args=[invited_session.pk]), data)
    assert response.status_code == 302
    session = Session.objects.get(pk=invited_session.pk)
    assert session.title == "Ask the data platform team anything"
    assert "<strong>pipelines</strong>" in session.description_html
    assert set(session.experts.all()) == {expert, second}
    assert session.sequence == 0
    assert (session.starts_at, session.ends_at) == (
        invited_session.starts_at,
        invited_session.ends_at,
    )
    assert not Notification.objects.filter(kind="expertqa_rescheduled").exists()
    assert mailoutbox == []
    session.thread.refresh_from_db()
    assert session.thread.title.endswith("Ask the data platform team anything")
    assert "Sam Second" in session.thread.body


def test_rescheduling_tells_the_invited_again_with_a_higher_calendar_sequence(
    client,
    invited_session,
    manager,
    member,
    mailoutbox,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    client.force_login(manager)
    new_start = timezone.localtime(invited_session.starts_at + timedelta(days=1, hours=2))
    data = _edit_data(invited_session, starts_at=new_start.strftime("%Y-%m-%dT%H:%M"), duration=90)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("expertqa:edit", args=[invited_session.pk]), data)
    assert response.status_code == 302
    session = Session.objects.get(pk=invited_session.pk)
    assert session.starts_at == new_start.replace(second=0, microsecond=0)
    assert session.ends_at - session.starts_at == timedelta(minutes=90)
    assert session.sequence == 1
    assert session.reminded_at is None  # reminded again before the new start
    moved = Notification.objects.get(recipient=member, kind="expertqa_rescheduled")
    assert moved.title.startswith(f"Moved: {session.title}, now ")
    assert moved.url == session.get_absolute_url()
    emails = [m for m in mailoutbox if m.to == [member.email]]
    assert len(emails) == 1
    _, event = _calendar_event(emails[0].attachments[0][1])
    assert event.decoded("SEQUENCE") == 1
    assert event.decoded("DTSTART") == session.starts_at
    assert str(event["UID"]) == f"expertqa-session-{session.pk}@127.0.0.1"  # the same event
    # The calendar file on the page carries the new sequence too.
    client.force_login(member)
    page_file = client.get(reverse("expertqa:calendar", args=[session.pk])).content
    assert _calendar_event(page_file)[1].decoded("SEQUENCE") == 1
    # Sent once: the task run again for the same change adds nothing.
    services.session_send_change(session_id=session.pk, change="rescheduled", sequence=1)
    assert Notification.objects.filter(recipient=member, kind="expertqa_rescheduled").count() == 1
    assert len([m for m in mailoutbox if m.to == [member.email]]) == 1


def test_a_rescheduled_session_earns_a_new_reminder(make_session, manager, member):
    session = make_session(starts_in=timedelta(minutes=10))
    services.send_due_reminders()
    assert Notification.objects.filter(recipient=member, kind="expertqa_reminder").count() == 1
    later = timezone.now() + timedelta(minutes=5)
    services.session_update(
        session=session,
        by=manager,
        title=session.title,
        description="",
        experts=session.experts.all(),
        starts_at=later,
        ends_at=later + timedelta(hours=1),
    )
    services.send_due_reminders()
    services.send_due_reminders()
    assert Notification.objects.filter(recipient=member, kind="expertqa_reminder").count() == 2


def test_a_reschedule_needs_a_window_in_the_future(make_session, manager, expert):
    session = make_session(starts_in=timedelta(days=1))
    past = timezone.now() - timedelta(hours=2)
    with pytest.raises(ValidationError) as error:
        services.session_update(
            session=session,
            by=manager,
            title=session.title,
            description="",
            experts=[expert],
            starts_at=past,
            ends_at=past + timedelta(hours=1),
        )
    assert error.value.message_dict["starts_at"] == ["Choose a start time in the future."]


def test_a_closed_session_keeps_its_window_but_its_words_can_be_corrected(
    client, make_session, manager, expert
):
    session = make_session(starts_in=timedelta(hours=-3))
    with pytest.raises(ValidationError) as error:
        services.session_update(
            session=session,
            by=manager,
            title=session.title,
            description="",
            experts=[expert],
            starts_at=timezone.now() + timedelta(days=1),
            ends_at=timezone.now() + timedelta(days=1, hours=1),
        )
    assert "can no longer move" in error.value.message_dict["starts_at"][0]
    client.force_login(manager)
    url = reverse("expertqa:edit", args=[session.pk])
    page = client.get(url).content.decode()
    assert "The session has closed: its window stays." in page
    assert "Cancel the session" not in page
    data = _edit_data(session, title="Ask the data team (typo fixed)")
    assert client.post(url, data).status_code == 302
    session.refresh_from_db()
    assert session.title == "Ask the data team (typo fixed)"
    assert session.sequence == 0


def test_the_edit_form_explains_its_mistakes(client, invited_session, manager):
    client.force_login(manager)
    url = reverse("expertqa:edit", args=[invited_session.pk])
    response = client.post(
        url,
        _edit_data(invited_session, title="", experts="nobody@example.com", duration=5),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give the session a title." in html
    assert "Nobody here has the address nobody@example.com." in html
    assert "Ensure this value is greater than or equal to 10." in html
    past = timezone.now() - timedelta(days=1)
    response = client.post(url, _edit_data(invited_session, starts_at=_local_minute(past)))
    assert "Choose a start time in the future." in response.content.decode()
    invited_session.refresh_from_db()
    assert invited_session.sequence == 0


def test_only_the_moderator_and_community_managers_may_edit_or_cancel(
    client, make_session, manager, member, expert, asker
):
    session = make_session(starts_in=timedelta(days=1), moderator=asker)
    edit = reverse("expertqa:edit", args=[session.pk])
    cancel = reverse("expertqa:cancel", args=[session.pk])
    for outsider in (member, expert):
        client.force_login(outsider)
        assert client.get(edit).status_code == 403
        assert client.post(cancel, {"note": "no"}).status_code == 403
        assert (
            "Edit, reschedule or cancel"
            not in client.get(session.get_absolute_url()).content.decode()
        )
    with pytest.raises(PermissionDenied):
        services.session_cancel(session=session, by=expert)
    for allowed in (asker, manager):  # the moderator, and a manager who is not the moderator
        client.force_login(allowed)
        assert client.get(edit).status_code == 200
        assert (
            "Edit, reschedule or cancel" in client.get(session.get_absolute_url()).content.decode()
        )
    session.refresh_from_db()
    assert session.cancelled_at is None


def test_a_private_sessions_edit_page_is_not_found_for_non_members(client, manager, topic):
    from communities.services import community_create

    private = community_create(
        created_by=manager, name="Leads", purpose="Private", visibility="private", topics=[topic]
    )
    session = services.session_schedule(
        created_by=manager,
        title="Private session",
        topic=topic,
        community=private,
        experts=[manager],
        starts_at=timezone.now() + timedelta(days=1),
        invite=False,
    )
    client.force_login(UserFactory())
    assert client.get(reverse("expertqa:edit", args=[session.pk])).status_code == 404
    assert client.post(reverse("expertqa:cancel", args=[session.pk])).status_code == 404


# --- cancelling -------------------------------------------------------------------------------


def test_cancelling_tells_the_invited_and_closes_the_board_with_a_clear_message(
    client,
    invited_session,
    manager,
    member,
    expert,
    mailoutbox,
    celery_eager,
    django_capture_on_commit_callbacks,
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("expertqa:cancel", args=[invited_session.pk]),
            {"note": "Erin is ill; we will find a new date."},
        )
    assert response.status_code == 302
    session = Session.objects.get(pk=invited_session.pk)
    assert session.cancelled_at is not None
    assert session.cancelled_by == manager
    assert session.sequence == 1
    told = Notification.objects.filter(kind="expertqa_cancelled")
    assert {member.pk, expert.pk} <= set(told.values_list("recipient_id", flat=True))
    assert manager.pk not in set(told.values_list("recipient_id", flat=True))
    note = told.get(recipient=member)
    assert note.title.startswith(f"Cancelled: {session.title}")
    assert note.body == "Erin is ill; we will find a new date."
    (email,) = [m for m in mailoutbox if m.to == [member.email]]
    calendar, event = _calendar_event(email.attachments[0][1])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.decoded("SEQUENCE") == 1
    # The board refuses questions and votes with a clear message.
    with pytest.raises(ValidationError) as error:
        services.question_ask(session=session, author=member, body="Still on?")
    assert error.value.message_dict["body"][0].startswith("This session was cancelled")
    client.force_login(member)
    response = client.post(reverse("expertqa:ask", args=[session.pk]), {"body": "Still on?"})
    html = response.content.decode()
    assert "This session was cancelled; it no longer takes questions." in html
    assert "Erin is ill" in html
    assert not Question.objects.filter(session=session).exists()
    # The listing shows it as cancelled, and the community thread says so.
    listing = client.get(reverse("expertqa:list")).content.decode()
    card = listing[listing.index(session.title) :]
    assert "eqa-state-cancelled" in card[:800]
    assert "Cancelled" in card[:800]
    session.thread.refresh_from_db()
    assert session.thread.title.startswith("Cancelled: ")
    assert "This session was cancelled. Erin is ill" in session.thread.body


def test_a_cancelled_session_is_not_reminded_invited_or_settled_by_the_clock(
    make_session, manager, member, expert
):
    soon = make_session(starts_in=timedelta(minutes=10), invite=True)
    Session.objects.filter(pk=soon.pk).update(invited_at=None)
    services.question_ask(session=soon, author=member, body="Ahead of time?")
    services.session_cancel(session=soon, by=manager)
    services.send_due_reminders()
    services.send_due_reminders(now=soon.ends_at + timedelta(minutes=1))
    kinds = set(Notification.objects.filter(recipient=member).values_list("kind", flat=True))
    assert not kinds & {"expertqa_invited", "expertqa_reminder"}
    assert not Notification.objects.filter(kind="expertqa_owed").exists()
    # Nobody was invited yet, so only the panel hears of the cancellation.
    assert not Notification.objects.filter(recipient=member, kind="expertqa_cancelled").exists()


def test_a_session_cannot_be_cancelled_twice_or_after_it_took_place(client, make_session, manager):
    past = make_session(starts_in=timedelta(hours=-3))
    with pytest.raises(ValidationError, match="already taken place"):
        services.session_cancel(session=past, by=manager)
    upcoming = make_session(starts_in=timedelta(days=1))
    services.session_cancel(session=upcoming, by=manager)
    client.force_login(manager)
    response = client.post(reverse("expertqa:cancel", args=[upcoming.pk]), follow=True)
    assert "This session is already cancelled." in response.content.decode()
    page = client.get(reverse("expertqa:edit", args=[upcoming.pk])).content.decode()
    assert "This session was cancelled" in page
    assert "Save changes" not in page


def test_an_open_board_hears_of_the_cancellation(client, open_session, manager, member):
    client.force_login(member)
    html = client.get(reverse("expertqa:detail", args=[open_session.pk])).content.decode()
    start = html.index(reverse("expertqa:changes", args=[open_session.pk]))
    poll = html[start : html.index('"', start)].replace("&amp;", "&")
    services.session_cancel(session=open_session, by=manager)
    response = client.get(poll, **HTMX)
    assert "This session was cancelled" in response.content.decode()
    page = client.get(reverse("expertqa:detail", args=[open_session.pk])).content.decode()
    assert reverse("expertqa:changes", args=[open_session.pk]) not in page  # no more polling
    assert "This session was cancelled" in page


def test_the_edit_page_runs_a_fixed_number_of_queries_whatever_the_panel(
    client, make_session, manager, community, django_assert_max_num_queries
):
    small = make_session(starts_in=timedelta(days=1))
    panel = UserFactory.create_batch(12)
    for person in panel:
        membership_join(community=community, user=person)
    large = make_session(starts_in=timedelta(days=1), experts=panel)
    client.force_login(manager)
    with django_assert_max_num_queries(20) as captured:
        assert client.get(reverse("expertqa:edit", args=[small.pk])).status_code == 200
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert client.get(reverse("expertqa:edit", args=[large.pk])).status_code == 200


# --- the admin --------------------------------------------------------------------------------


def test_a_session_added_in_the_admin_gets_its_thread_and_invitations(
    client,
    community,
    topic,
    expert,
    member,
    django_capture_on_commit_callbacks,
    celery_eager,
):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    starts = timezone.localtime(timezone.now() + timedelta(days=2)).replace(microsecond=0)
    ends = starts + timedelta(hours=1)
    data = {
        "title": "Added by L&D",
        "topic": topic.pk,
        "description": "From the *admin*.",
        "community": community.pk,
        "kind": "ask",
        "series": "",
        "experts": [expert.pk],
        "moderator": "",
        "starts_at_0": starts.strftime("%Y-%m-%d"),
        "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.strftime("%Y-%m-%d"),
        "ends_at_1": ends.strftime("%H:%M:%S"),
        "thread": "",
        "created_by": "",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:expertqa_session_add"), data)
    assert response.status_code == 302
    session = Session.objects.get(title="Added by L&D")
    assert session.thread is not None
    assert session.thread.community == community
    assert "Added by L&D" in session.thread.title
    assert session.created_by == admin
    assert session.moderator == admin
    assert list(session.experts.all()) == [expert]
    assert "<em>admin</em>" in session.description_html
    assert session.invited_at is not None
    assert Notification.objects.filter(recipient=member, kind="expertqa_invited").exists()
    assert Session.objects.count() == 1


def test_the_admin_refuses_a_series_of_another_community(client, community, topic, expert, manager):
    from communities.services import community_create

    other = community_create(created_by=manager, name="Elsewhere", purpose="x", topics=[topic])
    series = services.series_create(title="Other Fridays", community=other)
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    starts = timezone.localtime(timezone.now() + timedelta(days=2))
    response = client.post(
        reverse("admin:expertqa_session_add"),
        {
            "title": "Mismatch",
            "topic": topic.pk,
            "community": community.pk,
            "kind": "lunch",
            "series": series.pk,
            "experts": [expert.pk],
            "moderator": manager.pk,
            "starts_at_0": starts.strftime("%Y-%m-%d"),
            "starts_at_1": "12:00:00",
            "ends_at_0": starts.strftime("%Y-%m-%d"),
            "ends_at_1": "13:00:00",
            "questions-TOTAL_FORMS": "0",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "This series belongs to another community." in response.content.decode()
    assert not Session.objects.filter(title="Mismatch").exists()


# --- the record -------------------------------------------------------------------------------


def test_the_finished_session_leaves_its_questions_and_answers_in_the_community_thread(
    make_session, manager, asker, member, expert
):
    session = make_session(starts_in=timedelta(hours=-2), duration=timedelta(hours=1))
    during = session.starts_at + timedelta(minutes=5)
    answered = services.question_ask(
        session=session, author=asker, body="How do we replay a Kafka topic?", now=during
    )
    services.answer_create(
        question=answered,
        author=expert,
        body="Reset the consumer group offsets to the earliest position.",
        now=during,
    )
    deferred = services.question_ask(
        session=session,
        author=member,
        body="What is the retention on the audit stream?",
        is_anonymous=True,
        now=during,
    )
    services.question_defer(
        question=deferred,
        by=expert,
        to=timezone.localdate() + timedelta(days=3),
        note="Checking with security",
        now=during,
    )
    off_topic = services.question_ask(
        session=session, author=asker, body="Lunch plans for zebrafish day?", now=during
    )
    services.question_hide(question=off_topic, by=manager)

    services.send_due_reminders()

    thread = session.thread
    thread.refresh_from_db()
    assert "How do we replay a Kafka topic?" in thread.body
    assert "Reset the consumer group offsets" in thread.body
    assert "Erin Expert" in thread.body
    assert "will answer by" in thread.body
    assert "Checking with security" in thread.body
    assert "zebrafish" not in thread.body  # hidden questions stay out
    assert "Morgan Member" not in thread.body  # askers are never named (some are anonymous)
    assert "Alex Asker" not in thread.body
    # Community search finds the session by what was answered in it.
    from socialearn.people.search import search

    hits = search(member, "consumer group offsets", kind="threads")[1][0].hits
    assert [hit.url for hit in hits] == [thread.get_absolute_url()]
    # A deferred answer delivered later joins the record.
    services.answer_create(
        question=deferred, author=expert, body="Ninety days for the audit stream."
    )
    thread.refresh_from_db()
    assert "Ninety days for the audit stream." in thread.body


def test_the_session_list_search_finds_answer_text(client, make_session, asker, expert):
    session = make_session(title="Platform hour", starts_in=timedelta(days=-2))
    question = services.question_ask(
        session=session, author=asker, body="Which broker version?", now=session.starts_at
    )
    services.answer_create(
        question=question,
        author=expert,
        body="We run the zookeeperless build.",
        now=session.starts_at,
    )
    make_session(title="Unrelated hour", starts_in=timedelta(days=-3))
    client.force_login(asker)
    html = client.get(reverse("expertqa:list"), {"q": "zookeeperless"}).content.decode()
    assert "Platform hour" in html
    assert "Unrelated hour" not in html
