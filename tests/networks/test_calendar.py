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


def test_the_agenda_reads_day_by_day_from_today_with_the_earlier_days_folded(db):
    import zoneinfo
    from datetime import datetime, time

    from socialearn.calendar import Entry, agenda

    tz = zoneinfo.ZoneInfo("Asia/Tokyo")
    today = timezone.now().astimezone(tz).date()

    def at(days: int, hour: int = 12) -> datetime:
        return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=tz)

    def entry(title: str, start: datetime, end: datetime, all_day: bool = False) -> Entry:
        return Entry(
            uid=title,
            kind="Talk",
            title=title,
            starts_at=start,
            ends_at=end,
            url="/",
            all_day=all_day,
        )

    talks = [
        entry("Yesterday's talk", at(-1), at(-1, 13)),
        entry("Course still on", at(-2, 0), at(2, 0), all_day=True),  # three days: -2, -1, 0
        entry("Course over", at(-3, 0), at(-2, 0), all_day=True),
        entry("Morning talk", at(0, 9), at(0, 10)),
        entry("Tomorrow's talk", at(1), at(1, 13)),
    ]
    earlier, coming = agenda(sorted(talks, key=lambda e: e.starts_at), tz)
    assert [(d.day, [e.title for e in d.entries]) for d in earlier] == [
        (today - timedelta(days=3), ["Course over"]),
        (today - timedelta(days=1), ["Yesterday's talk"]),
    ]
    assert [[e.title for e in d.entries] for d in coming] == [
        ["Course still on", "Morning talk"],
        ["Tomorrow's talk"],
    ]
    assert coming[0].is_today
    assert coming[1].is_tomorrow


def test_the_month_page_heads_each_day_and_folds_the_past(client, network, manager, topic):
    _schedule(network, manager, topic, "Soon talk", days=1)
    client.force_login(manager)
    month = (timezone.localdate() + timedelta(days=1)).strftime("%Y-%m")
    body = client.get(reverse("calendar"), {"month": month}).content.decode()
    assert "This month, day by day" in body
    assert "Soon talk" in body
    assert 'class="cal-day"' in body
