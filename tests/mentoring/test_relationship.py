"""After the match: the agreement, goals, scheduled meetings with invitations, notes,
check-in surveys on the clock, the end of the commitment, and the protégé turned mentor."""

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from mentoring import selectors, services
from mentoring.models import Agreement, CheckIn, Enrolment, Goal, Match, MatchNote, Meeting
from mentoring.relationship import services as rel
from socialearn.insights.models import Activity
from socialearn.notifications.models import Notification
from socialearn.outbox.services import outbox_relay
from tests.factories import UserFactory

from .conftest import MENTOR, PROTEGE

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def make_pair(make_programme, enrol, topics):
    def make(**programme_fields):
        programme = make_programme(matching_mode="self_service", **programme_fields)
        mentor = enrol(
            programme,
            MENTOR,
            topics[:2],
            user=UserFactory(profile__display_name="Mo Mentor", profile__time_zone="Asia/Tokyo"),
        )
        protege = enrol(
            programme,
            PROTEGE,
            topics[:2],
            user=UserFactory(
                profile__display_name="Pat Protégé", profile__time_zone="America/New_York"
            ),
            goals="Lead my first team meetings\nGive hard feedback",
        )
        match = services.match_request(protege=protege, mentor=mentor, user=protege.user)
        return services.match_accept(match=match, user=mentor.user)

    return make


@pytest.fixture
def pair(make_pair):
    return make_pair()


def _sides(match):
    return match.mentor.user, match.protege.user


def _in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


# The agreement.


def test_a_started_match_gets_an_agreement_prefilled_from_the_programme(pair):
    agreement = Agreement.objects.get(match=pair)
    assert agreement.frequency == Agreement.Frequency.FORTNIGHTLY  # "every two weeks"
    assert agreement.weeks == 12
    assert agreement.ends_on == timezone.localdate(pair.started_at) + dt.timedelta(weeks=12)
    assert not agreement.is_agreed


def test_the_agreement_holds_once_both_confirm_and_a_change_asks_again(pair):
    mentor, protege = _sides(pair)
    terms = {"frequency": "fortnightly", "mode": "video", "meeting_minutes": 60, "weeks": 12}
    rel.agreement_update(match=pair, user=mentor, **terms)
    agreement = rel.agreement_update(match=pair, user=protege, **terms)
    assert agreement.is_agreed
    changed = rel.agreement_update(match=pair, user=protege, **{**terms, "weeks": 16})
    assert not changed.is_agreed
    assert changed.protege_agreed_at
    assert not changed.mentor_agreed_at
    assert changed.ends_on == timezone.localdate(pair.started_at) + dt.timedelta(weeks=16)
    assert Notification.objects.filter(recipient=mentor, kind="mentoring_agreement").exists()


# Goals.


def test_goal_lifecycle_from_progressing_to_achieved(pair):
    mentor, protege = _sides(pair)
    goal = rel.goal_add(
        match=pair,
        user=protege,
        title="Lead my first team meetings",
        target_on=_in_days(30),
    )
    assert goal.status == Goal.Status.PROGRESSING
    assert Notification.objects.filter(recipient=mentor, kind="mentoring_goal").count() == 1
    achieved = rel.goal_set_status(goal=goal, user=mentor, status=Goal.Status.ACHIEVED)
    assert achieved.status == Goal.Status.ACHIEVED
    assert achieved.achieved_at
    back = rel.goal_set_status(goal=goal, user=mentor, status=Goal.Status.PROGRESSING)
    assert back.achieved_at is None
    verbs = list(Activity.objects.filter(object_type="goal").values_list("verb", flat=True))
    assert sorted(verbs) == ["mentoring_goal_achieved", "mentoring_goal_set"]


def test_a_goal_needs_words_and_a_future_target(pair):
    _, protege = _sides(pair)
    with pytest.raises(ValidationError, match="after today"):
        rel.goal_add(match=pair, user=protege, title="Delegate", target_on=_in_days(0))
    with pytest.raises(ValidationError, match="what the goal is"):
        rel.goal_add(match=pair, user=protege, title="  ", target_on=_in_days(9))


