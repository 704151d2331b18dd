"""A board's window of questions is read in SQL written once (selectors._board_window); these
tests hold it to the ORM's read of the same window (selectors._board_rows) in both orders, on
every page, with votes (the reader's and others'), merged duplicates and hidden questions."""

from datetime import timedelta

import pytest

from expertqa import selectors, services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _rows(questions) -> list[tuple]:
    names = [f.attname for f in type(questions[0])._meta.concrete_fields] if questions else []
    return [
        (*(getattr(q, n) for n in names), q.n_duplicates, getattr(q, "voted", False))
        for q in questions
    ]


def test_the_window_reads_what_the_orm_reads_in_both_orders_on_every_page(
    make_session, asker, member, manager
):
    session = make_session()
    at = session.starts_at + timedelta(minutes=1)
    questions = [
        services.question_ask(session=session, author=asker, body=f"Question {i}?", now=at)
        for i in range(9)
    ]
    for i, q in enumerate(questions[:6]):
        for voter in (member, UserFactory(), asker)[: i % 3 + 1]:
            services.vote_toggle(question=q, user=voter, now=at)
    services.question_merge(duplicate=questions[7], into=questions[0], by=manager)
    services.question_merge(duplicate=questions[8], into=questions[0], by=manager)
    services.question_hide(question=questions[6], by=manager)
    for reader in (member, asker, manager):
        for sort in ("votes", "new", "nonsense"):
            order = selectors.BOARD_ORDERS.get(sort, selectors.BOARD_ORDERS["votes"])
            for offset in (0, 2, 4, 6, 12):
                written = selectors._board_window(session, reader, sort, offset=offset, limit=3)
                orm = list(
                    selectors._board_rows(session, reader).order_by(*order)[offset : offset + 3]
                )
                assert _rows(written) == _rows(orm)
    first = selectors._board_window(session, member, "votes", offset=0, limit=10)
    assert len(first) == 6
    assert {q.pk: q.n_duplicates for q in first}[questions[0].pk] == 2
    assert all(q.voted for q in first)  # the member voted for every question left
    by_asker = selectors._board_window(session, asker, "votes", offset=0, limit=10)
    assert sum(q.voted for q in by_asker) == 2
