import io

import pytest

from communities.models import Community
from expertqa.demo import seed_demo
from expertqa.models import Question, Series, Session
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