def test_goal_suggestions_come_from_the_programme_and_the_protege(pair):
    suggestions = rel.goal_suggestions(pair)
    assert "Help new managers find their feet." in suggestions
    assert "Give hard feedback" in suggestions


def test_only_the_two_people_set_goals(pair):
    with pytest.raises(PermissionDenied):
        rel.goal_add(match=pair, user=UserFactory(), title="Mine", target_on=_in_days(9))


# Meetings.


def test_a_scheduled_meeting_invites_both_once_with_an_ics_parsed_back(pair):
    mentor, protege = _sides(pair)
    starts = timezone.now().replace(microsecond=0, second=0) + dt.timedelta(days=3)
    meeting = rel.meeting_schedule(
        match=pair, user=protege, starts_at=starts, duration_minutes=45, agenda="Delegation"
    )
    assert meeting.met_on == timezone.localdate(starts)  # the nudge still reads met_on
    mail.outbox.clear()
    outbox_relay()
    outbox_relay()  # a second relay pass sends nothing more
    invites = [m for m in mail.outbox if m.attachments]
    assert sorted(m.to[0] for m in invites) == sorted([mentor.email, protege.email])
    name, content, kind = invites[0].attachments[0]
    assert kind == "text/calendar"
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == starts.astimezone(UTC)
    assert event.decoded("dtend") == (starts + dt.timedelta(minutes=45)).astimezone(UTC)
    attendees = sorted(str(a) for a in event.get("attendee"))
    assert attendees == sorted(f"mailto:{u.email}" for u in (mentor, protege))
    assert "Delegation" in str(event.get("description"))
    meeting.refresh_from_db()
    assert meeting.invited_at is not None


def test_meetings_are_scheduled_in_the_future_only(pair):
    with pytest.raises(ValidationError, match="future"):
        rel.meeting_schedule(
            match=pair,
            user=pair.mentor.user,
            starts_at=timezone.now() - dt.timedelta(hours=1),
            duration_minutes=30,
        )


def test_the_ics_downloads_for_the_pair_only(client, pair):
    meeting = rel.meeting_schedule(
        match=pair,
        user=pair.mentor.user,
        starts_at=timezone.now() + dt.timedelta(days=2),
        duration_minutes=30,
    )
    url = reverse("mentoring:meeting_ics", args=[meeting.pk])
    client.force_login(pair.protege.user)
    response = client.get(url)
    assert response["Content-Type"] == "text/calendar"
    assert (
        Calendar.from_ical(response.content)
        .walk("VEVENT")[0]["uid"]
        .startswith(f"mentoring-meeting-{meeting.pk}@")
    )
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_scheduling_through_the_page_reads_the_time_in_the_viewers_zone(client, pair):
    client.force_login(pair.mentor.user)  # in Tokyo
    day = _in_days(5)
    response = client.post(
        reverse("mentoring:meeting_schedule", args=[pair.pk]),
        {"starts_at": f"{day:%Y-%m-%d}T09:30", "duration_minutes": "60", "agenda": ""},
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(starts_at__isnull=False)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    assert meeting.starts_at.astimezone(tokyo).replace(tzinfo=None) == dt.datetime.combine(
        day, dt.time(9, 30)
    )


# Notes.


def test_private_notes_stay_with_their_author_and_shared_ones_reach_both(pair):
    mentor, protege = _sides(pair)
    rel.note_add(match=pair, user=mentor, body="Ask about the reorg", shared=False)
    rel.note_add(match=pair, user=protege, body="Slides for Tuesday", shared=True)
    meetings = list(pair.meetings.all())
    seen_by_protege = selectors_notes(pair, protege, meetings)
    seen_by_mentor = selectors_notes(pair, mentor, meetings)
    assert seen_by_protege == ["Slides for Tuesday"]
    assert seen_by_mentor == ["Ask about the reorg", "Slides for Tuesday"]


def selectors_notes(match, user, meetings):
    from mentoring.relationship.selectors import match_relationship

    return [n.body for n in match_relationship(match, user, meetings)["relationship"]["notes"]]


def test_the_match_page_shows_a_private_note_to_its_author_only(client, pair):
    mentor, protege = _sides(pair)
    rel.note_add(match=pair, user=mentor, body="Ask about the reorg", shared=False)
    client.force_login(protege)
    assert "Ask about the reorg" not in client.get(pair.get_absolute_url()).content.decode()
    client.force_login(mentor)
    assert "Ask about the reorg" in client.get(pair.get_absolute_url()).content.decode()


# Offline and unrecorded programmes.


def _text_columns(model):
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices
    ]


