"""A guide's spotlight: a participant's good answer pinned inside its thread, with the guide's
note, until the guide or a manager of the thread's community takes it down."""

import re
from datetime import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from challenges import services as challenge_services
from challenges.courses import services
from challenges.courses.models import GuidePrompt
from challenges.models import Step
from communities.models import Community, Membership, Reply
from communities.services import community_create, membership_join, reply_create
from socialearn.insights.models import Activity
from socialearn.notifications.models import Notification
from tests.challenges.conftest import make_challenge
from tests.factories import UserFactory

from .conftest import make_course

pytestmark = pytest.mark.django_db


def _spotlight(guided, reply=None, text="Short and honest."):
    return services.guide_spotlight(
        sent_by=guided["guide"],
        reply=reply or guided["di"],
        text=text,
        challenge=guided["challenge"],
    )


def _block(html: str) -> str:
    """The "In the spotlight" block of a thread page ("" when there is none)."""
    found = re.search(r'<section class="card cm-spotlights".*?</section>', html, re.S)
    return found.group(0) if found else ""


def _reply_article(html: str, reply_id: int) -> str:
    found = re.search(rf'<article [^>]*id="reply-{reply_id}">.*?</article>', html, re.S)
    assert found, reply_id
    return found.group(0)


def test_a_spotlight_pins_the_answer_without_posting_a_reply(guided):
    di = guided["di"]
    replies_before = Reply.objects.filter(thread=di.thread).count()
    prompt = _spotlight(guided)
    assert Reply.objects.filter(thread=di.thread).count() == replies_before
    assert not Reply.objects.filter(author=guided["guide"]).exists()
    assert (prompt.kind, prompt.reply, prompt.spotlight_thread) == ("spotlight", di, di.thread)
    assert (prompt.text, prompt.sent_by, prompt.unpinned_at) == (
        "Short and honest.",
        guided["guide"],
        None,
    )
    assert list(prompt.recipients.all()) == [guided["people"]["Di"]]
    activity = Activity.objects.get(verb="guide_prompted", object_id=prompt.pk)
    assert (activity.actor, activity.thread_id, activity.challenge_id) == (
        guided["guide"],
        di.thread_id,
        guided["challenge"].pk,
    )
    assert activity.extra == {"kind": "spotlight", "recipients": 1, "course_id": None}


def test_the_author_is_told_once_with_a_link_to_the_answer(guided):
    di = guided["di"]
    _spotlight(guided)
    with pytest.raises(ValidationError):
        _spotlight(guided)
    told = Notification.objects.filter(kind="guide_spotlight")
    assert list(told.values_list("recipient_id", "body")) == [
        (guided["people"]["Di"].pk, "Short and honest.")
    ]
    assert told.get().url == f"{di.thread.get_absolute_url()}#reply-{di.pk}"
    assert GuidePrompt.objects.filter(kind="spotlight").count() == 1


def test_only_a_participants_published_answer_in_the_community_can_be_spotlit(guided):
    outsider = UserFactory()
    step = guided["steps"][0]
    stranger = reply_create(thread=step.thread, author=outsider, body="Not taking part.")
    with pytest.raises(ValidationError):
        _spotlight(guided, reply=stranger)
    with pytest.raises(PermissionDenied):
        services.guide_spotlight(
            sent_by=guided["people"]["Ada"], reply=guided["di"], challenge=guided["challenge"]
        )
    assert not GuidePrompt.objects.exists()


