"""Programmes, eligibility, matching runs, answers, expiry and ad-hoc asks."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mentoring import services
from mentoring.models import Enrolment, Match, Meeting
from socialearn.insights.models import Activity, Scope
from socialearn.notifications.models import Notification
from tests.factories import DepartmentFactory, UserFactory

from .conftest import MENTOR, PROTEGE, years_ago

pytestmark = pytest.mark.django_db


def test_only_coordinators_or_staff_create_programmes(topics):
    with pytest.raises(PermissionDenied):
        services.programme_create(
            created_by=UserFactory(),
            topics=topics,
            name="x",
            goals="g",
            commitment="c",
            enrolment_opens_on=timezone.localdate(),
            enrolment_closes_on=timezone.localdate(),
        )


def test_creating_a_programme_names_it_for_insights(programme, coordinator):
    scope = Scope.objects.get(kind="programme", object_id=programme.pk)
    assert scope.name == "New managers"
    assert list(programme.coordinators.all()) == [coordinator]


def test_enrolment_must_close_after_it_opens(make_programme):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        make_programme(enrolment_opens_on=today, enrolment_closes_on=today - dt.timedelta(days=1))


def test_ineligible_protege_is_told_exactly_why(make_programme, enrol, topics):
    programme = make_programme(protege_max_years_in_role=1, protege_manages_people="must")
    veteran = UserFactory(profile__started_role_on=years_ago(3), profile__is_people_manager=True)
    with pytest.raises(ValidationError) as error:
        enrol(programme, PROTEGE, topics[:1], user=veteran)
    assert error.value.messages == [
        "This programme is for protégés who have led a team for under 1 year; "
        "your profile says 3 years."
    ]


def test_eligibility_checks_team_lead_tenure_and_company(make_programme, enrol, topics):
    programme = make_programme(
        mentor_min_years_in_role=2, mentor_manages_people="must", mentor_min_years_in_company=3
    )
    newcomer = UserFactory(
        profile__started_role_on=years_ago(0.5), profile__started_company_on=years_ago(1)
    )
    problems = services.eligibility_problems(
        programme=programme, profile=newcomer.profile, role=MENTOR
    )
    assert problems == [
        "This programme is for mentors who have led a team for at least 2 years; "
        "your profile says 0.5 years.",
        "This programme is for mentors who lead a team; your profile says you do not.",
        "This programme is for mentors with at least 3 years in the company; "
        "your profile says 1 year.",
    ]
    unknown = UserFactory()
    assert (
        "no start date"
        in services.eligibility_problems(programme=programme, profile=unknown.profile, role=MENTOR)[
            0
        ]
    )
    eligible = UserFactory(
        profile__started_role_on=years_ago(2.5),
        profile__started_company_on=years_ago(5),
        profile__is_people_manager=True,
    )
    enrolment = enrol(programme, MENTOR, topics[:2], user=eligible, capacity=3)
    assert enrolment.capacity == 3


def test_enrolment_records_activity_with_topics_and_programme(programme, enrol, topics):
    enrolment = enrol(programme, PROTEGE, topics[:2])
    activity = Activity.objects.get(verb="protege_enrolled")
    assert activity.programme_id == programme.pk
    assert activity.topic_ids == sorted(t.pk for t in topics[:2])
    assert activity.actor_id == enrolment.user_id
    enrol(programme, MENTOR, topics[:1])
    assert Activity.objects.filter(verb="mentor_enrolled").count() == 1


def test_enrolment_is_refused_outside_the_window_or_programme_topics(make_programme, enrol, topics):
    from tests.factories import TopicFactory

    today = timezone.localdate()
    closed = make_programme(
        enrolment_opens_on=today - dt.timedelta(days=10),
        enrolment_closes_on=today - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="closed"):
        enrol(closed, PROTEGE, topics[:1])
    open_one = make_programme(topics=topics[:1])
    with pytest.raises(ValidationError):
        enrol(open_one, PROTEGE, [TopicFactory(name="Other")])


def _run(programme, coordinator):
    return services.matching_run_start(programme=programme, user=coordinator)


def test_run_proposes_the_best_pairs_and_explains_the_unmatched(
    programme, coordinator, enrol, topics
):
    leadership, coaching, finance = topics
    mentor = enrol(programme, MENTOR, [leadership, coaching], capacity=1)
    first = enrol(programme, PROTEGE, [leadership, coaching])
    second = enrol(programme, PROTEGE, [leadership, finance])
    lonely = enrol(programme, PROTEGE, [finance])
    run = _run(programme, coordinator)
    proposed = list(Match.objects.filter(status=Match.Status.PROPOSED))
    assert [(m.mentor_id, m.protege_id) for m in proposed] == [(mentor.pk, first.pk)]
    assert proposed[0].reasons[0] == "Covers every topic asked for: Leadership and Coaching"
    reasons = {u["enrolment_id"]: u["reason"] for u in run.unmatched}
    assert reasons[second.pk] == "The mentors who fit them have no capacity left"
    assert reasons[lonely.pk] == "No eligible mentor offers their topics"


def test_never_matched_with_ones_own_manager(programme, coordinator, enrol, topics):
    boss = UserFactory()
    report = UserFactory(profile__manager=boss)
    enrol(programme, MENTOR, topics[:1], user=boss)
    enrol(programme, PROTEGE, topics[:1], user=report)
    run = _run(programme, coordinator)
    assert not Match.objects.exists()
    assert run.unmatched[0]["reason"] == "No eligible mentor offers their topics"


def test_locked_pairs_survive_a_rerun_and_swaps_check_capacity(
    programme, coordinator, enrol, topics
):
    a = enrol(programme, MENTOR, topics[:1], capacity=1)
    b = enrol(programme, MENTOR, topics[:1], capacity=1)
    p1 = enrol(programme, PROTEGE, topics[:1])
    p2 = enrol(programme, PROTEGE, topics[:1])
    _run(programme, coordinator)
    first = Match.objects.get(protege=p1)
    services.match_lock(match=first, user=coordinator)
    locked_mentor = first.mentor_id
    _run(programme, coordinator)
    assert Match.objects.get(protege=p1).mentor_id == locked_mentor
    assert Match.objects.filter(status=Match.Status.PROPOSED).count() == 2
    other = Match.objects.get(protege=p2)
    with pytest.raises(ValidationError, match="no capacity left"):
        services.match_swap(match=other, mentor=a if locked_mentor == a.pk else b, user=coordinator)


def test_swap_by_hand_changes_mentor_and_locks(programme, coordinator, enrol, topics):
    a = enrol(programme, MENTOR, topics[:1], capacity=1)
    b = enrol(programme, MENTOR, topics[:2], capacity=2)
    p = enrol(programme, PROTEGE, topics[:1])
    _run(programme, coordinator)
    match = Match.objects.get(protege=p)
    target = a if match.mentor_id == b.pk else b
    services.match_swap(match=match, mentor=target, user=coordinator)
    match.refresh_from_db()
    assert match.mentor_id == target.pk
    assert match.locked
    assert match.reasons[-1] == "Chosen by the coordinator"


def test_publish_notifies_both_sides_and_both_must_accept(programme, coordinator, enrol, topics):
    mentor = enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    _run(programme, coordinator)
    assert services.programme_publish(programme=programme, user=coordinator) == 1
    assert Notification.objects.filter(recipient=mentor.user, kind="mentoring_match").exists()
    assert Notification.objects.filter(recipient=protege.user, kind="mentoring_match").exists()
    match = Match.objects.get()
    services.match_accept(match=match, user=protege.user)
    match.refresh_from_db()
    assert match.status == Match.Status.OFFERED
    services.match_accept(match=match, user=mentor.user)
    match.refresh_from_db()
    assert match.status == Match.Status.ACTIVE
    assert Activity.objects.filter(verb="match_accepted", programme_id=programme.pk).count() == 2
    services.match_complete(match=match, user=mentor.user)
    assert Activity.objects.filter(verb="match_completed").count() == 2


def test_a_decline_frees_the_slot_and_the_next_run_refills_it(
    programme, coordinator, enrol, topics
):
    m1 = enrol(programme, MENTOR, topics[:2], capacity=1)
    m2 = enrol(programme, MENTOR, topics[:1], capacity=1)
    protege = enrol(programme, PROTEGE, topics[:2])
    _run(programme, coordinator)
    services.programme_publish(programme=programme, user=coordinator)
    first = Match.objects.get()
    assert first.mentor_id == m1.pk
    services.match_decline(match=first, user=m1.user)
    assert Notification.objects.filter(recipient=coordinator, kind="mentoring_slot_freed").exists()
    assert Notification.objects.filter(
        recipient=protege.user, kind="mentoring_match_declined"
    ).exists()
    _run(programme, coordinator)
    refill = Match.objects.get(status=Match.Status.PROPOSED)
    assert (refill.mentor_id, refill.protege_id) == (m2.pk, protege.pk)


def test_a_mentor_can_decline_and_go_on_holiday_at_once(programme, coordinator, enrol, topics):
    mentor = enrol(programme, MENTOR, topics[:1])
    enrol(programme, PROTEGE, topics[:1])
    _run(programme, coordinator)
    services.programme_publish(programme=programme, user=coordinator)
    services.match_decline(match=Match.objects.get(), user=mentor.user, unavailable="holiday")
    mentor.refresh_from_db()
    assert mentor.unavailable == "holiday"


def test_only_the_two_people_answer(programme, coordinator, enrol, topics):
    enrol(programme, MENTOR, topics[:1])
    enrol(programme, PROTEGE, topics[:1])
    _run(programme, coordinator)
    services.programme_publish(programme=programme, user=coordinator)
    with pytest.raises(PermissionDenied):
        services.match_accept(match=Match.objects.get(), user=UserFactory())


def test_self_service_request_and_suggestions(make_programme, enrol, topics):
    from mentoring.selectors import suggestions_for

    programme = make_programme(matching_mode="self_service")
    strong = enrol(programme, MENTOR, topics[:2], capacity=1)
    weak = enrol(programme, MENTOR, topics[:1], capacity=1)
    protege = enrol(programme, PROTEGE, topics[:2])
    ranked = suggestions_for(protege)
    assert [s["enrolment"].pk for s in ranked] == [strong.pk, weak.pk]
    match = services.match_request(protege=protege, mentor=strong, user=protege.user)
    assert match.status == Match.Status.OFFERED
    assert Notification.objects.filter(recipient=strong.user, kind="mentoring_request").exists()
    other = enrol(programme, PROTEGE, topics[:1])
    with pytest.raises(ValidationError, match="no free slot"):
        services.match_request(protege=other, mentor=strong, user=other.user)
    services.match_decline(match=match, user=strong.user)
    suggestion = Notification.objects.get(recipient=protege.user, kind="mentoring_suggestion")
    assert weak.user.profile.name in suggestion.title
    with pytest.raises(ValidationError, match="paired with"):
        services.match_request(protege=protege, mentor=strong, user=protege.user)


def test_stale_offers_expire_and_the_protege_is_offered_the_next_best(
    make_programme, enrol, topics, settings
):
    settings.MENTORING_REQUEST_EXPIRY_DAYS = 7
    programme = make_programme(matching_mode="self_service")
    slow = enrol(programme, MENTOR, topics[:2])
    other = enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:2])
    match = services.match_request(protege=protege, mentor=slow, user=protege.user)
    Match.objects.filter(pk=match.pk).update(offered_at=timezone.now() - dt.timedelta(days=8))
    from mentoring.tasks import expire_stale_requests

    assert expire_stale_requests() == 1
    match.refresh_from_db()
    assert match.status == Match.Status.EXPIRED
    note = Notification.objects.get(recipient=protege.user, kind="mentoring_suggestion")
    assert other.user.profile.name in note.title
    assert "Covers" in note.body or "Shares" in note.body
    assert expire_stale_requests() == 0


def test_fresh_offers_do_not_expire(programme, coordinator, enrol, topics):
    enrol(programme, MENTOR, topics[:1])
    enrol(programme, PROTEGE, topics[:1])
    _run(programme, coordinator)
    services.programme_publish(programme=programme, user=coordinator)
    assert services.expire_stale_requests() == 0


def test_unrecorded_programmes_keep_meeting_dates_only(make_programme, enrol, topics):
    programme = make_programme(matching_mode="self_service", offline_unrecorded=True)
    mentor = enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    match = services.match_request(protege=protege, mentor=mentor, user=protege.user)
    match = services.match_accept(match=match, user=mentor.user)
    services.meeting_record(
        match=match, user=mentor.user, met_on=timezone.localdate(), notes="private words"
    )
    assert Meeting.objects.get().notes == ""


def test_last_active_is_updated_by_mentoring_actions(programme, enrol, topics):
    enrolment = enrol(programme, PROTEGE, topics[:1])
    enrolment.user.profile.refresh_from_db()
    assert enrolment.user.profile.last_active_at is not None


def test_adhoc_ask_reaches_willing_mentors_only(
    programme, enrol, topics, celery_eager, django_capture_on_commit_callbacks
):
    leadership, coaching, _ = topics
    mentor = enrol(programme, MENTOR, [leadership])
    enrol(programme, MENTOR, [coaching])
    volunteer = UserFactory()
    services.adhoc_volunteer_set(user=volunteer, topics=[leadership])
    asker = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ask = services.adhoc_request_create(user=asker, topic=leadership, message="Help me")
    recipients = set(
        Notification.objects.filter(kind="mentoring_adhoc").values_list("recipient", flat=True)
    )
    assert recipients == {mentor.user_id, volunteer.pk}
    services.adhoc_request_answer(request=ask, helper=volunteer)
    assert Notification.objects.filter(recipient=asker, kind="mentoring_adhoc_answer").exists()


def test_call_for_volunteers_targets_experienced_leads_with_the_expertise(
    programme, coordinator, topics, celery_eager, django_capture_on_commit_callbacks
):
    leadership = topics[0]
    fit = UserFactory(
        profile__started_role_on=years_ago(3),
        profile__is_people_manager=True,
        profile__expertise=[leadership],
    )
    UserFactory(
        profile__started_role_on=years_ago(1),
        profile__is_people_manager=True,
        profile__expertise=[leadership],
    )
    UserFactory(profile__started_role_on=years_ago(3), profile__expertise=[leadership])
    UserFactory(profile__started_role_on=years_ago(3), profile__is_people_manager=True)
    kwargs = {
        "topic_ids": [leadership.pk],
        "min_years_in_role": 2,
        "manages_people": True,
        "require_expertise": True,
        "location_id": None,
    }
    assert services.volunteer_call_size(**kwargs) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.volunteer_call_send(programme=programme, user=coordinator, audience_kwargs=kwargs)
    note = Notification.objects.get(kind="mentoring_call")
    assert note.recipient_id == fit.pk
    assert "An hour every two weeks" in note.body


def test_crossing_departments_is_explained_with_names(programme, coordinator, enrol, topics):
    sales, eng = DepartmentFactory(name="Sales"), DepartmentFactory(name="Engineering")
    enrol(programme, MENTOR, topics[:1], user=UserFactory(profile__department=sales))
    enrol(
        programme,
        PROTEGE,
        topics[:1],
        user=UserFactory(profile__department=eng),
        prefer_other_department=True,
    )
    _run(programme, coordinator)
    assert "Crosses departments (Sales and Engineering), as wished" in Match.objects.get().reasons


def test_withdrawn_enrolments_leave_the_pool(programme, coordinator, enrol, topics):
    enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    services.enrolment_withdraw(enrolment=protege, user=protege.user)
    _run(programme, coordinator)
    assert not Match.objects.exists()
    assert Enrolment.objects.get(pk=protege.pk).status == "withdrawn"


def test_a_protege_who_only_fits_full_mentors_is_told_capacity_ran_out(
    make_programme, coordinator, enrol, topics
):
    programme = make_programme()
    mentor = enrol(programme, MENTOR, topics[:1], capacity=1)
    first = enrol(programme, PROTEGE, topics[:1])
    services.matching_run_start(programme=programme, user=coordinator)
    services.programme_publish(programme=programme, user=coordinator)
    services.match_accept(match=Match.objects.get(protege=first), user=mentor.user)
    waiting = enrol(programme, PROTEGE, topics[:1])
    run = services.matching_run_start(programme=programme, user=coordinator)
    assert run.unmatched == [
        {
            "enrolment_id": waiting.pk,
            "name": waiting.user.profile.name,
            "reason": "The mentors who fit them have no capacity left",
        }
    ]


def test_a_swap_refuses_a_pair_matched_before(
    make_programme, programme, coordinator, enrol, topics
):
    earlier = make_programme(name="Earlier cohort")
    a_user, p_user = UserFactory(), UserFactory()
    old_mentor = enrol(earlier, MENTOR, topics[:1], user=a_user)
    old_protege = enrol(earlier, PROTEGE, topics[:1], user=p_user)
    Match.objects.create(
        programme=earlier, mentor=old_mentor, protege=old_protege, status=Match.Status.COMPLETED
    )
    again = enrol(programme, MENTOR, topics[:1], user=a_user, capacity=1)
    other = enrol(programme, MENTOR, topics[:1], capacity=1)
    protege = enrol(programme, PROTEGE, topics[:1], user=p_user)
    _run(programme, coordinator)
    match = Match.objects.get(protege=protege)
    assert match.mentor_id == other.pk
    with pytest.raises(ValidationError, match="paired before"):
        services.match_swap(match=match, mentor=again, user=coordinator)


def test_a_lock_the_engine_refuses_is_recorded_and_its_protege_matched_anew(
    programme, coordinator, enrol, topics
):
    boss = UserFactory()
    report = UserFactory(profile__manager=boss)
    boss_mentor = enrol(programme, MENTOR, topics[:1], user=boss, capacity=1)
    other = enrol(programme, MENTOR, topics[:1], capacity=1)
    protege = enrol(programme, PROTEGE, topics[:1], user=report)
    Match.objects.create(  # as an older version let a coordinator lock it
        programme=programme, mentor=boss_mentor, protege=protege, locked=True
    )
    run = _run(programme, coordinator)
    assert run.refused_locks == [
        {
            "mentor_id": boss_mentor.pk,
            "protege_id": protege.pk,
            "mentor": boss.profile.name,
            "protege": report.profile.name,
            "reason": "A person cannot be matched with their own manager",
        }
    ]
    assert [(m.mentor_id, m.locked) for m in Match.objects.filter(protege=protege)] == [
        (other.pk, False)
    ]
