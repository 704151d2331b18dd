from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from challenges.clock import local_instant
from communities.models import Community
from communities.services import community_create
from expertqa import selectors, services
from expertqa.models import Question, Session, Vote, org_today
from expertqa.selectors import (
    Record,
    board_for,
    board_record,
    expert_commitments,
    record_of,
    session_state,
)
from socialearn.insights.models import Activity, Scope
from socialearn.notifications.models import Notification
from socialearn.outbox.services import outbox_relay
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_session_lasts_one_hour_by_default(manager, community, topic, expert):
    starts = timezone.now() + timedelta(days=1)
    session = services.session_schedule(
        created_by=manager,
        title="Ask me",
        topic=topic,
        community=community,
        experts=[expert],
        starts_at=starts,
        invite=False,
    )
    assert session.ends_at - session.starts_at == timedelta(hours=1)
    assert session.moderator == manager
    assert session.thread.community == community  # the announcement community search finds
    assert Scope.objects.filter(kind="session", object_id=session.pk).exists()


def test_state_follows_the_clock_at_the_edges(make_session):
    session = make_session(starts_in=timedelta(hours=1))
    start, end = session.starts_at, session.ends_at
    second = timedelta(seconds=1)
    assert session_state(session, start - second) == Session.State.SCHEDULED
    assert session_state(session, start) == Session.State.OPEN
    assert session_state(session, end - second) == Session.State.OPEN
    assert session_state(session, end) == Session.State.KEPT  # nothing asked, nothing owed
    services.question_ask(session=session, author=session.created_by, body="Q?", now=start)
    assert session_state(session, end) == Session.State.CLOSED


def test_questions_are_taken_before_and_during_the_window(make_session, asker):
    session = make_session(starts_in=timedelta(hours=1))
    before = services.question_ask(
        session=session, author=asker, body="Early?", now=session.starts_at - timedelta(days=1)
    )
    last_second = services.question_ask(
        session=session,
        author=asker,
        body="Just in time?",
        now=session.ends_at - timedelta(seconds=1),
    )
    assert before.pk
    assert last_second.pk


def test_a_question_one_second_after_close_is_refused_with_a_clear_message(make_session, asker):
    session = make_session(starts_in=timedelta(hours=-2))
    with pytest.raises(ValidationError) as error:
        services.question_ask(
            session=session,
            author=asker,
            body="Too late?",
            now=session.ends_at + timedelta(seconds=1),
        )
    assert "no longer takes questions" in error.value.message_dict["body"][0]
    assert not Question.objects.exists()


def test_upvote_once_per_person(open_session, asker, member):
    question = services.question_ask(session=open_session, author=asker, body="Why?")
    assert services.vote_toggle(question=question, user=member) is True
    assert question.vote_count == 1
    assert services.vote_toggle(question=question, user=member) is False  # a toggle
    assert question.vote_count == 0
    services.vote_toggle(question=question, user=member)
    services.vote_toggle(question=question, user=asker)
    assert question.vote_count == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(question=question, user=member)


def test_deferred_question_needs_a_future_date(open_session, asker, expert):
    question = services.question_ask(session=open_session, author=asker, body="Roadmap?")
    today = org_today()
    for day in (today, today - timedelta(days=3)):
        with pytest.raises(ValidationError) as error:
            services.question_defer(question=question, by=expert, to=day, note="Checking")
        assert "date in the future" in error.value.message_dict["deferred_to"][0]
    services.question_defer(
        question=question, by=expert, to=today + timedelta(days=1), note="Checking"
    )
    question.refresh_from_db()
    assert question.deferred_to == today + timedelta(days=1)
    assert Activity.objects.filter(verb="session_deferred", object_id=question.pk).exists()


def test_only_the_sessions_experts_answer_or_defer(open_session, asker, member):
    question = services.question_ask(session=open_session, author=asker, body="Who?")
    with pytest.raises(PermissionDenied):
        services.answer_create(question=question, author=member, body="Me")
    with pytest.raises(PermissionDenied):
        services.question_defer(
            question=question, by=member, to=org_today() + timedelta(days=2), note="x"
        )


