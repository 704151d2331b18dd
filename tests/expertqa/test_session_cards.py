"""The session list writes its cards in Python (`session_cards`); each card is the markup of
expertqa/_session_card.html (apart from whitespace between tags), for a session in every
state (scheduled, cancelled, open, closed with questions owed and overdue, kept), with or
without a series and a recording, in every language."""

from datetime import timedelta

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from expertqa import selectors, services
from expertqa.models import Question, Session
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _squeezed(html: str) -> str:
    return " ".join(html.split()).replace("> <", "><")


def _sessions_of_every_state(make_session, manager, expert, asker, community, topic):
    series = services.series_create(title="Data <Fridays> & co", community=community, topic=topic)
    make_session(starts_in=timedelta(days=2), title="Ahead <b>bold</b>", series=series)
    cancelled = make_session(starts_in=timedelta(days=3), title="Called off")
    services.session_cancel(session=cancelled, by=manager, note="Sorry")
    live = make_session(title="Live & well")
    services.question_ask(session=live, author=asker, body="Now?")
    closed = make_session(starts_in=timedelta(hours=-3), title="Closed, owing")
    at = closed.starts_at + timedelta(minutes=5)
    services.question_ask(session=closed, author=asker, body="Owed?", now=at)
    late = services.question_ask(session=closed, author=asker, body="Overdue?", now=at)
    services.question_defer(
        question=late, by=expert, to=(at + timedelta(days=2)).date(), note="Soon", now=at
    )
    Question.objects.filter(pk=late.pk).update(
        deferred_to=(timezone.now() - timedelta(days=2)).date()
    )
    kept = make_session(starts_in=timedelta(days=-2), title="Kept", series=series)
    answered = services.question_ask(
        session=kept, author=asker, body="Kept?", now=kept.starts_at + timedelta(minutes=5)
    )
    services.answer_create(
        question=answered, author=expert, body="Yes", now=kept.starts_at + timedelta(minutes=9)
    )
    make_session(starts_in=timedelta(days=-4), title="Nobody asked")
    Session.objects.filter(pk=kept.pk).update(recording_url="https://example.com/?a=1&b=2")
    second = UserFactory(profile__display_name="<i>Second</i> expert")
    live.experts.add(second)


@pytest.mark.parametrize("language", ["en-gb", "de"])
def test_session_cards_are_the_card_templates_markup(
    make_session, manager, expert, asker, community, topic, language
):
    _sessions_of_every_state(make_session, manager, expert, asker, community, topic)
    listing = selectors.session_listing(asker)
    sessions = [*listing.live, *listing.upcoming, *listing.past]
    assert {s.state for s in sessions} == {"scheduled", "cancelled", "open", "closed", "kept"}
    with translation.override(language):
        one_by_one = "".join(
            render_to_string("expertqa/_session_card.html", {"s": s}) for s in sessions
        )
        written = (
            engines["django"]
            .from_string("{% load expertqa_tags %}{% session_cards sessions %}")
            .render({"sessions": sessions})
        )
    assert _squeezed(written) == _squeezed(one_by_one)
    assert written.count("<li ") == 6
    assert "&lt;i&gt;Second&lt;/i&gt; expert" in written
