"""Each figure against data counted by hand, including what happens at the period's edges.

The period is 2 to 15 March 2026 in London (GMT then): [2026-03-02 00:00, 2026-03-16 00:00).
"""

from datetime import UTC, date, timedelta

import pytest

from socialearn.insights import figures
from socialearn.insights.figures import Period
from socialearn.insights.services import scope_upsert
from tests.factories import TopicFactory

from .conftest import person

pytestmark = pytest.mark.django_db

PERIOD = Period.for_days(first=date(2026, 3, 2), last=date(2026, 3, 15), tz="Europe/London")
C1, C2 = 1, 2


@pytest.fixture
def people(departments):
    sales, engineering = departments
    return {
        "ann": person("ann", sales),
        "bob": person("bob", engineering),
        "cat": person("cat", sales),
        "dan": person("dan", engineering),
        "eve": person("eve"),
        "fay": person("fay", sales),
        "hal": person("hal"),
        "kim": person("kim"),
        "ivy": person("ivy"),
        "joe": person("joe"),
        "gus": person("gus"),
    }


@pytest.fixture
def community(people, record):
    """Community 1, hand-counted in the comments."""
    p = people
    scope_upsert(kind="community", object_id=C1, name="Data people")
    scope_upsert(kind="community", object_id=C2, name="Board", is_private=True)
    # Members at the end: ann, bob, cat, fay, hal, kim (gus left; dan joins at the end).
    for name in ("ann", "bob", "cat", "hal", "kim", "gus"):
        record("joined", p[name], "2026-02-01 09:00", community_id=C1)
    record("left", p["gus"], "2026-02-20 09:00", community_id=C1)
    record("joined", p["fay"], "2026-03-03 09:00", community_id=C1)
    record("joined", p["dan"], "2026-03-16 00:00", community_id=C1)  # the end: not counted
    # Questions: thread 10 at the very start (counts), 9 just before, 13 at the end (neither).
    record(
        "posted", p["dan"], "2026-03-01 23:59:59", community_id=C1, thread_id=9, is_question=True
    )
    record("posted", p["ann"], "2026-03-02 00:00", community_id=C1, thread_id=10, is_question=True)
    record("posted", p["ann"], "2026-03-16 00:00", community_id=C1, thread_id=13, is_question=True)
    # Thread 10: bob answers after 2 h (crosses departments), cat after 5 h (same department).
    answer = {"community_id": C1, "is_question": True}
    record("replied", p["bob"], "2026-03-02 02:00", thread_id=10, target_user=p["ann"], **answer)
    record("replied", p["cat"], "2026-03-02 05:00", thread_id=10, target_user=p["ann"], **answer)
    # Thread 11 by bob: ann answers after 4 h (crosses), dan later (same department).
    record("posted", p["bob"], "2026-03-05 10:00", community_id=C1, thread_id=11, is_question=True)
    record("replied", p["ann"], "2026-03-05 14:00", thread_id=11, target_user=p["bob"], **answer)
    record("replied", p["dan"], "2026-03-10 09:00", thread_id=11, target_user=p["bob"], **answer)
    # Thread 12 by eve: only eve replies to herself, so it stays unanswered.
    record("posted", p["eve"], "2026-03-06 10:00", community_id=C1, thread_id=12, is_question=True)
    record("replied", p["eve"], "2026-03-06 11:00", thread_id=12, target_user=p["eve"], **answer)
    record("reacted", p["ann"], "2026-03-07 10:00", community_id=C1, thread_id=12)
    record("help_requested", p["bob"], "2026-03-08 10:00", community_id=C1, extra={"reached": 25})
    record("help_requested", p["bob"], "2026-03-16 00:00", community_id=C1, extra={"reached": 100})
    record("welcomed", p["ann"], "2026-03-03 10:00", community_id=C1, target_user=p["fay"])
    # For the health index: ivy active 9 months before the end, joe more than a year before.
    record("posted", p["ivy"], "2025-06-01 10:00", community_id=C1, thread_id=5)
    record("posted", p["joe"], "2025-01-10 10:00", community_id=C1, thread_id=4)
    # In the private community: one thread by kim.
    record("posted", p["kim"], "2026-03-04 10:00", community_id=C2, thread_id=30)
    return p