def test_the_record_counted_in_sql_agrees_with_each_questions_commitment(
    make_session, asker, expert
):
    session = make_session(starts_in=timedelta(hours=-2))
    ask_at = session.starts_at + timedelta(minutes=5)
    after = session.ends_at + timedelta(minutes=5)
    today = org_today()

    def ask(body):
        return services.question_ask(session=session, author=asker, body=body, now=ask_at)

    ask("Owed?")
    services.answer_create(question=ask("In time?"), author=expert, body="Yes", now=ask_at)
    services.answer_create(question=ask("Late?"), author=expert, body="Yes", now=after)
    Question.objects.filter(pk=ask("Ahead?").pk).update(deferred_to=today + timedelta(days=3))
    Question.objects.filter(pk=ask("Overdue?").pk).update(deferred_to=today - timedelta(days=1))
    delivered = ask("Delivered?")
    Question.objects.filter(pk=delivered.pk).update(deferred_to=today, answered_at=timezone.now())
    late = ask("Delivered late?")
    Question.objects.filter(pk=late.pk).update(
        deferred_to=today - timedelta(days=2), answered_at=timezone.now()
    )
    services.question_hide(question=ask("Off the board?"), by=session.moderator)
    session = Session.objects.get(pk=session.pk)

    questions = list(Question.objects.on_board().filter(session=session))
    for q in questions:
        q.session = session
    assert board_record(session, timezone.now()) == record_of(questions)
    # The record's SQL is written once; it counts as the ORM's expressions do.
    now = timezone.now()
    on_board = Question.objects.on_board().filter(session=session)
    counted = on_board.aggregate(**selectors._record_counts(now))
    assert board_record(session, now) == selectors._record_from(counted, session, now)
    assert board_record(session, timezone.now()) == Record(
        answered=1, answered_late=1, deferred=1, delivered=1, delivered_late=1, overdue=1, owed=1
    )
    board = board_for(session, asker, per_page=2)
    assert len(board.questions) == 2
    assert board.has_more
    assert board.total == 7
    assert [q.body for q in board.owed] == ["Owed?"]


def test_owed_questions_are_listed_after_close_and_sent_to_the_experts_inbox(
    make_session, asker, expert
):
    session = make_session(starts_in=timedelta(hours=-2))
    ask_at = session.starts_at + timedelta(minutes=5)
    owed = services.question_ask(session=session, author=asker, body="Owed?", now=ask_at)
    answered = services.question_ask(session=session, author=asker, body="Done?", now=ask_at)
    services.answer_create(question=answered, author=expert, body="Yes", now=ask_at)
    board = board_for(Session.objects.get(pk=session.pk), asker)
    assert [q.pk for q in board.owed] == [owed.pk]
    assert board.state == Session.State.CLOSED
    assert board.record.owed == 1
    assert board.record.answered == 1

    services.send_due_reminders()
    services.send_due_reminders()  # the clock may run twice
    notes = Notification.objects.filter(recipient=expert, kind="expertqa_owed")
    assert notes.count() == 1
    assert "1 question" in notes.get().title


def test_commitment_is_kept_once_every_question_is_answered_or_deferred(
    make_session, asker, expert
):
    session = make_session(starts_in=timedelta(hours=-2))
    at = session.starts_at + timedelta(minutes=1)
    q1 = services.question_ask(session=session, author=asker, body="One?", now=at)
    q2 = services.question_ask(session=session, author=asker, body="Two?", now=at)
    services.answer_create(question=q1, author=expert, body="Yes", now=at)
    assert session_state(session) == Session.State.CLOSED
    services.question_defer(question=q2, by=expert, to=org_today() + timedelta(days=3), note="n")
    assert session_state(session) == Session.State.KEPT