def test_an_unrecorded_programme_stores_no_text_anywhere(make_pair):
    match = make_pair(offline_unrecorded=True)
    mentor, protege = _sides(match)
    rel.goal_add(match=match, user=protege, title="Talk to my boss", target_on=_in_days(20))
    rel.meeting_schedule(
        match=match,
        user=mentor,
        starts_at=timezone.now() + dt.timedelta(days=1),
        duration_minutes=30,
        agenda="The reorg and my boss",
    )
    services.meeting_record(
        match=match, user=mentor, met_on=timezone.localdate(), notes="What was said"
    )
    with pytest.raises(ValidationError, match="keeps no notes"):
        rel.note_add(match=match, user=mentor, body="Secret", shared=True)
    checkin = CheckIn.objects.create(match=match, user=protege, side=PROTEGE, stage="midpoint")
    rel.checkin_answer(
        checkin=checkin,
        user=protege,
        satisfaction=4,
        goal_progress="some",
        would_recommend=True,
        comment="My boss is the problem",
    )
    checked = 0
    for model in (Agreement, Goal, Meeting, MatchNote, CheckIn):
        for column in _text_columns(model):
            values = set(model.objects.filter(**_of(model, match)).values_list(column, flat=True))
            assert values <= {""}, f"{model.__name__}.{column} holds {values}"
            checked += 1
    assert checked >= 4
    assert CheckIn.objects.get().satisfaction == 4  # scores and dates are kept
    assert Goal.objects.get().target_on == _in_days(20)


def _of(model, match):
    return {"pk": match.agreement.pk} if model is Agreement else {"match": match}


def test_an_unrecorded_match_page_asks_for_no_words(client, make_pair):
    match = make_pair(offline_unrecorded=True)
    client.force_login(match.protege.user)
    page = client.get(match.get_absolute_url()).content.decode()
    assert 'name="title"' not in page
    assert 'name="agenda"' not in page
    assert 'name="body"' not in page
    assert 'name="target_on"' in page
    assert 'name="starts_at"' in page


# Check-ins on the clock.


def _started(match, days_ago: int, weeks: int = 12):
    """Started `days_ago` calendar days ago in the site's zone.

    Counted on local dates, not as a span of hours: across a change of summer time, "84 days
    before 23:30" falls on a different local date than 84 days before today.
    """
    started = timezone.now() - dt.timedelta(days=days_ago)
    Match.objects.filter(pk=match.pk).update(started_at=started)
    Agreement.objects.filter(match=match).update(
        weeks=weeks,
        ends_on=_in_days(-days_ago) + dt.timedelta(weeks=weeks),
    )
    match.refresh_from_db()


def _at(utc_hour: int, days: int = 0) -> dt.datetime:
    day = timezone.now().astimezone(UTC).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(utc_hour, 0), tzinfo=UTC)


def test_the_mid_point_survey_reaches_each_person_once_in_their_own_working_hours(pair):
    mentor, protege = _sides(pair)
    _started(pair, days_ago=45)  # past the mid-point of twelve weeks
    # 01:00 UTC is 10:00 in Tokyo and 20:00 (the evening before) in New York.
    assert rel.checkins_send(now=_at(1)) == 1
    assert rel.checkins_send(now=_at(1)) == 0
    assert list(CheckIn.objects.values_list("user", "stage")) == [(mentor.pk, "midpoint")]
    # 14:00 UTC is 09:00 or 10:00 in New York and 23:00 in Tokyo.
    assert rel.checkins_send(now=_at(14)) == 1
    assert rel.checkins_send(now=_at(15)) == 0
    assert sorted(CheckIn.objects.values_list("user", "stage")) == sorted(
        [(mentor.pk, "midpoint"), (protege.pk, "midpoint")]
    )
    notes = Notification.objects.filter(kind="mentoring_checkin")
    assert sorted(notes.values_list("recipient", flat=True)) == sorted([mentor.pk, protege.pk])