def test_a_member_sees_the_spotlight_above_the_replies_and_a_badge_on_the_answer(client, guided):
    di = guided["di"]
    Reply.objects.filter(pk=di.pk).update(body="**Late** but [here](https://example.com).")
    _spotlight(guided, text="Short & honest.")
    ben = guided["people"]["Ben"]
    client.force_login(ben)
    html = client.get(di.thread.get_absolute_url()).content.decode()
    block = _block(html)
    assert "In the spotlight" in block
    assert html.index("cm-spotlights") < html.index('id="replies-heading"')
    assert "Di" in block
    assert "Late but here" in block  # plain text: no Markdown, no link
    assert "**" not in block
    assert "example.com" not in block
    assert "Short &amp; honest." in block
    assert "Put in the spotlight by Gail Guide" in block
    assert f'{di.thread.get_absolute_url()}#reply-{di.pk}"' in block
    assert "Take out of the spotlight" not in block  # Ben may not
    assert "Spotlight" in _reply_article(html, di.pk)
    other = di.thread.replies.exclude(pk=di.pk).first()
    assert "cm-spotlight-mark" not in _reply_article(html, other.pk)


def test_a_thread_without_a_spotlight_does_not_look_for_one(client, guided):
    """Whether a spotlight is up is read with the thread: without one, the guides' query is
    not run; once one is up it shows at once, and once taken down it is gone at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    thread_url = guided["di"].thread.get_absolute_url()
    client.force_login(guided["people"]["Ben"])

    def page() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(thread_url).content.decode()
        asked = sum(
            q["sql"].startswith('SELECT "courses_guideprompt"."id"')
            for q in queries.captured_queries
        )
        return html, asked

    html, asked = page()
    assert (_block(html), asked) == ("", 0)
    prompt = _spotlight(guided)
    html, asked = page()
    assert ("In the spotlight" in _block(html), asked) == (True, 1)
    services.guide_spotlight_remove(prompt=prompt, removed_by=guided["guide"])
    html, asked = page()
    assert (_block(html), asked) == ("", 0)


def test_the_spotlight_shows_when_it_was_given_in_the_viewers_time_zone(client, guided):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    prompt = _spotlight(guided)
    GuidePrompt.objects.filter(pk=prompt.pk).update(
        sent_at=datetime(2026, 3, 2, 8, 30, tzinfo=ZoneInfo("UTC"))
    )
    ben = guided["people"]["Ben"]
    ben.profile.time_zone = "Asia/Tokyo"
    ben.profile.save(update_fields=["time_zone"])
    client.force_login(ben)
    block = _block(client.get(guided["di"].thread.get_absolute_url()).content.decode())
    assert "2 Mar 2026, 17:30" in block


def test_an_answer_on_a_later_page_is_linked_on_its_page(client, guided):
    thread = guided["steps"][0].thread
    for i in range(30):
        person = UserFactory()
        challenge_services.participant_join(challenge=guided["challenge"], user=person)
        reply_create(thread=thread, author=person, body=f"Answer {i}")
    late = thread.replies.order_by("-created_at", "-pk").first()
    _spotlight(guided, reply=late)
    client.force_login(guided["people"]["Ben"])
    block = _block(client.get(thread.get_absolute_url()).content.decode())
    assert f"{thread.get_absolute_url()}?page=2#reply-{late.pk}" in block
    told = Notification.objects.get(kind="guide_spotlight")
    assert told.url == f"{thread.get_absolute_url()}?page=2#reply-{late.pk}"


def test_several_spotlights_show_newest_first(client, guided):
    thread = guided["steps"][4].thread
    ada = thread.replies.get(body="Nice one, Di!")
    _spotlight(guided, text="First one.")
    _spotlight(guided, reply=ada, text="Second one.")
    client.force_login(guided["people"]["Cy"])
    block = _block(client.get(thread.get_absolute_url()).content.decode())
    assert block.index("Second one.") < block.index("First one.")


def test_a_hidden_answer_leaves_the_spotlight(client, guided):
    from communities.services import moderation_act

    prompt = _spotlight(guided)
    community = guided["challenge"].community
    manager = community.memberships.get(role=Membership.Role.MANAGER).user
    moderation_act(actor=manager, action="hide", reason="Off topic", reply=guided["di"])
    client.force_login(guided["people"]["Ben"])
    html = client.get(guided["di"].thread.get_absolute_url()).content.decode()
    assert _block(html) == ""
    assert "Short and honest." not in html
    assert GuidePrompt.objects.get(pk=prompt.pk).unpinned_at is None


def test_an_anonymous_answer_stays_anonymous_in_the_spotlight(client):
    designer = UserFactory(profile__display_name="Dana Designer")
    community = community_create(
        created_by=designer, name="Candid", purpose="Say it.", anonymity=Community.Anonymity.ON
    )
    challenge = make_challenge(
        community=community,
        designer=designer,
        start=timezone.localdate(),
        steps=1,
        release_time=time(0, 0),  # due whatever the hour the test runs at
    )
    challenge_services.post_due(now=timezone.now())
    guide = UserFactory(profile__display_name="Gail Guide")
    challenge.guide = guide
    challenge.save(update_fields=["guide"])
    shy = UserFactory(profile__display_name="Shy Person")
    member = UserFactory()
    for person in (shy, member):
        challenge_services.participant_join(challenge=challenge, user=person)
    step = Step.objects.get(challenge=challenge)
    said = reply_create(thread=step.thread, author=shy, body="Said quietly.", is_anonymous=True)

    prompt = services.guide_spotlight(sent_by=guide, reply=said, challenge=challenge)

    # Told, but not named on the prompt (the admin shows prompts to staff).
    assert list(
        Notification.objects.filter(kind="guide_spotlight").values_list("recipient_id", flat=True)
    ) == [shy.pk]
    assert not prompt.recipients.exists()
    for person in (member, guide, shy, designer):
        client.force_login(person)
        html = client.get(step.thread.get_absolute_url()).content.decode()
        block = _block(html)
        assert "Said quietly." in block, person
        assert "Anonymous" in block, person
        assert "Shy Person" not in block, person
        assert f"/people/{shy.pk}/" not in block, person
        if person != designer:  # the manager alone learns the author, in the reply itself
            assert "Shy Person" not in html.split("</header>", 1)[-1], person


def test_the_guide_and_the_threads_managers_may_take_a_spotlight_down(client, guided):
    prompt = _spotlight(guided)
    url = reverse("courses:spotlight_remove", args=[prompt.pk])
    thread_url = guided["di"].thread.get_absolute_url()

    client.force_login(guided["guide"])  # the challenge's guide, not a manager
    assert "Take out of the spotlight" in _block(client.get(thread_url).content.decode())
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == thread_url
    assert "The answer is out of the spotlight" in response.content.decode()
    assert _block(response.content.decode()) == ""
    prompt.refresh_from_db()
    assert prompt.unpinned_by == guided["guide"]
    assert prompt.unpinned_at is not None
    removed = Activity.objects.get(verb="guide_spotlight_removed")
    assert (removed.actor, removed.object_id, removed.thread_id) == (
        guided["guide"],
        prompt.pk,
        guided["di"].thread_id,
    )
    # Taken down twice: said so, recorded once. Spotlit again: a new prompt.
    client.post(url)
    assert Activity.objects.filter(verb="guide_spotlight_removed").count() == 1
    again = _spotlight(guided, text="Back again.")
    assert again.pk != prompt.pk

    manager = guided["challenge"].community.memberships.get(role=Membership.Role.MANAGER).user
    assert manager != guided["guide"]
    client.force_login(manager)
    response = client.post(reverse("courses:spotlight_remove", args=[again.pk]))
    assert response.status_code == 302
    assert GuidePrompt.objects.get(pk=again.pk).unpinned_by == manager


def test_an_lnd_admin_who_may_read_the_thread_may_take_a_spotlight_down(client, guided, lnd):
    prompt = _spotlight(guided)
    client.force_login(lnd)
    page = client.get(guided["di"].thread.get_absolute_url()).content.decode()
    assert "Take out of the spotlight" in _block(page)
    assert client.post(reverse("courses:spotlight_remove", args=[prompt.pk])).status_code == 302
    assert GuidePrompt.objects.get(pk=prompt.pk).unpinned_by == lnd


def test_participants_and_other_members_may_not_take_a_spotlight_down(client, guided):
    prompt = _spotlight(guided)
    url = reverse("courses:spotlight_remove", args=[prompt.pk])
    community = guided["challenge"].community
    bystander = UserFactory()
    membership_join(community=community, user=bystander)
    for person in (guided["people"]["Di"], guided["people"]["Ben"], bystander):
        client.force_login(person)
        page = client.get(guided["di"].thread.get_absolute_url()).content.decode()
        assert "Take out of the spotlight" not in page
        assert client.post(url).status_code == 403
    with pytest.raises(PermissionDenied):
        services.guide_spotlight_remove(prompt=prompt, removed_by=guided["people"]["Di"])
    assert GuidePrompt.objects.get(pk=prompt.pk).unpinned_at is None
    assert not Activity.objects.filter(verb="guide_spotlight_removed").exists()


@pytest.fixture
def course_spotlight(lnd, facilitator):
    """A course (its community private) with an open prompt, a participant's answer there,
    and the facilitator's spotlight on it."""
    course = make_course(created_by=lnd, facilitators=[facilitator])
    learner = UserFactory(profile__display_name="Lena Learner")
    services.course_enrol(course=course, user=learner)
    prompt = services.prompt_open(
        prompt=services.prompt_add(course=course, added_by=facilitator, title="Retro formats?"),
        opened_by=facilitator,
    )
    answer = reply_create(thread=prompt.thread, author=learner, body="Start, stop, continue.")
    spotlight = services.guide_spotlight(
        sent_by=facilitator, reply=answer, text="Simple and it works.", course=course
    )
    return {"course": course, "learner": learner, "answer": answer, "spotlight": spotlight}


