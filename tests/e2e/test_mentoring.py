"""Journey: the coordinator runs matching and publishes; the protégé accepts."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from mentoring import services
from mentoring.models import COORDINATOR_GROUP, Match
from tests.factories import TopicFactory, UserFactory


@pytest.mark.django_db(transaction=True)
def test_coordinator_publishes_and_protege_accepts(new_page):
    leadership = TopicFactory(name="Leadership")
    coordinator = UserFactory(profile__display_name="Cora Coordinator")
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATOR_GROUP)[0])
    today = timezone.localdate()
    programme = services.programme_create(
        created_by=coordinator,
        topics=[leadership],
        name="New managers",
        goals="Find your feet.",
        commitment="An hour every two weeks",
        enrolment_opens_on=today - dt.timedelta(days=1),
        enrolment_closes_on=today + dt.timedelta(days=10),
    )
    mentor = UserFactory(profile__display_name="Maya Mentor")
    protege = UserFactory(profile__display_name="Paul Protege")
    services.enrolment_create(programme=programme, user=mentor, role="mentor", topics=[leadership])
    services.enrolment_create(
        programme=programme, user=protege, role="protege", topics=[leadership]
    )

    page = new_page(coordinator)
    page.goto(f"/mentoring/programmes/{programme.pk}/coordinate/")
    page.get_by_role("button", name="Run matching").click()
    proposed = page.locator("#proposed")
    proposed.get_by_text("Maya Mentor").wait_for()
    assert "Covers every topic asked for: Leadership" in proposed.inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish 1 match").click()
    page.get_by_text("1 matches published").wait_for()

    page = new_page(protege)
    page.goto("/mentoring/me/")
    card = page.locator(".match-card")
    assert "Mentored by Maya Mentor" in card.inner_text()
    assert "Covers every topic asked for: Leadership" in card.inner_text()
    card.get_by_role("button", name="Accept").click()
    page.get_by_text("waiting for Maya Mentor").wait_for()
    match = Match.objects.get()
    assert match.protege_accepted_at is not None
    assert match.status == Match.Status.OFFERED
