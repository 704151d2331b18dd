from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from expertqa.services import session_cancel, session_schedule
from socialearn.people.models import CalendarToken
from socialearn.people.services import calendar_token_create, calendar_token_revoke
from tests.factories import UserFactory


def _schedule(community, by, topic, title, days=2):
    return session_schedule(
        created_by=by,
        title=title,
        topic=topic,
        community=community,
        experts=[by],
        starts_at=timezone.now() + timedelta(days=days),
        invite=False,
    )


def _summaries(body: bytes) -> set[str]:
    return {str(e["summary"]) for e in Calendar.from_ical(body).walk("VEVENT")}


def test_the_subscription_shows_only_what_its_owner_may_see(
    client, network, private_network, manager, topic, member_of
):
    _schedule(network, manager, topic, "Open talk")
    _schedule(private_network, manager, topic, "Guild talk")
    cancelled = _schedule(network, manager, topic, "Called off")
    session_cancel(session=cancelled, by=manager)
    outsider, insider = UserFactory(), member_of(private_network)

    out_token = calendar_token_create(user=outsider)
    in_token = calendar_token_create(user=insider)

    body = client.get(reverse("calendar_feed", args=[out_token])).content
    assert _summaries(body) == {"Open talk"}
    response = client.get(reverse("calendar_feed", args=[in_token]))
    assert response["Content-Type"].startswith("text/calendar")
    assert _summaries(response.content) == {"Open talk", "Guild talk"}
    assert CalendarToken.objects.get(user=outsider).token_hash != out_token  # a hash is kept


def test_a_revoked_or_replaced_address_stops_working(client, db):
    person = UserFactory()
    first = calendar_token_create(user=person)
    second = calendar_token_create(user=person)
    assert client.get(reverse("calendar_feed", args=[first])).status_code == 410
    assert client.get(reverse("calendar_feed", args=[second])).status_code == 200
    calendar_token_revoke(user=person)
    assert client.get(reverse("calendar_feed", args=[second])).status_code == 410
    assert client.get(reverse("calendar_feed", args=["made-up"])).status_code == 404


def test_leaving_a_private_community_takes_its_talks_out_of_the_feed(
    client, private_network, manager, topic, member_of
):
    from communities.models import Membership

    _schedule(private_network, manager, topic, "Guild talk")
    insider = member_of(private_network)
    token = calendar_token_create(user=insider)
    assert _summaries(client.get(reverse("calendar_feed", args=[token])).content)
    Membership.objects.filter(user=insider).delete()
    assert not _summaries(client.get(reverse("calendar_feed", args=[token])).content)


def test_the_subscription_buttons(client, db):
    person = UserFactory()
    client.force_login(person)
    client.post(reverse("calendar_subscription"), {"action": "create"})
    page = client.get(reverse("calendar"))
    assert "/calendar/feed/" in page.content.decode()
    assert CalendarToken.objects.filter(user=person, revoked_at__isnull=True).count() == 1
    client.post(reverse("calendar_subscription"), {"action": "revoke"})
    assert not CalendarToken.objects.filter(user=person, revoked_at__isnull=True).exists()


@pytest.mark.parametrize("month", ["", "2026-13", "x", "0000-01", "9999-12", "2027-02"])
def test_any_month_parameter_gives_a_page(client, db, month):
    client.force_login(UserFactory())
    assert client.get(reverse("calendar"), {"month": month}).status_code == 200


@pytest.mark.parametrize("n", [1, 15])
def test_the_month_costs_the_same_whatever_it_holds(
    client, django_assert_max_num_queries, network, manager, topic, n
):
    from challenges.courses.services import course_create

    for i in range(n):
        _schedule(network, manager, topic, f"Talk {i}", days=1 + i % 20)
        starts_on = timezone.localdate() + timedelta(days=2 + i % 20)
        course_create(
            created_by=manager,
            title=f"Course {i}",
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=i % 3),
            host_community=network,
            location="Room 4",
        )
    reader = UserFactory()  # in none of the courses: finds them open for enrolment
    month = (timezone.localdate() + timedelta(days=2)).strftime("%Y-%m")
    for person in (manager, reader):
        client.force_login(person)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("calendar"), {"month": month})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Talk 0" in body
        assert "Course 0" in body
