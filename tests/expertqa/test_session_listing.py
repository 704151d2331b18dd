"""The session list reads its rows without a search in SQL written once
(selectors._listing_rows); these tests hold it to the ORM's read of the same rows
(selectors._searched_listing_rows with an empty search) for readers who may see different
communities, for sessions in every state, and for every page of the past ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Community
from communities.services import community_create, membership_join
from expertqa import selectors, services
from tests.expertqa.test_session_cards import _sessions_of_every_state
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _card(session, upcoming: bool) -> tuple:
    """What a card shows of a session, as the listing leaves it."""
    series = session.series and (session.series.pk, session.series.title, session.series.slug)
    return (
        session.pk,
        session.title,
        session.get_kind_display(),
        session.starts_at,
        session.ends_at,
        session.cancelled_at,
        session.recording_url,
        session.topic.name,
        session.community.name,
        series,
        # The upcoming cards show no record: their counts are not read.
        None if upcoming else tuple(getattr(session, n) for n in selectors.RECORD_COUNTS),
    )


def _cards(past, sessions, now) -> tuple:
    upcoming = [s for s in sessions if s.starts_at > now or s.ends_at > now and s.cancelled_at]
    others = [s for s in sessions if s not in upcoming]
    selectors.add_record_counts(others)
    page = (past.number, past.paginator.count, past.paginator.num_pages)
    return page, sorted(
        [_card(s, upcoming=True) for s in upcoming] + [_card(s, upcoming=False) for s in others]
    )


def _assert_same_rows(user, now, *, page, per_page=20):
    written = selectors._listing_rows(user, now, page=page, per_page=per_page)
    orm = selectors._searched_listing_rows(user, "", now, page=page, per_page=per_page)
    assert _cards(*written, now) == _cards(*orm, now)
    return written


def test_the_listing_reads_what_the_orm_reads_for_sessions_in_every_state(
    make_session, manager, expert, asker, community, topic
):
    _sessions_of_every_state(make_session, manager, expert, asker, community, topic)
    now = timezone.now()
    past, sessions = _assert_same_rows(asker, now, page=1)
    assert len(sessions) == 6
    counted = {s.title: s.record_counts for s in sessions if s.ends_at <= now}
    # Closed, owing: one owed, one overdue; Kept: one answered; Nobody asked: none.
    assert counted["Closed, owing"] == {
        "n_questions": 2,
        "n_answered": 0,
        "n_deferred": 0,
        "n_delivered": 0,
        "n_overdue": 1,
        "n_open": 1,
    }
    assert counted["Kept"]["n_answered"] == 1
    assert counted["Nobody asked"]["n_questions"] == 0


def test_the_listing_reads_the_sessions_of_the_communities_each_reader_may_see(
    make_session, manager, asker, topic
):
    private = community_create(
        created_by=manager,
        name="Quiet guild",
        purpose="Talks for members.",
        visibility=Community.Visibility.PRIVATE,
        topics=[topic],
    )
    for starts_in in (timedelta(days=-3), timedelta(minutes=-5), timedelta(days=3)):
        make_session(starts_in=starts_in, title="Open to all")
        make_session(starts_in=starts_in, title="For members", community=private)
    insider, outsider = UserFactory(), UserFactory()
    membership_join(community=private, user=insider)
    now = timezone.now()
    for reader, shown in ((insider, 6), (outsider, 3), (manager, 6)):
        _past, sessions = _assert_same_rows(reader, now, page=1)
        assert len(sessions) == shown


@pytest.mark.parametrize("page", [1, 2, 3, "4", "not a number", 99])
def test_the_listing_reads_every_page_of_the_past_sessions_as_the_orm_does(
    make_session, asker, page
):
    for day in range(1, 6):
        # Two sessions that closed at the same moment: the id orders them.
        make_session(starts_in=timedelta(days=-day), title=f"Day {day}")
        make_session(starts_in=timedelta(days=-day), title=f"Day {day}, again")
    make_session(title="Live")
    now = timezone.now()
    past, _sessions = _assert_same_rows(asker, now, page=page, per_page=4)
    assert past.paginator.num_pages == 3


def test_a_search_and_the_plain_list_show_the_same_cards(make_session, asker, expert):
    second = UserFactory(profile__display_name="Bea Second")
    for starts_in in (timedelta(days=-3), timedelta(minutes=-5), timedelta(days=3)):
        session = make_session(starts_in=starts_in, title="Ask the platform team")
        session.experts.add(second)
        services.question_ask(
            session=session, author=asker, body="Q?", now=session.starts_at + timedelta(minutes=1)
        )
    plain = selectors.session_listing(asker)
    searched = selectors.session_listing(asker, query="platform")

    def shown(listing):
        return [
            (s.pk, s.state, [u.pk for u in s.expert_list], getattr(s, "n_questions", None))
            for s in (*listing.live, *listing.upcoming, *listing.past)
        ]

    assert shown(plain) == shown(searched)
    assert [len(s.expert_list) for s in plain.live] == [2]