def test_period_is_inclusive_of_its_first_day_and_exclusive_of_the_day_after_the_last():
    assert PERIOD.start.isoformat() == "2026-03-02T00:00:00+00:00"
    assert PERIOD.end.isoformat() == "2026-03-16T00:00:00+00:00"


def test_a_period_is_counted_in_the_viewers_time_zone_across_a_clock_change():
    paris = Period.for_days(first=date(2026, 3, 29), last=date(2026, 3, 29), tz="Europe/Paris")
    assert paris.start.isoformat() == "2026-03-29T00:00:00+01:00"
    assert paris.end.astimezone(UTC) - paris.start.astimezone(UTC) == timedelta(hours=23)


def test_the_last_seven_days_end_with_today_included():
    period = Period.last_days(7, tz="Europe/London", today=date(2026, 3, 15))
    assert (period.first_day, period.last_day) == (date(2026, 3, 9), date(2026, 3, 15))
    assert period.end.isoformat() == "2026-03-16T00:00:00+00:00"


def test_community_members_are_joins_minus_leaves_before_the_end(community):
    assert figures.scope_figures(PERIOD, "community", C1).members == 6


def test_active_members_acted_in_the_period_and_joining_is_not_acting(community):
    f = figures.scope_figures(PERIOD, "community", C1)
    # ann, bob, cat, dan (his reply on 10 March), eve; fay only joined.
    assert f.active == 5
    # Of them ann, bob and cat are members (dan joins at the end, eve never): 3 of 6.
    assert f.active_members == 3
    assert f.engagement_rate == pytest.approx(3 / 6)


def test_threads_and_replies_count_the_first_instant_but_not_the_end(community):
    f = figures.scope_figures(PERIOD, "community", C1)
    assert (f.posts, f.replies) == (3, 5)


def test_questions_and_the_share_answered_by_someone_else(community):
    f = figures.scope_figures(PERIOD, "community", C1)
    assert (f.questions, f.answered) == (3, 2)
    assert f.answered_share == pytest.approx(2 / 3)


def test_median_time_to_first_answer(community):
    # Thread 10: 2 h, thread 11: 4 h; the unanswered thread 12 does not count.
    assert figures.scope_figures(PERIOD, "community", C1).median_first_answer == 3 * 3600


def test_an_answer_recorded_before_its_question_is_not_a_first_answer(people, record):
    answer = {"community_id": C1, "is_question": True, "thread_id": 60}
    record("replied", people["bob"], "2026-03-03 09:00", target_user=people["ann"], **answer)
    record("posted", people["ann"], "2026-03-03 10:00", **answer)
    record("replied", people["cat"], "2026-03-03 10:30", target_user=people["ann"], **answer)
    assert figures.scope_figures(PERIOD, "community", C1) is None  # no scope named yet
    assert figures.scope_figures(PERIOD).median_first_answer == 1800


def test_answers_that_crossed_departments(community):
    f = figures.scope_figures(PERIOD, "community", C1)
    # bob->ann and ann->bob cross; cat->ann and dan->bob do not; eve answering herself is no
    # answer at all.
    assert (f.answers, f.answers_known_departments, f.answers_crossed) == (4, 4, 2)
    assert f.crossed_share == pytest.approx(0.5)


def test_people_reached_by_help_requests_and_newcomers_welcomed(community):
    f = figures.scope_figures(PERIOD, "community", C1)
    assert (f.help_requests, f.help_reached, f.welcomed) == (1, 25, 1)


def test_health_index_is_active_this_month_over_active_this_year(community):
    f = figures.scope_figures(PERIOD, "community", C1)
    # Month (16 Feb - 15 Mar): ann, bob, cat, dan (also 1 March), eve. Year: + ivy. Not joe.
    assert (f.active_month, f.active_year) == (5, 6)
    assert f.health_index == pytest.approx(5 / 6)