def test_reminder_task_sends_once_per_deferral(open_session, asker, expert):
    question = services.question_ask(session=open_session, author=asker, body="Later?")
    tomorrow = org_today() + timedelta(days=1)
    services.question_defer(question=question, by=expert, to=tomorrow, note="Need numbers")
    # A nudge: sent inside the expert's waking hours, delivered by the outbox.
    midday = local_instant(org_today(), time(12, 0), ZoneInfo(settings.TIME_ZONE))
    services.send_due_reminders(now=midday)
    services.send_due_reminders(now=midday)
    outbox_relay()
    reminders = Notification.objects.filter(recipient=expert, kind="expertqa_deferral_due")
    assert reminders.count() == 1
    # A new date is a new promise, with its own reminder.
    services.question_defer(
        question=question, by=expert, to=tomorrow + timedelta(days=10), note="Still checking"
    )
    services.send_due_reminders(now=midday)
    outbox_relay()
    assert reminders.count() == 1  # not due yet
    services.send_due_reminders(now=midday + timedelta(days=10))
    services.send_due_reminders(now=midday + timedelta(days=10))
    outbox_relay()
    assert reminders.count() == 2


def test_a_deferral_reminder_waits_for_the_experts_morning(open_session, asker, expert):
    expert.profile.time_zone = "Asia/Tokyo"
    expert.profile.save(update_fields=["time_zone"])
    question = services.question_ask(session=open_session, author=asker, body="Later?")
    due = org_today() + timedelta(days=2)
    services.question_defer(question=question, by=expert, to=due, note="Need numbers")
    tokyo = ZoneInfo("Asia/Tokyo")
    night = local_instant(org_today() + timedelta(days=1), time(2, 0), tokyo)
    morning = local_instant(org_today() + timedelta(days=1), time(8, 0), tokyo)

    assert services.send_due_reminders(now=night)["deferrals"] == 0
    assert services.send_due_reminders(now=morning)["deferrals"] == 1


def test_a_deferred_answer_posted_later_notifies_the_asker(make_session, asker, expert):
    session = make_session(starts_in=timedelta(hours=-2))
    question = services.question_ask(
        session=session, author=asker, body="Later?", now=session.starts_at
    )
    services.question_defer(
        question=question, by=expert, to=org_today() + timedelta(days=2), note="Checking"
    )
    services.answer_create(question=question, author=expert, body="Here it is")
    note = Notification.objects.get(recipient=asker, kind="expertqa_answered")
    assert "promised" in note.title
    question.refresh_from_db()
    question.session = session
    assert question.commitment() == Question.Commitment.DELIVERED
    answered = Activity.objects.get(verb="session_answered")
    assert answered.target_user == asker
    assert answered.session_id == session.pk
    assert answered.object_id == question.pk  # insights pairs answers with questions


def test_deferral_past_its_date_is_overdue_and_shows_in_the_expert_record(
    make_session, asker, expert
):
    session = make_session(starts_in=timedelta(hours=-2))
    question = services.question_ask(
        session=session, author=asker, body="Later?", now=session.starts_at
    )
    services.question_defer(
        question=question, by=expert, to=org_today() + timedelta(days=1), note="n"
    )
    later = timezone.now() + timedelta(days=3)
    question.refresh_from_db()
    assert question.commitment(later) == Question.Commitment.OVERDUE
    record = expert_commitments(expert, expert)
    assert record["total"].deferred == 1
    assert [q.pk for q in record["pending"]] == [question.pk]


def test_moderators_merge_duplicates_and_votes_carry_over(open_session, asker, member, manager):
    original = services.question_ask(session=open_session, author=asker, body="Spark or Flink?")
    duplicate = services.question_ask(session=open_session, author=member, body="Flink vs Spark?")
    voter = UserFactory()
    services.vote_toggle(question=duplicate, user=voter)
    services.vote_toggle(question=original, user=voter)  # already backs both: counted once
    services.vote_toggle(question=duplicate, user=manager)
    with pytest.raises(PermissionDenied):
        services.question_merge(duplicate=duplicate, into=original, by=member)
    services.question_merge(duplicate=duplicate, into=original, by=manager)
    original.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.status == Question.Status.MERGED
    assert original.vote_count == 3  # voter, manager and the duplicate's asker
    assert [q.pk for q in board_for(open_session, member).questions] == [original.pk]