def test_no_survey_before_the_mid_point(pair):
    _started(pair, days_ago=20)
    assert rel.checkins_send(now=_at(1)) == 0
    assert rel.checkins_send(now=_at(14)) == 0


def test_the_final_survey_goes_out_once_at_the_end(pair):
    mentor, protege = _sides(pair)
    _started(pair, days_ago=45)
    rel.checkins_send(now=_at(1))
    rel.checkins_send(now=_at(14))
    _started(pair, days_ago=12 * 7 + 1)
    for hour in (1, 14, 1, 14):
        rel.checkins_send(now=_at(hour))
    stages = sorted(CheckIn.objects.values_list("user", "stage"))
    assert stages == sorted(
        [(mentor.pk, "midpoint"), (protege.pk, "midpoint"), (mentor.pk, "end"), (protege.pk, "end")]
    )


def _clock_queries(now) -> int:
    with CaptureQueriesContext(connection) as captured:
        rel.checkins_send(now=now)
    return len(captured)


def test_the_clock_reads_only_the_matches_due_in_the_same_queries_for_few_and_many(make_pair):
    due = make_pair(name="Due")
    _started(due, days_ago=45)
    for n in range(2):
        _started(make_pair(name=f"Early {n}"), days_ago=20)
    assert list(rel.checkins_due(now=_at(1))) == [due]
    few = _clock_queries(_at(1, days=-1))  # Tokyo working hours: the mentor's survey

    for n in range(2, 12):
        _started(make_pair(name=f"Early {n}"), days_ago=20)
    again = make_pair(name="Due too")
    _started(again, days_ago=45)
    # The first still owes its protégé a survey (in New York hours); the early ones are not read.
    assert list(rel.checkins_due(now=_at(1))) == [due, again]
    many = _clock_queries(_at(1))

    assert few == many
    assert CheckIn.objects.filter(stage="midpoint").count() == 2


def test_the_clock_reads_nothing_once_every_survey_went_out(pair):
    _started(pair, days_ago=45)
    rel.checkins_send(now=_at(1))
    rel.checkins_send(now=_at(14))
    assert not rel.checkins_due(now=_at(15)).exists()
    _started(pair, days_ago=12 * 7)
    assert list(rel.checkins_due(now=_at(15))) == [pair]


