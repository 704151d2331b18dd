"""Flagging with a reason, and the plain-words confirmation a manager can undo."""

import pytest
from django.urls import reverse

from communities.models import Flag, Thread
from communities.services import reply_create, thread_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(community, manager):
    return thread_create(
        community=community, author=manager, kind="discussion", title="Formulas", body="x"
    )


def flag_url(community, thread):
    return reverse("communities:flag", args=[community.slug, thread.pk])


def test_a_member_flags_a_post_as_spam_without_a_note(client, community, member, thread):
    client.force_login(member)
    response = client.post(flag_url(community, thread), {"category": "spam"}, follow=True)
    flag = Flag.objects.get(thread=thread)
    assert (flag.category, flag.reason) == ("spam", "Spam or advertising")
    assert "Thank you: the managers will have a look." in response.content.decode()


def test_something_else_needs_a_note_and_says_so_on_the_form(client, community, member, thread):
    client.force_login(member)
    response = client.post(flag_url(community, thread), {"category": "other", "reason": " "})
    assert response.status_code == 200
    assert "Tell the managers what is wrong with this post." in response.content.decode()
    assert not Flag.objects.exists()


def test_an_unknown_reason_is_refused_on_the_form(client, community, member, thread):
    client.force_login(member)
    response = client.post(flag_url(community, thread), {"category": "zzz", "reason": "x"})
    assert response.status_code == 200
    assert not Flag.objects.exists()


def test_the_thread_page_holds_the_flag_dialog_and_a_link_that_works_without_it(
    client, community, member, thread
):
    reply = reply_create(thread=thread, author=member, body="A reply")
    client.force_login(member)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert '<dialog class="se-dialog" id="flag-dialog"' in html
    assert (
        f'href="{flag_url(community, thread)}?reply={reply.pk}" data-flag-open="{reply.pk}"' in html
    )
    for value, label in Flag.Category.choices:
        assert f'value="{value}"' in html
        assert str(label) in html


def test_the_manager_reads_the_reason_in_the_queue(client, community, member, manager, thread):
    client.force_login(member)
    client.post(flag_url(community, thread), {"category": "offensive", "reason": "Rude"})
    client.force_login(manager)
    queue = client.get(reverse("communities:moderation", args=[community.slug])).content.decode()
    assert "Offensive or unkind" in queue
    assert "Rude" in queue


def test_hiding_confirms_in_plain_words_and_offers_an_undo(client, community, manager, thread):
    client.force_login(manager)
    moderation = reverse("communities:moderation", args=[community.slug])
    page = client.post(
        moderation, {"thread": thread.pk, "action": "hide", "reason": "Spam"}, follow=True
    ).content.decode()
    assert "The thread is hidden." in page
    assert 'name="action" value="restore"' in page
    assert f'name="thread" value="{thread.pk}"' in page
    # The Undo button posts that form back.
    client.post(moderation, {"thread": thread.pk, "action": "restore", "reason": "Undone"})
    thread.refresh_from_db()
    assert thread.status == Thread.Status.PUBLISHED