def test_the_board_counts_the_duplicates_merged_into_each_question(
    open_session, asker, member, manager
):
    original = services.question_ask(session=open_session, author=asker, body="Spark or Flink?")
    other = services.question_ask(session=open_session, author=asker, body="Batch or stream?")
    for body in ("Flink vs Spark?", "Spark, Flink?"):
        duplicate = services.question_ask(session=open_session, author=member, body=body)
        services.question_merge(duplicate=duplicate, into=original, by=manager)
    counts = {q.pk: q.n_duplicates for q in board_for(open_session, member, per_page=10).questions}
    assert counts == {original.pk: 2, other.pk: 0}


def test_hidden_questions_leave_the_board_except_for_moderators(
    open_session, asker, member, manager
):
    question = services.question_ask(session=open_session, author=asker, body="Off topic")
    services.question_hide(question=question, by=manager)
    assert board_for(open_session, member).questions == []
    assert [q.pk for q in board_for(open_session, manager).hidden] == [question.pk]
    services.question_restore(question=question, by=manager)
    assert len(board_for(open_session, member).questions) == 1


def test_anonymous_questions_only_where_the_community_allows_them(
    manager, topic, make_session, asker
):
    strict = community_create(created_by=manager, name="Strict", purpose="No masks", topics=[topic])
    session = make_session(community=strict)
    with pytest.raises(ValidationError):
        services.question_ask(session=session, author=manager, body="Hm", is_anonymous=True)


def test_anonymous_asker_is_hidden_from_everyone_but_moderators(
    open_session, asker, member, expert, manager
):
    services.question_ask(session=open_session, author=asker, body="Secret", is_anonymous=True)
    for viewer in (member, expert, asker):
        (q,) = board_for(open_session, viewer).questions
        assert q.asker == "Anonymous"
    (q,) = board_for(open_session, manager).questions
    assert "Alex Asker" in q.asker


def test_every_board_change_bumps_the_version(open_session, asker, expert, manager):
    def version():
        return Session.objects.get(pk=open_session.pk).version

    start = version()
    question = services.question_ask(session=open_session, author=asker, body="Q")
    assert version() == start + 1
    services.answer_create(question=question, author=expert, body="A")
    assert version() == start + 2
    services.vote_toggle(question=question, user=manager)
    assert version() == start + 2  # votes reorder quietly


def test_question_asked_is_recorded_for_insights(open_session, asker):
    question = services.question_ask(session=open_session, author=asker, body="Q")
    activity = Activity.objects.get(verb="session_question_asked")
    assert activity.is_question
    assert activity.session_id == open_session.pk
    assert activity.object_id == question.pk


def test_private_sessions_take_questions_from_members_only(manager, topic, make_session):
    private = community_create(
        created_by=manager,
        name="Secret squad",
        purpose="Private",
        visibility=Community.Visibility.PRIVATE,
        topics=[topic],
    )
    session = make_session(community=private)
    with pytest.raises(PermissionDenied):
        services.question_ask(session=session, author=UserFactory(), body="Let me in")


def test_session_figures_are_open_to_its_moderator_experts_and_community_managers(
    open_session, expert, manager, member
):
    from socialearn.insights.access import can_view

    assert can_view(expert, "session", open_session.pk)
    assert can_view(manager, "session", open_session.pk)
    assert not can_view(member, "session", open_session.pk)


def test_the_periodic_task_is_the_clock_entry_point(make_session, member):
    from expertqa.tasks import send_due_reminders

    make_session(starts_in=timedelta(minutes=5))
    result = send_due_reminders()
    assert result["reminded"] == 1
    assert send_due_reminders()["reminded"] == 0


@pytest.mark.worker
def test_a_real_worker_sends_the_invitations_after_scheduling(
    celery_worker_process, manager, community, topic, expert, member
):
    import time

    session = services.session_schedule(
        created_by=manager,
        title="Ask the worker",
        topic=topic,
        community=community,
        experts=[expert],
        starts_at=timezone.now() + timedelta(days=1),
    )
    invited = Notification.objects.filter(kind="expertqa_invited", recipient=member)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not invited.exists():
        time.sleep(0.2)
    assert invited.count() == 1
    session.refresh_from_db()
    assert session.invited_at is not None
