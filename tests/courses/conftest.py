from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from challenges import services as challenge_services
from challenges.courses import services
from challenges.courses.models import Course
from challenges.models import Step
from communities.services import community_create, reply_create
from socialearn.people.permissions import LD_ADMIN
from tests.challenges.conftest import make_challenge
from tests.factories import UserFactory


@pytest.fixture
def lnd(db):
    user = UserFactory(profile__display_name="Lee Learning")
    user.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    return user


@pytest.fixture
def facilitator(db):
    return UserFactory(profile__display_name="Fay Facilitator")


def make_course(
    *,
    created_by,
    facilitators=(),
    starts_on: date | None = None,
    days: int = 2,
    capacity: int | None = None,
    enrolment: str = Course.Enrolment.SELF,
    opens_days: int = 7,
    title: str = "Running retros",
) -> Course:
    starts_on = starts_on or timezone.localdate() + timedelta(days=3)
    return services.course_create(
        created_by=created_by,
        title=title,
        description="A **workshop**.",
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=days - 1),
        facilitators=list(facilitators),
        location="Room 4",
        capacity=capacity,
        enrolment=enrolment,
        prereading_opens_days=opens_days,
    )


@pytest.fixture
def course(lnd, facilitator):
    return make_course(created_by=lnd, facilitators=[facilitator])


@pytest.fixture
def guided(db):
    """A challenge with four steps out, a guide, and four participants at different places."""
    guide = UserFactory(profile__display_name="Gail Guide")
    designer = UserFactory()
    community = community_create(created_by=designer, name="Feedback", purpose="Practise.")
    challenge = make_challenge(
        community=community,
        designer=designer,
        start=timezone.localdate() - timedelta(days=6),
        steps=5,
        allow_mark_done=True,
    )
    challenge.guide = guide
    challenge.save(update_fields=["guide"])
    challenge_services.post_due(now=timezone.now())
    steps = list(Step.objects.filter(challenge=challenge).order_by("position"))
    assert all(s.posted_at for s in steps)
    people = {name: UserFactory(profile__display_name=name) for name in ("Ada", "Ben", "Cy", "Di")}
    for person in people.values():
        challenge_services.participant_join(challenge=challenge, user=person)
    # Ada answered all five; Ben answered three (behind by 2); Cy marked one done (behind by
    # 4, never posted); Di answered one (behind by 4) and got a reply from Ada.
    for step in steps:
        reply_create(thread=step.thread, author=people["Ada"], body="Done, here is mine.")
    for step in steps[:3]:
        reply_create(thread=step.thread, author=people["Ben"], body="Mine.")
    challenge_services.step_complete(step=steps[0], user=people["Cy"], via="done")
    di = reply_create(thread=steps[4].thread, author=people["Di"], body="Late but here.")
    reply_create(thread=steps[4].thread, author=people["Ada"], body="Nice one, Di!")
    return {"challenge": challenge, "guide": guide, "people": people, "steps": steps, "di": di}
