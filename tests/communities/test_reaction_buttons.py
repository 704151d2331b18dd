"""The thread page writes each post's reactions in Python (`reaction_buttons`); a reaction
swaps in the same block rendered by the page's `reactions` partial. Both give the same markup
(apart from whitespace between tags) for members and readers, for a thread and a reply,
reacted to or not, in every language."""

from types import SimpleNamespace

import pytest
from django.template import engines
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe

from communities import selectors
from communities.models import Reply
from communities.services import reaction_toggle, reply_create, thread_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = mark_safe('<input type="hidden" name="csrfmiddlewaretoken" value="token">')  # noqa: S308


def _squeezed(html: str) -> str:
    return " ".join(html.split())


def _both_ways(post, what: str, *, member: bool) -> tuple[str, str]:
    context = {
        "post": post,
        "what": what,
        "viewer": SimpleNamespace(is_member=member),
        "thread_urls": {"react": "/communities/c/t/1/react/", "csrf_field": TOKEN},
    }
    partial = get_template("communities/thread.html#reactions").render(context)
    written = (
        engines["django"]
        .from_string("{% load community_tags %}{% reaction_buttons post what %}")
        .render(context)
    )
    return _squeezed(partial), _squeezed(written)


@pytest.mark.parametrize("language", ["en-gb", "de"])
def test_reaction_buttons_are_the_partials_markup(community, manager, member, language):
    thread = thread_create(
        community=community, author=member, kind="question", title="How?", body="Tell me."
    )
    reply = reply_create(thread=thread, author=manager, body="Like this.")
    quiet = reply_create(thread=thread, author=manager, body="No reactions here.")
    reaction_toggle(user=member, kind="thumbs_up", reply=reply)
    reaction_toggle(user=manager, kind="thumbs_up", reply=reply)
    reaction_toggle(user=manager, kind="idea", thread=thread)
    for viewer in (member, manager, UserFactory()):
        summary = selectors.reaction_summary(
            viewer=viewer, thread_ids=[thread.pk], reply_ids=[reply.pk, quiet.pk]
        )
        posts = [
            (thread, "thread", summary[("thread", thread.pk)]),
            (reply, "reply", summary[("reply", reply.pk)]),
            (quiet, "reply", summary[("reply", quiet.pk)]),
        ]
        with translation.override(language):
            for post, what, reaction_list in posts:
                post.reaction_list = reaction_list
                for is_member in (True, False):
                    partial, written = _both_ways(post, what, member=is_member)
                    assert written == partial, (viewer, what, is_member)


def test_readers_see_counts_without_buttons_and_members_see_their_own_pressed(
    community, manager, member
):
    thread = thread_create(
        community=community, author=member, kind="discussion", title="T", body="B"
    )
    reply = reply_create(thread=thread, author=manager, body="R")
    reaction_toggle(user=member, kind="thanks", reply=reply)
    post = Reply.objects.get(pk=reply.pk)
    post.reaction_list = selectors.reaction_summary(viewer=member, reply_ids=[post.pk])[
        ("reply", post.pk)
    ]
    _partial, as_member = _both_ways(post, "reply", member=True)
    assert as_member.count("<form") == 3
    assert as_member.count('aria-pressed="true"') == 1
    assert f'name="reply" value="{post.pk}"' in as_member
    _partial, as_reader = _both_ways(post, "reply", member=False)
    assert "<form" not in as_reader
    assert as_reader.count('class="cm-reaction"') == 1