def test_organisation_figures_count_every_community_and_every_account(community):
    f = figures.scope_figures(PERIOD)
    assert f.members == 11  # every active account created before the end
    assert f.posts == 4  # three in community 1, one in the private one
    assert f.active == 6  # + kim
    assert f.active_members == 6


def test_scope_table_has_a_row_per_named_community(community):
    rows = {row.object_id: row for row in figures.scope_table(PERIOD, "community")}
    assert set(rows) == {C1, C2}
    assert (rows[C1].name, rows[C1].posts, rows[C1].members) == ("Data people", 3, 6)
    assert (rows[C2].posts, rows[C2].active, rows[C2].members, rows[C2].is_private) == (
        1,
        1,
        0,
        True,
    )


def test_posts_and_replies_per_week_include_empty_weeks(community):
    assert figures.weekly_series(PERIOD, "community", C1) == [
        {"week": date(2026, 3, 2), "posts": 3, "replies": 4},
        {"week": date(2026, 3, 9), "posts": 0, "replies": 1},
    ]


def test_weeks_follow_the_viewers_time_zone(people, record):
    # Sunday 23:30 in London is already Monday in Paris.
    record("posted", people["ann"], "2026-03-08 23:30", community_id=C1, thread_id=40)
    london = figures.weekly_series(PERIOD)
    paris = figures.weekly_series(
        Period.for_days(first=date(2026, 3, 2), last=date(2026, 3, 15), tz="Europe/Paris")
    )
    assert [w["posts"] for w in london] == [1, 0]
    assert [w["posts"] for w in paris] == [0, 1]


def test_participation_personas(community):
    by_persona = {
        row["persona"]: row["people"]
        for row in figures.persona_distribution(PERIOD, "community", C1)
    }
    # Catalysts: ann and bob (their threads were answered by others). Responders: cat, dan.
    # Engager: eve (only talked to herself). Observers: fay, hal, kim (members, no action).
    assert by_persona == {"catalyst": 2, "responder": 2, "engager": 1, "observer": 3}
    people = {
        row["name"]: row["persona"] for row in figures.persona_people(PERIOD, "community", C1)
    }
    assert people["Ann Example"] == "catalyst"
    assert people["Cat Example"] == "responder"
    assert people["Fay Example"] == "observer"


def test_trending_topics_and_threads_rise_against_the_weeks_before(people, record):
    scope_upsert(kind="community", object_id=C1, name="Data people")
    scope_upsert(kind="community", object_id=C2, name="Board", is_private=True)
    t1, t2 = TopicFactory(name="Python"), TopicFactory(name="Budgets")
    ann = people["ann"]
    record(
        "posted",
        ann,
        "2026-02-01 10:00",
        community_id=C1,
        thread_id=20,
        topic_ids=[t1.pk],
        extra={"title": "Pandas or Polars?", "url": "/communities/1/threads/20/"},
    )
    record("posted", ann, "2026-02-01 10:00", community_id=C1, thread_id=22, topic_ids=[t1.pk])
    record(
        "posted",
        ann,
        "2026-02-01 10:00",
        community_id=C2,
        thread_id=21,
        topic_ids=[t2.pk],
        extra={"title": "Secret budget"},
    )
    # Weeks before (9 Feb - 8 Mar): thread 20 once a week, thread 22 twice a week.
    for day in ("2026-02-10", "2026-02-17", "2026-02-24", "2026-03-03"):
        record("replied", ann, f"{day} 10:00", community_id=C1, thread_id=20)
        record("replied", ann, f"{day} 10:00", community_id=C1, thread_id=22)
        record("reacted", ann, f"{day} 11:00", community_id=C1, thread_id=22)
    # This week (9 - 15 March): thread 20 five times, 22 twice, the private 21 ten times.
    for i in range(5):
        record("replied", ann, f"2026-03-1{i} 10:00", community_id=C1, thread_id=20)
    for i in range(2):
        record("replied", ann, f"2026-03-1{i} 10:00", community_id=C1, thread_id=22)
    for i in range(10):
        record("replied", ann, f"2026-03-09 1{i}:00", community_id=C2, thread_id=21)
    # At the end of the period: not this week any more.
    record("replied", ann, "2026-03-16 00:00", community_id=C1, thread_id=22)

    topics = figures.trending_topics(PERIOD)
    assert [(t["name"], t["this_week"], float(t["before_avg"])) for t in topics] == [
        ("Budgets", 10, 0.0),
        ("Python", 7, 3.0),
    ]
    threads = figures.trending_threads(PERIOD)
    assert [(t["thread_id"], t["title"], t["this_week"], float(t["rise"])) for t in threads] == [
        (20, "Pandas or Polars?", 5, 4.0)
    ]
    assert threads[0]["url"] == "/communities/1/threads/20/"
    private = figures.trending_threads(PERIOD, "community", C2, include_private=True)
    assert [t["title"] for t in private] == ["Secret budget"]