def test_the_mid_point_moves_with_the_agreed_weeks_and_extensions(pair):
    agreement = Agreement.objects.get(match=pair)
    start = agreement.ends_on - dt.timedelta(weeks=12)
    assert agreement.midpoint_on == start + dt.timedelta(weeks=6)
    Agreement.objects.filter(pk=agreement.pk).update(
        ends_on=start + dt.timedelta(weeks=13, days=4 * 7), weeks=13, extensions=1
    )
    agreement.refresh_from_db()
    # Half of 17 weeks, rounded down to the day as the surveys always were.
    assert agreement.midpoint_on == start + dt.timedelta(days=(17 * 7) // 2)


def test_a_survey_is_answered_once_with_a_score_from_one_to_five(client, pair):
    _, protege = _sides(pair)
    _started(pair, days_ago=45)
    rel.checkins_send(now=_at(14))
    checkin = CheckIn.objects.get(user=protege)
    client.force_login(protege)
    url = reverse("mentoring:checkin", args=[checkin.pk])
    bad = client.post(url, {"satisfaction": "9", "goal_progress": "some", "would_recommend": "1"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    answer = {
        "satisfaction": "4",
        "goal_progress": "most",
        "would_recommend": "1",
        "comment": "Good",
    }
    assert client.post(url, answer).status_code == 302
    checkin.refresh_from_db()
    assert (checkin.satisfaction, checkin.goal_progress, checkin.would_recommend) == (
        4,
        "most",
        True,
    )
    with pytest.raises(ValidationError, match="already"):
        rel.checkin_answer(
            checkin=checkin,
            user=protege,
            satisfaction=1,
            goal_progress="some",
            would_recommend=False,
        )
    client.force_login(pair.mentor.user)
    assert client.get(url).status_code == 404


# The end of the commitment.


def test_the_match_ends_at_the_commitments_end(pair):
    _started(pair, days_ago=12 * 7)
    assert rel.matches_end_due() == 1
    pair.refresh_from_db()
    assert pair.status == Match.Status.COMPLETED
    assert Activity.objects.filter(verb="match_completed", object_id=pair.pk).count() == 2


def test_one_side_asking_to_go_on_is_not_enough(pair):
    _started(pair, days_ago=12 * 7)
    rel.match_extend(match=pair, user=pair.mentor.user)
    assert rel.matches_end_due() == 1


def test_the_match_goes_on_when_both_extend_it(pair):
    _started(pair, days_ago=12 * 7 - 1)
    rel.match_extend(match=pair, user=pair.mentor.user)
    agreement = rel.match_extend(match=pair, user=pair.protege.user)
    assert agreement.extensions == 1
    assert agreement.ends_on == _in_days(1) + dt.timedelta(weeks=4)
    assert rel.matches_end_due(now=timezone.now() + dt.timedelta(days=2)) == 0
    pair.refresh_from_db()
    assert pair.status == Match.Status.ACTIVE


# From protégé to mentor.


def test_the_protege_becomes_a_mentor_in_the_same_topics_and_counts_on_the_scoreboard(client, pair):
    _, protege = _sides(pair)
    with pytest.raises(ValidationError, match="once your mentoring has ended"):
        rel.protege_become_mentor(match=pair, user=protege)
    services.match_complete(match=pair, user=protege)
    client.force_login(protege)
    page = client.get(pair.get_absolute_url()).content.decode()
    assert "Become a mentor in these topics" in page
    client.post(reverse("mentoring:become_mentor", args=[pair.pk]))
    enrolment = Enrolment.objects.get(user=protege, role=Enrolment.Role.MENTOR)
    assert set(enrolment.topics.all()) == set(pair.protege.topics.all())
    board = selectors.scoreboard()
    assert board["grown_total"] == 1
    with pytest.raises(ValidationError, match="already a mentor"):
        rel.protege_become_mentor(match=pair, user=protege)


def test_only_the_protege_is_offered_to_become_a_mentor(pair):
    services.match_complete(match=pair, user=pair.mentor.user)
    with pytest.raises(PermissionDenied):
        rel.protege_become_mentor(match=pair, user=pair.mentor.user)


def test_going_unrecorded_forgets_every_word_the_pair_wrote_and_keeps_dates_and_scores(
    pair, coordinator
):
    mentor, protege = _sides(pair)
    rel.goal_add(match=pair, user=protege, title="Talk to my boss", target_on=_in_days(20))
    rel.meeting_schedule(
        match=pair,
        user=mentor,
        starts_at=timezone.now() + dt.timedelta(days=1),
        duration_minutes=30,
        agenda="The reorg",
    )
    rel.note_add(match=pair, user=mentor, body="Private thought", shared=False)
    checkin = CheckIn.objects.create(match=pair, user=protege, side=PROTEGE, stage="midpoint")
    rel.checkin_answer(
        checkin=checkin,
        user=protege,
        satisfaction=3,
        goal_progress="some",
        would_recommend=True,
        comment="My boss is the problem",
    )
    from mentoring.selectors import programme_stored_conversations

    assert programme_stored_conversations(pair.programme)["words"] == 4
    services.programme_update(programme=pair.programme, user=coordinator, offline_unrecorded=True)
    for model in (Agreement, Goal, Meeting, MatchNote, CheckIn):
        for column in _text_columns(model):
            values = set(model.objects.filter(**_of(model, pair)).values_list(column, flat=True))
            assert values <= {""}, f"{model.__name__}.{column} holds {values}"
    assert MatchNote.objects.count() == 0
    assert CheckIn.objects.get().satisfaction == 3
    assert Goal.objects.get().target_on == _in_days(20)


@pytest.mark.parametrize(
    ("rhythm", "frequency"),
    [
        ("every two weeks", "fortnightly"),
        ("Fortnightly, over lunch", "fortnightly"),
        ("once a week", "weekly"),
        ("monthly", "monthly"),
        ("", "fortnightly"),
    ],
)
def test_the_programmes_rhythm_prefills_how_often(rhythm, frequency):
    assert rel.frequency_from_rhythm(rhythm) == frequency
