"""Live events in the admin: L&D reads an event through its filtered lists (prompts,
messages, polls, questions), people by name, anonymous askers never named, and nothing is
added there that the site's services should make."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from expertqa.live import services
from socialearn.people.permissions import LD_ADMIN, staff_groups_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<a href="(/admin/expertqa/[a-z]+/\?[^"]+)">(\d+) ')


@pytest.fixture
def lnd(db):
    staff_groups_sync()
    person = UserFactory(is_staff=True, profile__display_name="Lee Learning")
    person.groups.add(Group.objects.get(name=LD_ADMIN))
    return person


@pytest.fixture
def busy_event(manager, community, topic, expert, asker, member):
    start = timezone.now() - timedelta(minutes=5)
    event = services.live_event_schedule(
        created_by=manager,
        community=community,
        topic=topic,
        title="Chat: the data platform",
        hosts=[expert],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        format="chat",
        invite=False,
    )
    prompt = services.live_prompt_add(
        event=event, by=expert, body="Q1: what now?", release_at=start
    )
    services.release_due_prompts()
    prompt.refresh_from_db()
    services.live_message_post(event=event, author=member, body="Hello all", prompt=prompt)
    services.live_question_ask(
        event=event, author=asker, body="Who decides the roadmap?", is_anonymous=True
    )
    services.poll_create(
        session=event.session, by=expert, kind="single", question="Ready?", options=["Y", "N"]
    )
    other = services.live_event_schedule(
        created_by=manager,
        community=community,
        topic=topic,
        title="Another event",
        hosts=[expert],
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        invite=False,
    )
    services.live_message_post(event=other, author=member, body="Elsewhere")
    return event


def test_an_event_links_to_its_own_prompts_messages_polls_and_questions(client, lnd, busy_event):
    client.force_login(lnd)
    page = client.get(reverse("admin:expertqa_liveevent_change", args=[busy_event.pk]))
    assert page.status_code == 200
    links = LINK.findall(page.content.decode())
    assert sorted(n for _url, n in links) == ["1", "1", "1", "1"]
    for url, _n in links:
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200, url
        assert "1 " in listed.content.decode()
        assert "Elsewhere" not in listed.content.decode()


def test_lists_name_people_and_never_an_anonymous_asker(client, lnd, busy_event, asker, member):
    client.force_login(lnd)
    messages = client.get(reverse("admin:expertqa_livemessage_changelist")).content.decode()
    assert member.profile.display_name in messages
    assert member.email not in messages
    questions = client.get(
        reverse("admin:expertqa_question_changelist"), {"session__id__exact": busy_event.pk}
    ).content.decode()
    assert "Who decides the roadmap?" in questions
    assert asker.profile.display_name not in questions
    # No lookup reaches the asker either.
    refused = client.get(reverse("admin:expertqa_question_changelist"), {"author": asker.pk})
    assert refused.status_code == 400


def test_live_rows_are_made_on_the_site_not_added_in_the_admin(client, lnd, busy_event):
    client.force_login(lnd)
    for model in ("liveevent", "liveprompt", "livemessage", "poll"):
        assert client.get(reverse(f"admin:expertqa_{model}_add")).status_code == 403, model
    event_list = client.get(
        reverse("admin:expertqa_liveevent_changelist"), {"state": "live", "q": "platform"}
    )
    assert "Chat: the data platform" in event_list.content.decode()
    assert "Another event" not in event_list.content.decode()
