"""The pickers in the browser, by keyboard: @mention autocomplete in a post's text and the
searchable topic picker on the thread form."""

import pytest
from django.urls import reverse

from communities.services import community_create, membership_join
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def org():
    topics = [
        TopicFactory(name=name)
        for name in ("Kubernetes", "Helm", "Negotiation", "Python", "Leadership", "Finance")
    ]
    author = UserFactory(email="ana.lopez@example.com", profile__display_name="Ana López")
    writer = UserFactory(profile__display_name="Walt Writer")
    community = community_create(
        created_by=author, name="Platform guild", purpose="The platform we share", topics=topics
    )
    membership_join(community=community, user=writer)
    return community, writer


def test_mentions_and_topics_are_picked_with_the_keyboard(org, new_page):
    community, writer = org
    page = new_page(writer)
    page.goto(reverse("communities:thread_create", args=[community.slug]))
    text = page.get_by_label("Text")
    text.click()
    text.type("Thanks @an")
    option = page.get_by_role("option", name="Ana López (@ana.lopez)")
    option.wait_for()
    text.press("Enter")
    assert text.input_value() == "Thanks @ana.lopez "

    finder = page.get_by_label("Find topics")
    finder.type("kube")
    assert not page.locator("option", has_text="Helm").is_visible()
    finder.press("Enter")
    chosen = page.locator("select[name=topics]").evaluate(
        "s => Array.from(s.selectedOptions).map(o => o.text)"
    )
    assert chosen == ["Kubernetes"]
    assert page.get_by_role("button", name="Remove Kubernetes").is_visible()


def test_the_topic_picker_asks_the_server_and_is_worked_by_keyboard(org, new_page):
    community, writer = org
    page = new_page(writer)
    page.goto(reverse("communities:thread_create", args=[community.slug]))
    finder = page.get_by_label("Find topics")
    suggested = page.get_by_role("listbox", name="Suggested topics")
    # A typo the names on the page do not contain: the server's suggestions find it.
    finder.type("negotation")
    suggestion = suggested.get_by_role("option", name="Negotiation")
    suggestion.wait_for()
    assert finder.get_attribute("aria-expanded") == "true"
    finder.press("Enter")
    # A later word of a name, moved to with the arrow keys.
    finder.type("py")
    suggested.get_by_role("option", name="Python").wait_for()
    finder.press("ArrowDown")
    finder.press("ArrowUp")
    finder.press("Enter")
    finder.type("hel")
    suggested.get_by_role("option", name="Helm").wait_for()
    finder.press("Escape")
    assert not suggested.get_by_role("option", name="Helm").is_visible()
    chosen = page.locator("select[name=topics]").evaluate(
        "s => Array.from(s.selectedOptions).map(o => o.text)"
    )
    assert sorted(chosen) == ["Negotiation", "Python"]
    assert page.get_by_role("button", name="Remove Negotiation").is_visible()
