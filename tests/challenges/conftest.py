from datetime import date, time

import pytest

from challenges import services
from challenges.models import Challenge, Step
from communities.models import Community
from communities.services import community_create, membership_join
from tests.factories import UserFactory


def make_challenge(
    *,
    community: Community,
    designer=None,
    start: date,
    steps: int = 3,
    cadence: str = Challenge.Cadence.DAILY,
    release_time: time = time(9, 0),
    allow_mark_done: bool = False,
    title: str = "Thirty days of feedback",
) -> Challenge:
    challenge = Challenge.objects.create(
        title=title,
        description="Give and ask for **feedback**.",
        designer=designer,
        community=community,
        cadence=cadence,
        length_value=30,
        length_unit=Challenge.LengthUnit.DAYS,
        start_date=start,
        release_time=release_time,
        status=Challenge.Status.PUBLISHED,
    )
    Step.objects.bulk_create(
        Step(
            challenge=challenge,
            position=n,
            title=f"Step {n}",
            prompt=f"Prompt {n}",
            prompt_html=f"<p>Prompt {n}</p>",
            allow_mark_done=allow_mark_done,
            day_offset=n - 1,
        )
        for n in range(1, steps + 1)
    )
    services.challenge_schedule_refresh(challenge=challenge)
    return challenge


@pytest.fixture
def designer(db):
    return UserFactory(is_staff=False)


@pytest.fixture
def community(designer):
    return community_create(created_by=designer, name="Feedback practice", purpose="Practise.")


@pytest.fixture
def member(community):
    user = UserFactory()
    membership_join(community=community, user=user)
    return user
