"""A challenge's steps as a calendar file, and their entries on the calendar."""

from datetime import UTC, date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from challenges import classics
from challenges.models import Challenge, Step
from communities.models import Community
from communities.services import community_create, membership_join
from socialearn.calendar import entries_for
from socialearn.people.services import calendar_token_create
from tests.factories import UserFactory

from .conftest import make_challenge

pytestmark = pytest.mark.django_db

START = date(2031, 3, 10)


def _events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_the_file_holds_every_dated_step_with_the_feeds_uids(client, community, member):
    soon = timezone.localdate() + timedelta(days=1)
    challenge = make_challenge(community=community, start=soon, steps=3, release_time=time(9))
    response = client.get(reverse("challenges:ics", args=[challenge.pk]))
    assert response.status_code == 302  # signed in only

    client.force_login(member)
    response = client.get(reverse("challenges:ics", args=[challenge.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    events = _events(response.content)
    assert [str(e["summary"]) for e in events] == [
        f"{challenge.title}: Step 1",
        f"{challenge.title}: Step 2",
        f"{challenge.title}: Step 3",
    ]
    steps = list(challenge.steps.order_by("position"))
    first = events[0].decoded("dtstart")
    assert first == steps[0].release_at.astimezone(UTC)
    assert [str(e["uid"]).split("@")[0] for e in events] == [
        f"challenge-step-{s.pk}" for s in steps
    ]

    # The same UIDs in the subscription feed: a calendar app holding both keeps one of each.
    feed = client.get(reverse("calendar_feed", args=[calendar_token_create(user=member)]))
    assert {str(e["uid"]) for e in _events(feed.content)} == {str(e["uid"]) for e in events}


def test_the_calendar_links_each_step_to_its_challenges_file(community, member):
    challenge = make_challenge(
        community=community, start=timezone.localdate() + timedelta(days=1), steps=2
    )
    now = timezone.now()
    found = entries_for(member, start=now, end=now + timedelta(days=5))
    assert len(found) == 2
    assert {e.ics_url for e in found} == {reverse("challenges:ics", args=[challenge.pk])}


def test_steps_of_two_challenges_link_each_to_its_own_challenge(community, member):
    soon = timezone.localdate() + timedelta(days=1)
    first = make_challenge(community=community, start=soon, steps=2, title="First")
    second = make_challenge(community=community, start=soon, steps=2, title="Second")
    now = timezone.now()
    found = entries_for(member, start=now, end=now + timedelta(days=5))
    links = {(e.title.split(":")[0], e.url, e.ics_url) for e in found}
    assert links == {
        (c.title, c.get_absolute_url(), reverse("challenges:ics", args=[c.pk]))
        for c in (first, second)
    }


def test_the_file_is_404_for_those_who_may_not_see_the_challenge(client, designer):
    private = community_create(
        created_by=designer, name="Leaders", purpose="x", visibility=Community.Visibility.PRIVATE
    )
    challenge = make_challenge(community=private, designer=designer, start=START)
    insider = UserFactory()
    membership_join(community=private, user=insider)
    url = reverse("challenges:ics", args=[challenge.pk])

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.get(reverse("challenges:ics", args=[999999])).status_code == 404
    client.force_login(insider)
    assert client.get(url).status_code == 200

    challenge.status = Challenge.Status.DRAFT
    challenge.save(update_fields=["status"])
    assert client.get(url).status_code == 404  # a draft is its designers'
    client.force_login(designer)
    assert client.get(url).status_code == 200


def test_a_template_has_no_file(client, designer, community):
    classics.ensure(Challenge, Step)
    template = Challenge.objects.filter(is_template=True).first()
    client.force_login(designer)
    assert client.get(reverse("challenges:ics", args=[template.pk])).status_code == 404
