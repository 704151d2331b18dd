"""The facilitator's figures against hand counts, and every page at a fixed query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges.courses import selectors, services
from challenges.courses.models import Course
from communities.services import reply_create
from tests.factories import UserFactory

from .conftest import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(lnd, facilitator):
    """A course that started yesterday, with two readings out and a prompt open."""
    course = make_course(
        created_by=lnd,
        facilitators=[facilitator],
        starts_on=timezone.localdate() - timedelta(days=1),
        days=3,
    )
    for day in (0, 1):
        services.course_reading_add(
            course=course, added_by=lnd, kind="tip", title=f"R{day}", day=day
        )
    prompt = services.prompt_open(
        prompt=services.prompt_add(course=course, added_by=facilitator, title="What helps?"),
        opened_by=facilitator,
    )
    return course, prompt


def fill(course: Course, prompt, n: int, *, offset: int = 0) -> list:
    """n participants: every 2nd introduced, every 3rd read both readings, every 4th posted."""
    people = []
    items = list(course.prereading.items.order_by("day_offset"))
    for i in range(offset, offset + n):
        person = UserFactory(profile__display_name=f"P{i:03}")
        services.course_enrol(course=course, user=person)
        if i % 2 == 0:
            services.course_introduce(course=course, user=person, body="Hello")
        if i % 3 == 0:
            for item in items:
                services.reading_mark(item=item, user=person)
        elif i % 3 == 1:
            services.reading_mark(item=items[0], user=person)
        if i % 4 == 0:
            reply_create(thread=prompt.thread, author=person, body="An answer")
        people.append(person)
    return people


def test_the_facilitators_figures_match_hand_counts(running, facilitator):
    course, prompt = running
    people = fill(course, prompt, 12)
    # Posted before the course started: an introduction dated last week does not count as a
    # post since the start, but still counts as an introduction.
    early = people[1]
    reply = services.course_introduce(course=course, user=early, body="Early bird")
    type(reply).objects.filter(pk=reply.pk).update(created_at=timezone.now() - timedelta(days=7))
    figures = selectors.facilitator_figures(course)
    introduced = {p.pk for i, p in enumerate(people) if i % 2 == 0} | {early.pk}
    read_all = {p.pk for i, p in enumerate(people) if i % 3 == 0}
    # Introductions during the course are posts too: every even one, plus every 4th's answer.
    posted = {p.pk for i, p in enumerate(people) if i % 2 == 0 or i % 4 == 0}
    assert figures.participants == 12
    assert figures.introduced == len(introduced) == 7
    assert figures.read_all == len(read_all) == 4
    assert figures.posted_since_start == len(posted) == 6
    assert figures.readings == 2
    rows = {e.user_id: e for e in selectors.facilitator_rows(course)}
    assert {pk for pk, e in rows.items() if e.introduced} == introduced
    assert rows[people[0].pk].reads == 2
    assert rows[people[1].pk].reads == 1
    assert rows[people[0].pk].posts == 2  # the introduction and the answer
    assert rows[early.pk].posts == 0


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("courses:detail", "participant"),
        ("courses:detail", "facilitator"),
        ("courses:facilitator", "facilitator"),
        ("courses:guide", "facilitator"),
        ("courses:list", "participant"),
    ],
)
def test_pages_run_a_fixed_number_of_queries_whatever_the_size(
    client, running, facilitator, django_assert_max_num_queries, name, who
):
    course, prompt = running
    participant = fill(course, prompt, 2)[0]
    client.force_login(participant if who == "participant" else facilitator)
    url = reverse(name, args=[course.pk]) if name != "courses:list" else reverse(name)
    few = _queries(client, url)
    fill(course, prompt, 25, offset=2)
    for _ in range(2):
        services.prompt_open(
            prompt=services.prompt_add(course=course, added_by=facilitator, title="More"),
            opened_by=facilitator,
        )
    with django_assert_max_num_queries(few):
        client.get(url)


def test_the_participant_sees_where_they_are_and_what_to_do_next(client, running):
    course, prompt = running
    person = UserFactory()
    services.course_enrol(course=course, user=person)
    client.force_login(person)
    page = client.get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert "0 of 4 steps done" in page
    assert "Introduce yourself" in page
    services.course_introduce(course=course, user=person, body="Hi")
    page = client.get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert "1 of 4 steps done" in page
    assert "Read item 1: R0" in page
    for item in course.prereading.items.all():
        services.reading_mark(item=item, user=person)
    page = client.get(reverse("courses:detail", args=[course.pk])).content.decode()
    assert "Join today&#x27;s discussion: What helps?" in page


def test_an_outsider_never_learns_a_roster_course_exists(client, lnd):
    course = make_course(created_by=lnd, enrolment=Course.Enrolment.ROSTER)
    client.force_login(UserFactory())
    assert client.get(reverse("courses:detail", args=[course.pk])).status_code == 404
    assert course.title not in client.get(reverse("courses:list")).content.decode()


def test_the_roster_page_lists_each_bad_row(client, course, facilitator):
    client.force_login(facilitator)
    response = client.post(
        reverse("courses:roster", args=[course.pk]), {"roster": "nobody@example.com\nnope\n"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 1: Nobody here has the email nobody@example.com." in page
    assert "Line 2: “nope” is not an email address." in page
    assert not course.enrolments.exists()


def test_the_empty_list_says_what_to_do(client, lnd):
    client.force_login(lnd)
    assert "Create one with" in client.get(reverse("courses:list")).content.decode()
    client.force_login(UserFactory())
    assert "No courses are open to you yet" in client.get(reverse("courses:list")).content.decode()
