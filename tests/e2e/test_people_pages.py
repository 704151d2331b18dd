"""A profile and a topic hub in the browser, at desktop and phone width: everything fits the
screen (no sideways scrolling) and the person's actions are reachable. Set
E2E_SCREENSHOTS=<folder> to keep screenshots."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Thread
from communities.services import (
    answer_accept,
    community_create,
    membership_join,
    reply_create,
    thread_create,
)
from expertqa.services import session_schedule
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(page, name: str) -> None:
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def org():
    kube = TopicFactory(name="Kubernetes", description="Running containers at scale.")
    expert = UserFactory(
        profile__display_name="Priya Raman",
        profile__job_title="Staff platform engineer",
        profile__bio="I run the clusters and like explaining them.",
        profile__expertise=[kube],
    )
    asker = UserFactory(profile__display_name="Ana Asker")
    community = community_create(
        created_by=expert, name="Platform guild", purpose="Kubernetes and CI", topics=[kube]
    )
    membership_join(community=community, user=asker)
    for title in ("How do we drain nodes safely?", "Which ingress controller?"):
        thread = thread_create(
            community=community,
            author=asker,
            kind=Thread.Kind.QUESTION,
            title=title,
            body="Asking for the team.",
            topics=[kube],
        )
        reply = reply_create(thread=thread, author=expert, body="One pool at a time.")
        answer_accept(thread=thread, reply=reply, accepted_by=asker)
    thread_create(
        community=community,
        author=asker,
        kind=Thread.Kind.QUESTION,
        title="Do we need a service mesh?",
        body="Still open.",
        topics=[kube],
    )
    thread_create(
        community=community,
        author=expert,
        kind=Thread.Kind.TIP,
        title="Read the release notes before upgrading",
        body="Deprecated APIs go away in minor releases.",
        topics=[kube],
    )
    session_schedule(
        created_by=expert,
        title="Ask the platform team",
        topic=kube,
        community=community,
        experts=[expert],
        starts_at=timezone.now() + timedelta(days=3),
        invite=False,
    )
    return kube, expert, asker


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_profile_and_a_topic_hub_fit_the_screen(org, new_page, width):
    kube, expert, asker = org
    page = new_page(asker, width=width)
    page.goto(reverse("people:profile", args=[expert.pk]))
    assert page.get_by_role("heading", name="Priya Raman").is_visible()
    assert page.get_by_role("link", name="2 accepted answers").is_visible()
    assert page.get_by_role("button", name="Ask a question").is_visible()
    assert _fits(page)
    _shot(page, f"profile-{width}")

    page.goto(reverse("people:topic", args=[kube.slug]))
    assert page.get_by_role("heading", name="Questions").is_visible()
    unanswered = page.get_by_role("link", name="Do we need a service mesh?")
    answered = page.get_by_role("link", name="How do we drain nodes safely?")
    assert unanswered.bounding_box()["y"] < answered.bounding_box()["y"]
    assert _fits(page)
    _shot(page, f"topic-{width}")
