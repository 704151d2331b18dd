"""The learning guide's dashboard: who is stuck, silent or unanswered, and prompts that reach
exactly the people chosen."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from challenges import services as challenge_services
from challenges.courses import selectors, services
from challenges.courses.models import GuidePrompt
from challenges.models import Step
from communities.services import community_create, reply_create
from socialearn.insights.models import Activity
from socialearn.notifications.models import Notification
from tests.challenges.conftest import make_challenge
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_dashboard_finds_who_is_stuck_silent_and_unanswered_by_hand_count(guided):
    guide = selectors.challenge_guide(guided["challenge"])
    by_name = {r.name: r for r in guide.rows}
    assert {n: (r.released, r.done) for n, r in by_name.items()} == {
        "Ada": (5, 5),
        "Ben": (5, 3),
        "Cy": (5, 1),
        "Di": (5, 1),
    }
    assert sorted(r.name for r in guide.stuck) == ["Ben", "Cy", "Di"]
    assert [r.name for r in guide.silent] == ["Cy"]
    # Ben's three answers and Ada's last one (on step 5 Ada replied after Di, then nobody
    # after Ada) have no reply from anyone else; Di's got Ada's. Ada's first four: Ben
    # replied after them on steps 1-3, nobody after on step 4.
    assert {r.name: r.unanswered for r in guide.unanswered} == {"Ada": 2, "Ben": 3}


def test_a_nudge_reaches_exactly_the_people_chosen(guided):
    people = guided["people"]
    chosen = [people["Ben"].pk, people["Cy"].pk]
    prompt = services.guide_nudge(
        sent_by=guided["guide"], user_ids=chosen, challenge=guided["challenge"]
    )
    told = Notification.objects.filter(kind="guide_nudge").values_list("recipient_id", flat=True)
    assert sorted(told) == sorted(chosen)
    assert sorted(prompt.recipients.values_list("pk", flat=True)) == sorted(chosen)
    activity = Activity.objects.get(verb="guide_prompted", object_id=prompt.pk)
    assert activity.actor == guided["guide"]
    assert activity.challenge_id == guided["challenge"].pk
    assert activity.extra == {"kind": "nudge", "recipients": 2, "course_id": None}


def test_a_nudge_to_someone_outside_the_challenge_sends_nothing(guided):
    stranger = UserFactory()
    with pytest.raises(ValidationError):
        services.guide_nudge(
            sent_by=guided["guide"],
            user_ids=[guided["people"]["Ben"].pk, stranger.pk],
            challenge=guided["challenge"],
        )
    assert not Notification.objects.filter(kind="guide_nudge").exists()
    assert not GuidePrompt.objects.exists()


def test_a_message_goes_to_one_participant_only(guided):
    ben = guided["people"]["Ben"]
    services.guide_message(
        sent_by=guided["guide"],
        to_user_id=ben.pk,
        text="How is it going?",
        challenge=guided["challenge"],
    )
    rows = Notification.objects.filter(kind="guide_message")
    assert list(rows.values_list("recipient_id", "body")) == [(ben.pk, "How is it going?")]
    assert rows.get().send_email


def test_only_the_challenges_designers_send_prompts(guided):
    with pytest.raises(PermissionDenied):
        services.guide_nudge(
            sent_by=guided["people"]["Ada"],
            user_ids=[guided["people"]["Ben"].pk],
            challenge=guided["challenge"],
        )


def test_the_guide_dashboard_page_sends_the_ticked_nudge(client, guided):
    people = guided["people"]
    client.force_login(guided["guide"])
    url = f"/courses/guide/challenges/{guided['challenge'].pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Behind by two steps or more" in page.content
    response = client.post(
        url + "prompt/", {"action": "nudge", "people": [people["Cy"].pk], "text": "Come back!"}
    )
    assert response.status_code == 302
    assert list(
        Notification.objects.filter(kind="guide_nudge").values_list("recipient_id", flat=True)
    ) == [people["Cy"].pk]


def test_a_course_guide_counts_steps_released_to_each_participant(lnd, facilitator):
    from .conftest import make_course

    course = make_course(
        created_by=lnd,
        facilitators=[facilitator],
        starts_on=timezone.localdate() + timedelta(days=1),
        opens_days=7,
    )
    for day in (0, 1, 30):
        services.course_reading_add(
            course=course, added_by=lnd, kind="tip", title=f"R{day}", day=day
        )
    keen, idle = UserFactory(), UserFactory()
    for person in (keen, idle):
        services.course_enrol(course=course, user=person)
    services.course_introduce(course=course, user=keen, body="Hi")
    for item in course.prereading.items.filter(day_offset__lt=2):
        services.reading_mark(item=item, user=keen)
    rows = {r.user_id: r for r in selectors.course_guide(course).rows}
    # Released: the introduction and the two readings whose day has come (not day 30).
    assert (rows[keen.pk].released, rows[keen.pk].done) == (3, 3)
    assert (rows[idle.pk].released, rows[idle.pk].done) == (3, 0)
    assert [r.user_id for r in selectors.course_guide(course).stuck] == [idle.pk]
    prompt = services.guide_nudge(sent_by=facilitator, user_ids=[idle.pk], course=course)
    assert list(prompt.recipients.all()) == [idle]
    assert Activity.objects.get(verb="guide_prompted").community_id == course.community_id


def test_the_challenge_guide_page_runs_a_fixed_number_of_queries(
    client, guided, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(guided["guide"])
    url = f"/courses/guide/challenges/{guided['challenge'].pk}/"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for step in guided["steps"]:
        for _ in range(3):
            person = UserFactory()
            challenge_services.participant_join(challenge=guided["challenge"], user=person)
            reply_create(thread=step.thread, author=person, body="Another answer")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_anonymous_answers_never_name_their_author_on_the_dashboard(client, db):
    from communities.models import Community

    designer = UserFactory()
    community = community_create(
        created_by=designer,
        name="Candid",
        purpose="Say it.",
        anonymity=Community.Anonymity.ON,
    )
    challenge = make_challenge(
        community=community,
        designer=designer,
        start=timezone.localdate(),
        steps=1,
        release_time=time(0, 0),  # due whatever the hour the test runs at
    )
    challenge_services.post_due(now=timezone.now())
    shy = UserFactory(profile__display_name="Shy Person")
    challenge_services.participant_join(challenge=challenge, user=shy)
    step = Step.objects.get(challenge=challenge)
    reply_create(thread=step.thread, author=shy, body="Said quietly.", is_anonymous=True)
    guide = selectors.challenge_guide(challenge)
    # The answer may be spotlit like any other, as an anonymous one; it counts for nobody.
    assert [a.body for a in guide.answers] == ["Said quietly."]
    row = guide.rows[0]
    assert (row.posts, row.unanswered) == (0, 0)
    client.force_login(designer)
    page = client.get(f"/courses/guide/challenges/{challenge.pk}/").content.decode()
    answers = page.split('id="answers-heading"')[1].split("</section>")[0]
    assert "Said quietly." in answers
    assert "Anonymous" in answers
    assert "Shy Person" not in answers
    assert f"/people/{shy.pk}/" not in answers
