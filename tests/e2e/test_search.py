"""The one search in the browser: the header box as you type, and similar questions while
asking. Set E2E_SCREENSHOTS=<folder> to keep screenshots at desktop and phone width."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from communities.models import Thread
from communities.services import (
    answer_accept,
    community_create,
    membership_join,
    reply_create,
    thread_create,
)
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


@pytest.fixture
def org():
    kube = TopicFactory(name="Kubernetes", description="Running containers at scale")
    manager = UserFactory(profile__display_name="Maria Manager", profile__job_title="SRE lead")
    asker = UserFactory(profile__display_name="Ana Asker")
    UserFactory(profile__display_name="Kubo Tanaka", profile__job_title="Platform engineer")
    community = community_create(
        created_by=manager,
        name="Platform guild",
        purpose="Kubernetes, CI and the platform we share",
        topics=[kube],
    )
    membership_join(community=community, user=asker)
    thread = thread_create(
        community=community,
        author=asker,
        kind=Thread.Kind.QUESTION,
        title="How do we upgrade Kubernetes clusters?",
        body="We run **kubectl drain** by hand every quarter. Is there a better way?",
        topics=[kube],
    )
    reply = reply_create(thread=thread, author=manager, body="Drain one node pool at a time.")
    answer_accept(thread=thread, reply=reply, accepted_by=asker)
    thread_create(
        community=community,
        author=manager,
        kind=Thread.Kind.TIP,
        title="Kubernetes: read the release notes first",
        body="Deprecated APIs go away in *minor* releases.",
        topics=[kube],
    )
    return {"community": community, "asker": asker, "thread": thread}


@pytest.mark.parametrize("width", [1280, 390])
def test_typing_kube_in_the_header_box_opens_a_result(new_page, org, width):
    page = new_page(org["asker"], width=width, height=900)
    page.goto(reverse("home"))
    box = page.get_by_role("combobox", name="Search everything")
    box.click()
    box.press_sequentially("kube", delay=40)
    listbox = page.locator("#site-search-list")
    listbox.get_by_role("option", name="How do we upgrade Kubernetes clusters?").wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    _shot(page, f"header-suggestions-{width}")
    # Arrow keys walk the options; Enter opens the chosen one.
    options = listbox.get_by_role("option")
    names = [options.nth(i).inner_text() for i in range(options.count())]
    target = next(i for i, n in enumerate(names) if "upgrade Kubernetes" in n)
    for _ in range(target + 1):
        box.press("ArrowDown")
    assert "is-active" in (options.nth(target).get_attribute("class") or "")
    box.press("Enter")
    page.get_by_role("heading", name="How do we upgrade Kubernetes clusters?").wait_for()
    assert page.url.endswith(org["thread"].get_absolute_url())


@pytest.mark.parametrize("width", [1280, 390])
def test_enter_without_a_choice_shows_the_results_page(new_page, org, width):
    page = new_page(org["asker"], width=width, height=1100)
    page.goto(reverse("home"))
    box = page.get_by_role("combobox", name="Search everything")
    box.fill("kube")
    box.press("Enter")
    page.get_by_role("heading", name="Threads and replies").wait_for()
    page.get_by_role("heading", name="Tips").wait_for()
    assert page.locator(".search-hit-excerpt mark").count() >= 1
    assert "**" not in page.locator("#search-results").inner_text()
    _shot(page, f"results-{width}")
    page.get_by_role("link", name="Kubo Tanaka").click()
    page.get_by_role("heading", name="Kubo Tanaka").wait_for()


def test_a_question_like_an_answered_one_is_suggested_while_asking(new_page, org):
    page = new_page(org["asker"])
    page.goto(reverse("communities:thread_create", args=[org["community"].slug]) + "?kind=question")
    page.get_by_label("Title").press_sequentially("upgrading kubernetes", delay=30)
    similar = page.locator("#similar-questions")
    similar.get_by_role("link", name="How do we upgrade Kubernetes clusters?").wait_for()
    assert "Answered" in similar.inner_text()
    _shot(page, "similar-questions-1280")
