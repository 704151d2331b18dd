"""The home dashboard's challenges section: today's step first, an invitation otherwise."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges import services

from .conftest import make_challenge

pytestmark = pytest.mark.django_db


def _taking_part(member, **challenge):
    """A challenge started yesterday whose steps come out at midnight, `member` in it."""
    challenge = make_challenge(
        start=timezone.localdate() - timedelta(days=1), release_time=time(0, 0), **challenge
    )
    services.post_due()
    services.participant_join(challenge=challenge, user=member)
    return challenge


def test_todays_step_comes_first_on_the_home_page(client, community, designer, member):
    _taking_part(member, community=community, designer=designer)
    client.force_login(member)

    page = client.get(reverse("home")).content.decode()

    assert "waiting for your answer" in page
    assert page.index("Your challenges") < page.index("Your communities")


def test_someone_in_no_challenge_is_pointed_to_the_list_at_the_end(client, member):
    client.force_login(member)

    page = client.get(reverse("home")).content.decode()

    assert "You are not taking part in a challenge" in page
    assert reverse("challenges:list") in page
    assert page.index("Your communities") < page.index("not taking part in a challenge")


def test_the_home_card_shows_how_far_along_each_challenge_is(client, community, designer, member):
    challenge = _taking_part(member, community=community, designer=designer, allow_mark_done=True)
    first = challenge.steps.order_by("position").first()
    services.step_complete(step=first, user=member, via="done")
    client.force_login(member)

    page = client.get(reverse("home")).content.decode()

    assert '<progress value="1" max="3"' in page
    assert "1 of 3 steps done" in page


def test_todays_step_once_answered_shows_as_done(client, community, designer, member):
    challenge = _taking_part(member, community=community, designer=designer, allow_mark_done=True)
    latest = challenge.steps.filter(posted_at__isnull=False).order_by("-position").first()
    earlier = challenge.steps.exclude(pk=latest.pk).order_by("position").first()
    services.step_complete(step=earlier, user=member, via="done")  # not today's: still waiting
    client.force_login(member)
    assert "waiting for your answer" in client.get(reverse("home")).content.decode()

    services.step_complete(step=latest, user=member, via="done")
    page = client.get(reverse("home")).content.decode()

    assert f"Step {latest.position}: {latest.title}" in page
    assert "waiting for your answer" not in page
