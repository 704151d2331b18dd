"""Dates a session cannot use and texts too long for it: refused with a message, never a 500."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from expertqa import services
from expertqa.models import Answer, Question, Session, org_today
from tests.crawl import distinct_words

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _create_data(community, topic, expert, starts_at: str) -> dict:
    return {
        "title": "Ask the SRE team",
        "kind": "ask",
        "community": community.pk,
        "topic": topic.pk,
        "experts": expert.email,
        "starts_at": starts_at,
        "duration": 60,
    }


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        ("9999-12-31T23:59", "Choose a start within the next two years."),
        ("2999-01-01T10:00", "Choose a start within the next two years."),
        ("0001-01-01T00:00", "Choose a start time in the future."),
    ],
)
def test_a_start_no_calendar_can_use_gets_a_message(
    client, manager, community, topic, expert, starts_at, message
):
    client.force_login(manager)
    response = client.post(
        reverse("expertqa:create"), _create_data(community, topic, expert, starts_at)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Session.objects.exists()


def test_a_start_within_two_years_is_fine(client, manager, community, topic, expert):
    client.force_login(manager)
    starts = timezone.localtime(timezone.now() + timedelta(days=700))
    response = client.post(
        reverse("expertqa:create"),
        _create_data(community, topic, expert, starts.strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 302


def test_the_session_form_tells_the_browser_its_window(client, manager, community):
    client.force_login(manager)
    page = client.get(reverse("expertqa:create")).content.decode()
    assert f'min="{(timezone.localdate() - timedelta(days=1)):%Y-%m-%d}T00:00"' in page


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_moving_a_session_out_of_range_gets_a_message(client, make_session, manager, starts_at):
    session = make_session(starts_in=timedelta(days=2))
    client.force_login(manager)
    data = {
        "title": session.title,
        "description": "",
        "experts": ", ".join(e.email for e in session.experts.all()),
        "starts_at": starts_at,
        "duration": 60,
    }
    response = client.post(reverse("expertqa:edit", args=[session.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a start" in html
    session.refresh_from_db()
    assert session.sequence == 0


def test_the_services_refuse_a_start_past_two_years_too(make_session, manager):
    session = make_session(starts_in=timedelta(days=2))
    far = timezone.now() + timedelta(days=3 * 365)
    with pytest.raises(ValidationError) as error:
        services.session_update(
            session=session,
            by=manager,
            title=session.title,
            description="",
            experts=list(session.experts.all()),
            starts_at=far,
            ends_at=far + timedelta(hours=1),
        )
    assert error.value.message_dict["starts_at"] == ["Choose a start within the next two years."]


@pytest.mark.parametrize(
    ("deferred_to", "message"),
    [
        ("9999-12-31", "Promise an answer within a year"),
        ("0001-01-01", "Choose a date in the future"),
    ],
)
def test_a_deferral_date_out_of_range_gets_a_message(
    client, open_session, asker, expert, deferred_to, message
):
    question = services.question_ask(session=open_session, author=asker, body="Later?")
    client.force_login(expert)
    response = client.post(
        reverse("expertqa:defer", args=[question.pk]),
        {"deferred_to": deferred_to, "note": "Checking"},
        **HTMX,
    )
    assert response.status_code < 500
    assert message in response.content.decode()
    question.refresh_from_db()
    assert question.deferred_to is None


def test_the_deferral_service_refuses_a_date_past_a_year_and_a_long_note(
    open_session, asker, expert
):
    question = services.question_ask(session=open_session, author=asker, body="Later?")
    with pytest.raises(ValidationError, match="within a year"):
        services.question_defer(
            question=question, by=expert, to=org_today() + timedelta(days=400), note="Soon"
        )
    with pytest.raises(ValidationError, match="Keep it under 500 characters"):
        services.question_defer(
            question=question, by=expert, to=org_today() + timedelta(days=3), note="n" * 501
        )


def test_questions_and_answers_over_their_maximum_are_refused(open_session, asker, expert):
    with pytest.raises(ValidationError, match=r"Keep it under 2,000 characters \(you wrote"):
        services.question_ask(session=open_session, author=asker, body=distinct_words(2_001))
    question = services.question_ask(session=open_session, author=asker, body="Why?")
    with pytest.raises(ValidationError, match=r"Keep it under 10,000 characters \(you wrote"):
        services.answer_create(question=question, author=expert, body=distinct_words(10_001))
    assert Question.objects.count() == 1
    assert not Answer.objects.exists()


def test_a_long_record_is_cut_to_fit_the_thread_and_points_to_the_board(
    make_session, asker, expert
):
    session = make_session(starts_in=timedelta(minutes=-10))
    for n in range(5):
        question = services.question_ask(session=session, author=asker, body=f"Question {n}?")
        services.answer_create(question=question, author=expert, body=distinct_words(9_000))
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=2)
    )
    session.refresh_from_db()
    assert services.session_thread_sync(session=session)
    session.thread.refresh_from_db()
    body = session.thread.body
    assert len(body) <= 20_000
    assert "## Questions and answers (5)" in body
    assert "3 more questions and the answers are on [the board]" in body
