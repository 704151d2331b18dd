"""The session page writes its rows of questions in Python (`question_rows`) for a viewer with
no tools on them; each row is the markup of the template's row (apart from whitespace between
tags), in every state a question can be in, open board or closed, in every language, and an
anonymous asker is never named."""

import re
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from expertqa import services
from expertqa.models import Question
from expertqa.views import _board_context
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _squeezed(html: str) -> str:
    html = re.sub(r'(csrfmiddlewaretoken" value=")[^"]+', r"\1T", html)
    return " ".join(html.split()).replace("> <", "><")


def _rows_both_ways(session, viewer) -> tuple[str, str]:
    request = RequestFactory().get(f"/sessions/{session.pk}/")
    request.user = viewer
    request.htmx = False
    context = _board_context(request, session, sort="votes")
    assert context["plain_rows"]
    window = "expertqa/session_detail.html#window"
    written = render_to_string(window, context, request)
    by_template = render_to_string(window, {**context, "plain_rows": False}, request)
    return _squeezed(by_template), _squeezed(written)


def _board_of_every_kind(session, expert, manager, asker, member):
    at = session.starts_at + timedelta(minutes=1)
    marked_up = UserFactory(profile__display_name="<b>Bold</b> & co")
    ask = services.question_ask
    waiting = ask(session=session, author=asker, body="Plain <b>one</b> & more?", now=at)
    mine_anonymous = ask(session=session, author=member, body="Mine?", is_anonymous=True, now=at)
    ask(session=session, author=asker, body="Someone's?", is_anonymous=True, now=at)
    answered = ask(session=session, author=marked_up, body="Answered?", now=at)
    services.answer_create(question=answered, author=expert, body="**Yes** <i>x</i>", now=at)
    deferred = ask(session=session, author=asker, body="Later?", now=at)
    services.question_defer(
        question=deferred,
        by=expert,
        to=(timezone.now() + timedelta(days=3)).date(),
        note='Need <data> & "numbers"',
        now=at,
    )
    overdue = ask(session=session, author=asker, body="Overdue?", now=at)
    services.question_defer(
        question=overdue, by=expert, to=(at + timedelta(days=2)).date(), note="Soon", now=at
    )
    Question.objects.filter(pk=overdue.pk).update(
        deferred_to=(timezone.now() - timedelta(days=2)).date()
    )
    duplicate = ask(session=session, author=member, body="Same as the first?", now=at)
    services.question_merge(duplicate=duplicate, into=waiting, by=manager)
    services.vote_toggle(question=answered, user=member, now=at)
    return [waiting, mine_anonymous]


@pytest.mark.parametrize("language", ["en-gb", "de"])
@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("viewer", ["member", "expert", "moderator"])
def test_question_rows_are_the_row_templates_markup(
    make_session, expert, manager, asker, member, language, closed, viewer
):
    starts_in = timedelta(hours=-3) if closed else timedelta(minutes=-10)
    session = make_session(starts_in=starts_in)
    _board_of_every_kind(session, expert, manager, asker, member)
    session.refresh_from_db()
    reader = {"member": member, "expert": expert, "moderator": manager}[viewer]
    with translation.override(language):
        by_template, written = _rows_both_ways(session, reader)
    assert written == by_template
    # An expert answers and defers what is not answered yet; the moderator hides and merges.
    assert written.count('name="body"') == (6 if viewer == "expert" else 0)
    assert written.count('name="deferred_to"') == (5 if viewer == "expert" else 0)
    assert written.count('name="into"') == (6 if viewer == "moderator" else 0)
    if viewer != "member":
        return
    assert written.count('<li id="question-') == 6  # the duplicate merged away
    assert "Alex Asker" in written  # named where not anonymous, never where anonymous
    assert "Morgan Member" not in written
    assert ("eqa-voted" in written) is not closed
    assert ("eqa-vote-closed" in written) is closed
