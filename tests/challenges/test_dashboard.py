"""The home dashboard's challenges section: today's step first, an invitation otherwise."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges import selectors, services
from communities.models import Community
from communities.selectors import compiled_readable
from communities.services import community_create, membership_join, membership_leave
from tests.factories import UserFactory

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


def _as_the_two_reads_give(user) -> list[tuple]:
    readable = compiled_readable(user)
    challenges = selectors.my_running_challenges(user, readable=readable)
    today = selectors.today_steps(challenges, user)
    return [
        (
            c.pk,
            c.title,
            c.step_count,
            c.done_count,
            *((s.pk, s.position, s.title, s.is_done) if (s := today.get(c.pk)) else ()),
        )
        for c in challenges
    ]


def _as_the_one_query_gives(user) -> list[tuple]:
    return [
        (
            c.pk,
            c.title,
            c.step_count,
            c.done_count,
            *((s.pk, s.position, s.title, s.is_done) if s else ()),
        )
        for c, s in selectors.dashboard_rows(user, readable=compiled_readable(user))
    ]


def test_the_home_cards_one_query_gives_what_the_two_reads_give(community, designer, member):
    """dashboard_rows stands for my_running_challenges and today_steps on the home page."""
    secret = community_create(
        created_by=designer,
        name="Secret practice",
        purpose="p",
        visibility=Community.Visibility.PRIVATE,
    )
    membership_join(community=secret, user=member)
    started = [
        _taking_part(
            member,
            community=community,
            designer=designer,
            title=f"Running {i}",
            allow_mark_done=True,
        )
        for i in range(4)
    ]
    _taking_part(member, community=secret, designer=designer, title="Private")
    gone = _taking_part(member, community=secret, designer=designer, title="Left community")
    membership_leave(community=secret, user=member)
    left = _taking_part(member, community=community, designer=designer, title="Left")
    services.participant_leave(challenge=left, user=member)
    make_challenge(community=community, start=timezone.localdate() + timedelta(days=9))
    services.participant_join(
        challenge=make_challenge(
            community=community,
            designer=designer,
            start=timezone.localdate() + timedelta(days=3),
            title="Not started",
        ),
        user=member,
    )
    done = started[0].steps.filter(posted_at__isnull=False).order_by("-position").first()
    services.step_complete(step=done, user=member, via="done")
    earlier = started[1].steps.order_by("position").first()
    services.step_complete(step=earlier, user=member, via="done")

    for person in (member, designer, UserFactory()):
        assert _as_the_one_query_gives(person) == _as_the_two_reads_give(person)
    rows = _as_the_one_query_gives(member)
    assert len(rows) == 5
    assert gone.pk not in [row[0] for row in rows]
    assert any(len(row) == 4 for row in rows)  # a challenge whose first step is still to come
    assert {row[7] for row in rows if len(row) > 4} == {True, False}
