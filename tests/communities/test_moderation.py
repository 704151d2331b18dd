import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Flag, ModerationAction, ModerationWord, Thread
from communities.services import flag_create, moderation_act, reply_create, thread_create
from socialearn.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def word_list():
    ModerationWord.objects.create(word="bananas")


def test_a_post_matching_the_word_list_is_held_and_the_author_told(
    client, community, member, word_list
):
    thread = thread_create(
        community=community,
        author=member,
        kind="discussion",
        title="Going Bananas",
        body="Hmm",
    )
    assert thread.status == Thread.Status.HELD
    assert "bananas" in thread.hold_reason
    assert Notification.objects.filter(recipient=member, kind="post_held").exists()
    assert ModerationAction.objects.filter(thread=thread, action="held").exists()
    client.force_login(member)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Held for a manager" in page
    other_thread = thread_create(
        community=community, author=member, kind="discussion", title="Fine", body="ok"
    )
    reply = reply_create(thread=other_thread, author=member, body="BANANAS!")
    assert reply.status == Thread.Status.HELD
    other_thread.refresh_from_db()
    assert other_thread.reply_count == 0


def test_held_posts_are_invisible_to_other_members(client, community, member, manager, word_list):
    from tests.factories import UserFactory

    thread = thread_create(
        community=community, author=member, kind="discussion", title="bananas", body="x"
    )
    reader = UserFactory()
    client.force_login(reader)
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert "bananas" not in client.get(community.get_absolute_url()).content.decode()
    client.force_login(manager)
    assert (
        "bananas"
        in client.get(reverse("communities:moderation", args=[community.slug])).content.decode()
    )


def test_words_match_whole_words_only(community, member, word_list):
    thread = thread_create(
        community=community, author=member, kind="discussion", title="Bananasplit", body="x"
    )
    assert thread.status == Thread.Status.PUBLISHED


def test_flag_hide_restore_is_logged_with_who_and_why(client, community, member, manager):
    from tests.factories import UserFactory

    flagger = UserFactory()
    thread = thread_create(
        community=community, author=member, kind="discussion", title="T", body="x"
    )
    reply = reply_create(thread=thread, author=member, body="rude words")
    client.force_login(flagger)
    client.post(
        reverse("communities:flag", args=[community.slug, thread.pk]),
        {"reply": reply.pk, "reason": "Rude"},
    )
    flag = Flag.objects.get(reply=reply)
    assert flag.reason == "Rude"
    assert Notification.objects.filter(recipient=manager, kind="post_flagged").exists()

    client.force_login(manager)
    queue = client.get(reverse("communities:moderation", args=[community.slug])).content.decode()
    assert "Rude" in queue
    client.post(
        reverse("communities:moderation", args=[community.slug]),
        {"reply": reply.pk, "action": "hide", "reason": "Not kind"},
    )
    reply.refresh_from_db()
    assert reply.status == Thread.Status.HIDDEN
    flag.refresh_from_db()
    assert flag.resolved_at is not None
    client.force_login(flagger)
    assert "rude words" not in client.get(thread.get_absolute_url()).content.decode()

    client.force_login(manager)
    client.post(
        reverse("communities:moderation", args=[community.slug]),
        {"reply": reply.pk, "action": "restore", "reason": "Author apologised"},
    )
    reply.refresh_from_db()
    assert reply.status == Thread.Status.PUBLISHED
    log = list(ModerationAction.objects.filter(reply=reply).order_by("created_at", "id"))
    assert [(a.action, a.actor, a.reason) for a in log] == [
        ("flag", flagger, "Rude"),
        ("hide", manager, "Not kind"),
        ("restore", manager, "Author apologised"),
    ]
    page = client.get(reverse("communities:moderation", args=[community.slug])).content.decode()
    assert "Author apologised" in page
    assert "Not kind" in page


def test_lock_and_pin_are_for_managers_only(community, member, manager):
    thread = thread_create(
        community=community, author=member, kind="discussion", title="T", body="x"
    )
    with pytest.raises(PermissionDenied):
        moderation_act(actor=member, action="pin", thread=thread)
    moderation_act(actor=manager, action="pin", thread=thread, reason="Useful")
    moderation_act(actor=manager, action="lock", thread=thread, reason="Done")
    thread.refresh_from_db()
    assert thread.is_pinned
    assert thread.is_locked
    assert ModerationAction.objects.filter(thread=thread, action="pin", actor=manager).exists()


def test_the_moderation_queue_is_404_for_members(client, community, member):
    client.force_login(member)
    assert client.get(reverse("communities:moderation", args=[community.slug])).status_code == 404
    response = client.post(
        reverse("communities:moderation", args=[community.slug]), {"thread": 1, "action": "hide"}
    )
    assert response.status_code == 404


def test_flagging_needs_a_reason(community, member):
    from django.core.exceptions import ValidationError

    thread = thread_create(
        community=community, author=member, kind="discussion", title="T", body="x"
    )
    with pytest.raises(ValidationError):
        flag_create(user=member, reason="  ", thread=thread)


def _fill_every_section(community, member, manager, word_list, n: int) -> list[str]:
    """n held threads, held replies, flagged posts, hidden threads and hidden replies (and
    their log), by a member; the titles and texts the queue must show."""
    shown = []
    for i in range(n):
        held = thread_create(
            community=community,
            author=member,
            kind="discussion",
            title=f"bananas {n}-{i}",
            body="x",
        )
        post = thread_create(
            community=community, author=member, kind="discussion", title=f"Open {n}-{i}", body="x"
        )
        reply_create(thread=post, author=member, body=f"bananas reply {n}-{i}")
        flagged = reply_create(thread=post, author=member, body=f"flagged reply {n}-{i}")
        flag_create(user=manager, reason=f"Off topic {n}-{i}", reply=flagged)
        hidden = thread_create(
            community=community, author=member, kind="discussion", title=f"Gone {n}-{i}", body="x"
        )
        moderation_act(actor=manager, action="hide", reason=f"why {n}-{i}", thread=hidden)
        hidden_reply = reply_create(thread=post, author=member, body=f"hidden reply {n}-{i}")
        moderation_act(actor=manager, action="hide", reason="no", reply=hidden_reply)
        shown += [held.title, f"bananas reply {n}-{i}", f"Off topic {n}-{i}"]
        shown += [hidden.title, f"hidden reply {n}-{i}", f"why {n}-{i}"]
    return shown


def test_the_queue_shows_every_section_in_the_same_queries_for_one_post_or_many(
    client, community, member, manager, word_list
):
    """One query says which sections have posts, then one reads each that has: an empty
    queue asks the sections once, a full one the same number for one post or four."""
    url = reverse("communities:moderation", args=[community.slug])
    client.force_login(manager)
    client.get(url)
    with CaptureQueriesContext(connection) as empty:
        page = client.get(url).content.decode()
    assert "Nothing waits for review." in page
    assert "No open flags." in page
    counts = []
    for n in (1, 4):
        shown = _fill_every_section(community, member, manager, word_list, n)
        client.get(url)
        with CaptureQueriesContext(connection) as full:
            page = client.get(url).content.decode()
        assert all(text in page for text in shown)
        counts.append(len(full))
    assert counts[0] == counts[1] == len(empty) + 6
