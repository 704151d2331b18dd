"""The community page writes its rows of threads in Python (`thread_rows`), translating,
formatting and reversing once a page; each row is the markup of communities/_thread_row.html
(apart from whitespace between tags), whatever the thread's kind, state and author, in every
language, and an anonymous author is never named."""

import pytest
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone, translation

from communities import selectors
from communities.models import Thread
from communities.services import reply_create, thread_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _squeezed(html: str) -> str:
    return " ".join(html.split())


def _rows_both_ways(community, viewer) -> tuple[str, str]:
    threads = list(selectors.community_threads(community, viewer, manager=True))
    row = "communities/_thread_row.html"
    one_by_one = "".join(render_to_string(row, {"t": t}) for t in threads)
    written = (
        engines["django"]
        .from_string("{% load community_tags %}{% thread_rows threads community %}")
        .render({"threads": threads, "community": community})
    )
    return _squeezed(one_by_one), _squeezed(written)


def _threads_of_every_kind(community, manager, member):
    gone = UserFactory()
    marked_up = UserFactory()
    marked_up.profile.display_name = "<b>Bold</b> & co"
    marked_up.profile.save()
    made = []
    for i, (kind, author) in enumerate(
        [
            ("discussion", member),
            ("question", manager),
            ("help", gone),
            ("tip", marked_up),
            ("resource", member),
        ]
    ):
        made.append(
            thread_create(
                community=community,
                author=author,
                kind=kind,
                title=f'Thread <{i}> & "quotes"',
                body="Body",
                url="https://example.com/" if kind == "resource" else "",
            )
        )
    answered = made[1]
    answer = reply_create(thread=answered, author=member, body="An answer")
    Thread.objects.filter(pk=answered.pk).update(accepted_reply=answer, is_pinned=True)
    Thread.objects.filter(pk=made[0].pk).update(is_locked=True, reaction_count=1, reply_count=1)
    Thread.objects.filter(pk=made[2].pk).update(author=None, reply_count=1200)
    Thread.objects.filter(pk=made[3].pk).update(is_anonymous=True)
    Thread.objects.filter(pk=made[4].pk).update(
        status=Thread.Status.HELD, last_activity_at=timezone.now() - timezone.timedelta(days=40)
    )
    return made


@pytest.mark.parametrize("language", ["en-gb", "de"])
def test_thread_rows_are_the_row_templates_markup(community, manager, member, language):
    _threads_of_every_kind(community, manager, member)
    with translation.override(language):
        one_by_one, written = _rows_both_ways(community, manager)
    assert written == one_by_one
    assert written.count("<li ") == 5


def test_an_anonymous_threads_row_names_nobody(community, manager, member):
    made = _threads_of_every_kind(community, manager, member)
    _one_by_one, written = _rows_both_ways(community, manager)
    anonymous = made[3]
    row = next(r for r in written.split("</li>") if f"/t/{anonymous.pk}/" in r)
    assert "Bold" not in row
    assert "/people/" not in row