def test_a_courses_spotlight_is_for_the_courses_members_only(client, course_spotlight):
    answer = course_spotlight["answer"]
    url = answer.thread.get_absolute_url()
    client.force_login(course_spotlight["learner"])
    block = _block(client.get(url).content.decode())
    assert "Start, stop, continue." in block
    assert "Simple and it works." in block
    assert "Take out of the spotlight" not in block
    assert Activity.objects.get(verb="guide_prompted").community_id == (
        course_spotlight["course"].community_id
    )

    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    remove = reverse("courses:spotlight_remove", args=[course_spotlight["spotlight"].pk])
    assert client.post(remove).status_code == 404
    assert client.post(reverse("courses:spotlight_remove", args=[999999])).status_code == 404


def test_a_facilitator_takes_a_courses_spotlight_down(client, course_spotlight, facilitator):
    url = course_spotlight["answer"].thread.get_absolute_url()
    client.force_login(facilitator)
    assert "Take out of the spotlight" in _block(client.get(url).content.decode())
    remove = reverse("courses:spotlight_remove", args=[course_spotlight["spotlight"].pk])
    assert client.post(remove).status_code == 302
    assert _block(client.get(url).content.decode()) == ""


def test_the_course_dashboard_spotlights_an_answer_with_a_note(client, course, facilitator):
    learner = UserFactory()
    services.course_enrol(course=course, user=learner)
    answer = services.course_introduce(course=course, user=learner, body="Hi, I am new.")
    client.force_login(facilitator)
    dashboard = reverse("courses:guide", args=[course.pk])
    page = client.get(dashboard).content.decode()
    assert 'name="text"' in page.split('id="answers-heading"')[1]
    response = client.post(
        reverse("courses:guide_prompt", args=[course.pk]),
        {"action": "spotlight", "reply": answer.pk, "text": "A warm start."},
    )
    assert response.status_code == 302
    assert response["Location"] == dashboard
    assert GuidePrompt.objects.get(kind="spotlight").text == "A warm start."
    answers = client.get(dashboard).content.decode().split('id="answers-heading"')[1]
    answers = answers.split("</section>")[0]
    assert "In the spotlight" in answers
    assert 'value="spotlight"' not in answers
