"""Someone joins a challenge, sees today's step, answers it and sees their progress move."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

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

    page.get_by_text("Step done.").wait_for()
    assert page.locator("#today progress").get_attribute("value") == "1"
    assert page.get_by_text("1 of 4 steps done").is_visible()
    assert page.get_by_text("I asked two colleagues for feedback on my demo.").is_visible()
    assert Completion.objects.filter(user=learner, challenge=challenge).count() == 1


def test_a_curator_reorders_the_flow_queue_from_the_keyboard(new_page):
    from challenges.models import FlowItem

    curator = UserFactory()
    community = community_create(created_by=curator, name="Tips corner", purpose="x")
    flow = services.flow_create(community=community, curator=curator, name="Daily tips")
    for title in ("Alpha tip", "Bravo tip", "Charlie tip"):
        services.flow_item_add(flow=flow, kind=FlowItem.Kind.TIP, title=title, body="x")
    page = new_page(curator)
    page.goto(f"/challenges/flows/{flow.pk}/")

    page.get_by_role("button", name="Move “Charlie tip” up").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#queue li").nth(1)).to_contain_text("Charlie tip")
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Move “Charlie tip” up")
    titles = list(flow.items.order_by("position").values_list("title", flat=True))
    assert titles == ["Alpha tip", "Charlie tip", "Bravo tip"]
