import pytest
from django.urls import reverse

from communities.models import Flag, ModerationAction, Thread
from communities.services import community_create, membership_join, reply_create, thread_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people():
    manager = UserFactory(profile__display_name="Maria Manager")
    asker = UserFactory(profile__display_name="Ana Asker")
    answerer = UserFactory(profile__display_name="Ben Answerer")
    community = community_create(
        created_by=manager, name="Spreadsheet friends", purpose="Learn spreadsheets together"
    )
    membership_join(community=community, user=asker)
    membership_join(community=community, user=answerer)
    return community, manager, asker, answerer


def test_a_question_is_asked_answered_and_the_answer_accepted(new_page, people):
    community, _manager, asker, answerer = people
    page = new_page(asker)
    page.goto(community.get_absolute_url())
    page.get_by_role("button", name="Ask a question").click()
    page.get_by_label("Title").fill("How do I freeze the top row?")
    page.get_by_label("Text").fill("It scrolls away every time.")
    page.get_by_role("button", name="Post").click()
    page.get_by_role("heading", name="How do I freeze the top row?").wait_for()
    thread_url = page.url

    other = new_page(answerer)
    other.goto(thread_url)
    other.get_by_label("Your reply").fill("View → Freeze → 1 row.")
    other.get_by_role("button", name="Reply").click()
    other.get_by_text("View → Freeze → 1 row.").wait_for()

    page.goto(thread_url)
    page.get_by_role("button", name="Accept this answer").click()
    page.get_by_text("Accepted answer").wait_for()
    thread = Thread.objects.get(title="How do I freeze the top row?")
    assert thread.accepted_reply.author == answerer


def test_a_manager_hides_a_flagged_post(new_page, people):
    community, manager, asker, answerer = people
    thread = thread_create(
        community=community,
        author=asker,
        kind="discussion",
        title="Favourite formulas",
        body="Share yours",
    )
    reply_create(thread=thread, author=answerer, body="This reply is rude and unkind")

    page = new_page(asker)
    page.goto(thread.get_absolute_url())
    page.locator(".cm-reply").get_by_role("link", name="Flag").click()
    dialog = page.get_by_role("dialog", name="Flag this post")
    dialog.get_by_label("Offensive or unkind").check()
    dialog.get_by_label("A note for the managers").fill("Rude to others")
    dialog.get_by_role("button", name="Send to the managers").click()
    page.get_by_text("the managers will have a look").wait_for()
    assert Flag.objects.get().category == "offensive"

    mod = new_page(manager)
    mod.goto(reverse("communities:moderation", args=[community.slug]))
    item = mod.locator(".cm-queue-item", has_text="Rude to others")
    item.wait_for()
    item.get_by_label("Why").fill("Not how we talk here")
    item.get_by_role("button", name="Hide").click()
    mod.get_by_text("The reply is hidden.").wait_for()
    mod.locator(".cm-log").get_by_text("Not how we talk here").wait_for()
    assert ModerationAction.objects.filter(action="hide", actor=manager).exists()

    page.goto(thread.get_absolute_url())
    page.get_by_role("heading", name="Favourite formulas").wait_for()
    assert page.get_by_text("This reply is rude and unkind").count() == 0


def test_reactions_toggle_without_a_page_load(new_page, people):
    community, manager, asker, _answerer = people
    thread = thread_create(
        community=community, author=manager, kind="tip", title="Use named ranges", body="..."
    )
    page = new_page(asker)
    page.goto(thread.get_absolute_url())
    button = page.locator("#thread .cm-reaction").first
    button.click()
    page.locator("#thread .cm-reaction.cm-mine").first.wait_for()
    thread.refresh_from_db()
    assert thread.reaction_count == 1
