"""The thread page writes its replies in Python (`reply_articles`), translating, drawing
icons and writing token fields once a page; each reply is, byte for byte, the markup of
communities/_reply.html, whatever the reply (accepted, spotlit, edited, held with a reason,
waiting, anonymous, by a former member) and whoever reads it (its asker, a manager, a member,
someone outside the community), in every language."""

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from communities.models import Community, Reply, Thread
from communities.services import answer_accept, reply_create, thread_create
from tests.communities.conftest import make_community
from tests.communities.test_queries import _spotlights
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _thread_with_replies_of_every_kind(manager, member):
    asker = UserFactory(profile__display_name="Asker <b>")
    others = [UserFactory(profile__display_name=f"Person {i}") for i in range(3)]
    community = make_community(
        manager,
        name="Every reply",
        members=[member, asker, *others],
        anonymity=Community.Anonymity.ON,
    )
    thread = thread_create(
        community=community, author=asker, kind="question", title="How?", body="Tell me."
    )
    answer = reply_create(thread=thread, author=others[0], body="Like <this> & that.")
    answer_accept(thread=thread, reply=answer, accepted_by=asker)
    edited = reply_create(thread=thread, author=member, body="Edited later")
    Reply.objects.filter(pk=edited.pk).update(edited_at=timezone.now())
    _spotlights(community, thread, manager, [member, *others], n=2)
    anonymous = reply_create(thread=thread, author=others[1], body="Who am I?", is_anonymous=True)
    Reply.objects.filter(pk=anonymous.pk).update(status=Thread.Status.PUBLISHED)
    held = reply_create(thread=thread, author=member, body="Held one")
    Reply.objects.filter(pk=held.pk).update(
        status=Thread.Status.HELD, hold_reason="A link <a href='x'>here</a> & more"
    )
    waiting = reply_create(thread=thread, author=member, body="Waiting one")
    Reply.objects.filter(pk=waiting.pk).update(status=Thread.Status.PENDING)
    gone = reply_create(thread=thread, author=others[2], body="Then I left")
    Reply.objects.filter(pk=gone.pk).update(author=None)
    return community, thread, asker


def _replies_both_ways(client, reader, thread) -> tuple[str, str, int]:
    client.force_login(reader)
    response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    context = {}
    for layer in reversed(list(response.context)):
        context.update(layer.flatten())
    one_by_one = "".join(
        render_to_string("communities/_reply.html", {**context, "reply": reply}) + "    "
        for reply in context["replies"]
    )
    written = (
        engines["django"]
        .from_string("{% load community_tags %}{% reply_articles replies %}")
        .render(context)
    )
    return one_by_one, written, len(context["replies"])


@pytest.mark.parametrize("language", ["en-gb", "de"])
def test_reply_articles_are_the_reply_templates_markup(client, manager, member, language):
    community, thread, asker = _thread_with_replies_of_every_kind(manager, member)
    outsider = UserFactory()
    seen = {}
    for reader in (asker, manager, member, outsider):
        with translation.override(language):
            one_by_one, written, n = _replies_both_ways(client, reader, thread)
        assert written == one_by_one
        assert written.count("<article ") == n
        seen[reader] = written
    assert "cm-accept" in seen[asker]  # the asker may accept another answer
    assert 'value="hide"' in seen[manager]
    assert "cm-revealed" in seen[manager]
    assert "cm-revealed" not in seen[member]
    assert "message-error" in seen[member]  # their own held reply, with its reason
    assert "&lt;a href=&#x27;x&#x27;&gt;" in seen[member]
    assert "data-flag-open" not in seen[outsider]
    assert "cm-spotlight-mark" in seen[member]
    assert "cm-accepted-mark" in seen[member]
    assert "cm-edited" in seen[member]