def test_mentoring_supply_and_demand_by_topic(people, record):
    t1, t2 = TopicFactory(name="Leadership"), TopicFactory(name="Negotiation")
    p = people
    enrol = {"programme_id": 1}
    record("mentor_enrolled", p["ann"], "2026-01-05 10:00", topic_ids=[t1.pk, t2.pk], **enrol)
    record("mentor_enrolled", p["bob"], "2026-03-05 10:00", topic_ids=[t1.pk], **enrol)
    record("protege_enrolled", p["cat"], "2026-03-05 10:00", topic_ids=[t1.pk], **enrol)
    record("protege_enrolled", p["dan"], "2026-03-06 10:00", topic_ids=[t1.pk], **enrol)
    record("protege_enrolled", p["eve"], "2026-03-06 10:00", topic_ids=[t2.pk], **enrol)
    record("protege_enrolled", p["fay"], "2026-03-16 00:00", topic_ids=[t1.pk], **enrol)
    record("protege_enrolled", p["hal"], "2026-03-06 10:00", topic_ids=[t1.pk], programme_id=2)
    rows = figures.mentoring_supply_demand(PERIOD, programme_id=1)
    assert [(r["name"], r["supply"], r["demand"], r["gap"]) for r in rows] == [
        ("Leadership", 2, 2, 0),
        ("Negotiation", 1, 1, 0),
    ]
    org = {r["name"]: r["demand"] for r in figures.mentoring_supply_demand(PERIOD)}
    assert org == {"Leadership": 3, "Negotiation": 1}
    scope_upsert(kind="programme", object_id=1, name="Leaders")
    assert figures.scope_figures(PERIOD, "programme", 1).members == 5


def test_challenge_completion_per_step(people, record):
    p = people
    for name in ("ann", "bob", "cat", "dan"):
        record("challenge_joined", p[name], "2026-03-01 10:00", challenge_id=7)
    first = {
        "challenge_id": 7,
        "object_id": 100,
        "extra": {"step_index": 1, "step_title": "Warm up"},
    }
    for name in ("ann", "bob", "cat"):
        record("step_completed", p[name], "2026-03-03 10:00", **first)
    record(
        "step_completed",
        p["ann"],
        "2026-03-10 10:00",
        challenge_id=7,
        object_id=101,
        extra={"step_index": 2, "step_title": "Go further"},
    )
    record(
        "step_completed",
        p["bob"],
        "2026-03-16 00:00",
        challenge_id=7,
        object_id=101,
        extra={"step_index": 2},
    )
    rows = figures.challenge_steps(PERIOD, 7)
    assert [(r["step_index"], r["title"], r["completed"], r["participants"]) for r in rows] == [
        (1, "Warm up", 3, 4),
        (2, "Go further", 1, 4),
    ]
    assert rows[0]["share"] == pytest.approx(0.75)


