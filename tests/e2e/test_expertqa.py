"""Two people on one live board: a question appears for the expert without a reload, the
answer appears for the asker, each behind a calm "new" bar."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import Community
from communities.services import community_create, membership_join
from expertqa.services import session_schedule
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

POLL_SECONDS = 2


@pytest.fixture
def live_session():
    topic = TopicFactory(name="Observability")
    manager = UserFactory(profile__display_name="Mia Manager")
    community = community_create(
        created_by=manager,
        name="SRE guild",
        purpose="Keeping things up.",
        anonymity=Community.Anonymity.ON,
        topics=[topic],
    )
    expert = UserFactory(profile__display_name="Erin Expert")
    asker = UserFactory(profile__display_name="Alex Asker")
    for person in (expert, asker):
        membership_join(community=community, user=person)
    session = session_schedule(
        created_by=manager,
        title="Ask the observability team",
        topic=topic,
        community=community,
        experts=[expert],
        starts_at=timezone.now() - timedelta(minutes=5),
        invite=False,
    )
    return session, asker, expert


def test_a_question_reaches_the_expert_and_the_answer_reaches_the_asker_without_reloads(
    new_page, live_session, settings
):
    settings.EXPERTQA_POLL_SECONDS = POLL_SECONDS
    session, asker, expert = live_session
    url = session.get_absolute_url()
    wait_ms = (POLL_SECONDS * 2 + 3) * 1000

    expert_page = new_page(user=expert)
    expert_page.goto(url)
    asker_page = new_page(user=asker, width=390, height=844)
    asker_page.goto(url)

    expert_page.evaluate("window.notReloaded = true")
    asker_page.get_by_label("Your question").fill("How long do we keep traces?")
    asker_page.get_by_role("button", name="Ask").click()
    asker_page.get_by_text("How long do we keep traces?").wait_for()

    bar = expert_page.locator("#board-news .eqa-news")
    bar.get_by_text("1 new question — Show").wait_for(timeout=wait_ms)
    assert expert_page.evaluate("window.notReloaded") is True
    # The bar sits over the page: the board did not change under the reader.
    assert expert_page.get_by_text("How long do we keep traces?").count() == 0
    bar.get_by_role("link").click()
    question = expert_page.locator(".eqa-question", has_text="How long do we keep traces?")
    question.wait_for()
    question.locator("summary", has_text="Answer").click()
    question.get_by_label("Your answer (Markdown)").fill("Thirty days, then sampled.")
    question.get_by_role("button", name="Post answer").click()
    expert_page.get_by_text("Thirty days, then sampled.").wait_for()

    asker_bar = asker_page.locator("#board-news .eqa-news")
    asker_bar.get_by_text("1 new answer — Show").wait_for(timeout=wait_ms)
    asker_page.get_by_label("Your question").fill("And the logs?")  # a draft in progress
    asker_bar.get_by_role("link").click()
    asker_page.get_by_text("Thirty days, then sampled.").wait_for()
    assert asker_page.locator("#board-news .eqa-news").count() == 0
    # Showing the new answer kept what the asker was typing.
    expect(asker_page.get_by_label("Your question")).to_have_value("And the logs?")


def test_show_more_appends_the_next_window_of_questions_in_place(
    new_page, live_session, monkeypatch
):
    from expertqa.services import question_ask

    monkeypatch.setattr("expertqa.views.BOARD_WINDOW", 3)
    session, asker, _expert = live_session
    for i in range(5):
        question_ask(session=session, author=asker, body=f"Question number {i}?")
    page = new_page(user=asker)
    page.goto(session.get_absolute_url() + "?sort=new")
    expect(page.locator(".eqa-question")).to_have_count(3)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Show more questions").click()
    expect(page.locator(".eqa-question")).to_have_count(5)
    expect(page.get_by_text("Question number 0?")).to_be_visible()
    expect(page.get_by_role("link", name="Show more questions")).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True
