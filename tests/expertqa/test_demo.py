import io

import pytest
from django.utils import timezone

from communities.models import Community
from expertqa.demo import seed_demo
from expertqa.models import LiveEvent, LiveMessage, Poll, Question, Series, Session
from expertqa.selectors import session_state
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_past_live_upcoming_and_a_series_once():
    UserFactory.create_batch(8)
    out = io.StringIO()
    seed_demo(scale=10, stdout=out)
    assert Community.objects.count() == 1  # none existed: one was made to host the sessions
    states = {session_state(s) for s in Session.objects.all()}
    assert {"scheduled", "open", "closed"} <= states
    assert Series.objects.get().sessions.count() == 3
    past = Session.objects.get(title__startswith="Ask the analytics team")
    assert past.questions.filter(answered_at__isnull=False).exists()
    assert past.questions.filter(deferred_to__isnull=False).exists()
    counts = (Session.objects.count(), Question.objects.count())
    seed_demo(scale=10, stdout=out)
    assert (Session.objects.count(), Question.objects.count()) == counts


def test_sessions_already_under_way_in_the_demo_send_no_late_reminder():
    """The live ones began before the seed ran: a "Starting at 08:22" reminder at 08:43 to
    every invitee is noise in the demo's inboxes (and its first minute of log)."""
    from expertqa.services import send_due_reminders

    UserFactory.create_batch(8)
    seed_demo(scale=10, stdout=io.StringIO())
    now = timezone.now()
    assert Session.objects.filter(starts_at__lte=now, ends_at__gt=now).exists()
    assert not Session.objects.filter(starts_at__lte=now, reminded_at__isnull=True).exists()
    assert send_due_reminders(now=now)["reminded"] == 0


def test_the_demo_seeds_an_upcoming_event_a_finished_one_kept_and_a_live_chat_once():
    UserFactory.create_batch(8)
    out = io.StringIO()
    seed_demo(scale=10, stdout=out)
    now = timezone.now()

    upcoming = LiveEvent.objects.get(session__title="All-hands: the year ahead")
    assert upcoming.session.starts_at > now
    assert upcoming.agenda
    assert upcoming.closed_at is None

    finished = LiveEvent.objects.select_related("kept_thread").get(
        session__title__startswith="Town hall"
    )
    assert finished.closed_at is not None
    assert finished.session.ends_at < now
    kept = finished.kept_thread
    record = kept.body + "".join(r.body for r in kept.replies.all())
    # Everything is in the kept thread: the backchannel, the questions with answers, the poll.
    assert "Lisbon office" in record
    assert "Are we hiring in engineering" in record
    assert "How clear is the plan" in record
    assert Poll.objects.get(session=finished.session).ballot_count > 0

    chat = LiveEvent.objects.get(format=LiveEvent.Format.CHAT)
    assert chat.is_live(now)
    prompts = list(chat.prompts.all())
    assert [p.number for p in prompts] == [1, 2, 3]
    assert [p.released_at is not None for p in prompts] == [True, True, False]
    assert LiveMessage.objects.filter(event=chat, prompt=prompts[0]).exists()
    assert not LiveMessage.objects.filter(event=chat, created_at__gt=now).exists()

    counts = (LiveEvent.objects.count(), LiveMessage.objects.count(), Poll.objects.count())
    seed_demo(scale=10, stdout=out)
    assert (LiveEvent.objects.count(), LiveMessage.objects.count(), Poll.objects.count()) == counts
    assert counts[0] == 3


def test_the_all_hands_is_seeded_live_in_the_biggest_community_at_every_size(community):
    """The bench opens the all-hands board at both sizes: the demo organisation needs one too,
    with more questions than the board's first window, open whenever the seed last ran."""
    from communities.services import membership_join
    from expertqa.bulk_demo import FEWEST_QUESTIONS, TITLE, seed_bulk

    for person in UserFactory.create_batch(12):
        membership_join(community=community, user=person)
    out = io.StringIO()
    seed_bulk(scale=300, stdout=out)
    session = Session.objects.get(title=TITLE)
    assert session.community == community
    assert session_state(session) == "open"
    assert session.questions.count() == FEWEST_QUESTIONS
    Session.objects.filter(pk=session.pk).update(ends_at=timezone.now())
    seed_bulk(scale=300, stdout=out)
    session.refresh_from_db()
    assert session_state(session) == "open"
    assert Question.objects.filter(session=session).count() == FEWEST_QUESTIONS
