"""A new account goes through the first-run setup and lands on a home page showing the
communities it joined. Set E2E_SCREENSHOTS=<folder> to keep screenshots of each step."""

import os
from pathlib import Path

import pytest

from communities.services import community_create
from tests.factories import LocationFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def org():
    kube = TopicFactory(name="Kubernetes")
    TopicFactory(name="Negotiation")
    LocationFactory(name="Lisbon", time_zone="Europe/Lisbon")
    manager = UserFactory(
        profile__display_name="Maria Manager",
        profile__job_title="SRE lead",
        profile__expertise=[kube],
    )
    community_create(
        created_by=manager,
        name="Platform guild",
        purpose="Kubernetes, CI and the platform we share",
        topics=[kube],
    )
    return kube


@pytest.mark.parametrize("width", [1280, 390])
def test_a_new_account_is_set_up_and_lands_home_with_its_communities(org, new_page, width):
    page = new_page(width=width, height=900)
    page.goto("/accounts/signup/")
    page.locator("input[name=email]").fill(f"newbie{width}@example.com")
    page.locator("input[name=password1]").fill("a-long-enough-passphrase-42")
    page.locator("input[name=password2]").fill("a-long-enough-passphrase-42")
    page.get_by_role("button", name="Create account").click()

    page.wait_for_url("**/people/welcome/")
    assert page.get_by_role("heading", name="Welcome to socialearn").is_visible()
    _shot(page, f"onboarding-1-{width}")
    page.get_by_label("Your name, as colleagues know you").fill("Nia Newbie")
    page.get_by_label("Job title").fill("Platform engineer")
    page.get_by_label("Where you work").select_option(label="Lisbon")
    page.locator("fieldset, div").filter(has_text="Topics you want to learn").get_by_label(
        "Kubernetes"
    ).first.check()
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/communities/welcome/")
    _shot(page, f"onboarding-2-{width}")
    page.get_by_role("button", name="Join Platform guild").click()
    page.wait_for_url("**/communities/welcome/")
    assert page.get_by_role("heading", name="You belong to").is_visible()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url("**/people/welcome/people/")
    _shot(page, f"onboarding-3-{width}")
    page.get_by_role("button", name="Follow Maria Manager").click()
    page.wait_for_url("**/people/welcome/people/")
    assert page.get_by_role("button", name="Stop following Maria Manager").is_visible()
    page.get_by_role("button", name="Finish and go to my home page").click()

    page.wait_for_url("**/")
    assert page.get_by_role("heading", name="Welcome, Nia Newbie").is_visible()
    assert page.locator("main").get_by_role("link", name="Platform guild").first.is_visible()
    _shot(page, f"onboarding-home-{width}")