def test_session_questions_answers_and_deferrals(people, record):
    p = people
    scope_upsert(kind="session", object_id=5, name="Ask the CFO")
    s = {"session_id": 5}
    record("session_question_asked", p["ann"], "2026-03-03 10:00", object_id=500, **s)
    record("session_question_asked", p["cat"], "2026-03-03 10:05", object_id=501, **s)
    record(
        "session_answered", p["bob"], "2026-03-03 10:30", object_id=500, target_user=p["ann"], **s
    )
    record("session_deferred", p["bob"], "2026-03-03 11:00", object_id=501, **s)
    f = figures.scope_figures(PERIOD, "session", 5)
    assert (f.questions, f.answered, f.median_first_answer, f.deferred) == (2, 1, 1800, 1)
    assert (f.answers, f.answers_crossed) == (1, 1)
    assert f.members == 3


def test_nothing_recorded_gives_empty_figures_not_errors(db):
    scope_upsert(kind="challenge", object_id=3, name="30 days of SQL")
    f = figures.scope_figures(PERIOD, "challenge", 3)
    assert (f.members, f.active, f.engagement_rate, f.median_first_answer) == (0, 0, None, None)
    assert figures.scope_figures(PERIOD, "challenge", 4) is None
    assert figures.challenge_steps(PERIOD, 3) == []


def test_the_overview_reads_every_scope_s_figures_in_one_query(
    community, record, django_assert_num_queries
):
    p = community
    scope_upsert(kind="session", object_id=5, name="Ask the CFO")
    scope_upsert(kind="programme", object_id=7, name="Mentoring 2026")
    scope_upsert(kind="challenge", object_id=3, name="30 days of SQL")
    scope_upsert(kind="challenge", object_id=4, name="Nobody yet")
    s = {"session_id": 5}
    record("session_question_asked", p["ann"], "2026-03-03 10:00", object_id=500, **s)
    record("session_question_asked", p["cat"], "2026-03-03 10:05", object_id=501, **s)
    record(
        "session_answered", p["bob"], "2026-03-03 10:30", object_id=500, target_user=p["ann"], **s
    )
    record("session_deferred", p["bob"], "2026-03-03 11:00", object_id=501, **s)
    record("mentor_enrolled", p["dan"], "2026-02-10 09:00", programme_id=7)
    record("protege_enrolled", p["eve"], "2026-03-04 09:00", programme_id=7)
    record("match_accepted", p["dan"], "2026-03-05 09:00", programme_id=7, target_user=p["eve"])
    record("mentoring_goal_set", p["eve"], "2026-03-06 09:00", programme_id=7, object_id=1)
    record("mentoring_goal_set", p["eve"], "2026-03-06 09:05", programme_id=7, object_id=2)
    record("mentoring_goal_achieved", p["dan"], "2026-03-12 09:00", programme_id=7, object_id=1)
    record("mentoring_meeting_scheduled", p["dan"], "2026-03-07 09:00", programme_id=7)
    record("mentoring_checkin_answered", p["eve"], "2026-03-13 09:00", programme_id=7)
    record("challenge_joined", p["fay"], "2026-03-01 09:00", challenge_id=3)
    record("step_completed", p["fay"], "2026-03-09 09:00", challenge_id=3, object_id=1)
    record("welcomed", p["cat"], "2026-03-04 10:00", challenge_id=3, target_user=p["fay"])

    with django_assert_num_queries(1):
        summary, tables = figures.overview_figures(PERIOD)

    assert summary == figures.scope_figures(PERIOD)
    for kind in ("community", "programme", "session", "challenge"):
        assert tables[kind] == figures.scope_table(PERIOD, kind), kind
    assert [row.name for row in tables["challenge"]] == ["30 days of SQL", "Nobody yet"]
    assert (tables["session"][0].questions, tables["session"][0].answered) == (2, 1)
    assert tables["programme"][0].matches_accepted == 1
    mentoring = tables["programme"][0]
    assert (mentoring.goals_set, mentoring.goals_achieved) == (2, 1)
    assert (mentoring.meetings_scheduled, mentoring.checkins_answered) == (1, 1)
