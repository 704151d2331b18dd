import io

import pytest

from challenges.demo import CHALLENGE_TITLE, seed_demo
from challenges.models import Challenge, Completion, Flow
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_demo_seeds_a_running_challenge_and_a_flow_once():
    for _ in range(10):
        UserFactory()
    seed_demo(scale=100, stdout=io.StringIO())
    seed_demo(scale=100, stdout=io.StringIO())
    challenge = Challenge.objects.get(title=CHALLENGE_TITLE)
    assert challenge.is_published
    assert challenge.participants.count() >= 8
    assert Completion.objects.filter(challenge=challenge).exists()
    assert challenge.steps.filter(posted_at__isnull=False, posted_late=False).count() >= 9
    assert Flow.objects.count() == 1
