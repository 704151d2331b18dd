"""Someone joins a challenge, sees today's step, answers it and sees their progress move."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from challenges import services
from challenges.models import Completion
from communities.services import community_create
from tests.challenges.conftest import make_challenge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_join_answer_today_and_see_the_progress_bar_move(new_page):
    designer = UserFactory()
    community = community_create(created_by=designer, name="Feedback practice", purpose="x")
    challenge = make_challenge(
        community=community,
        designer=designer,
        start=timezone.localdate() - timedelta(days=1),
        release_time=time(0, 0),
        steps=4,
        title="Thirty days of feedback",
    )
    services.post_due()
    learner = UserFactory()
    page = new_page(learner)

    page.goto("/challenges/")
    page.get_by_role("link", name="Thirty days of feedback").click()
    page.get_by_role("button", name="Join the challenge").click()

    page.get_by_role("heading", name="Step 2").wait_for()
    progress = page.locator("#today progress")
    assert progress.get_attribute("value") == "0"
    assert progress.get_attribute("max") == "4"

    page.get_by_label("Your answer").fill("I asked two colleagues for feedback on my demo.")
    page.get_by_role("button", name="Answer").click()

    page.get_by_text("✓ Done").wait_for()
    assert page.locator("#today progress").get_attribute("value") == "1"
    assert page.get_by_text("1 of 4 steps done").is_visible()
    assert page.get_by_text("I asked two colleagues for feedback on my demo.").is_visible()
    assert Completion.objects.filter(user=learner, challenge=challenge).count() == 1
