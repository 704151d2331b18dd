"""@mentions: linked to the person's profile in the post, and notified once, edits included."""

import pytest
from django.urls import reverse

from communities.models import ModerationWord
from communities.services import (
    link_mentions,
    moderation_act,
    reply_create,
    reply_edit,
    thread_create,
    thread_edit,
)
from socialearn.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def post(community, author, body, **kwargs):
    return thread_create(
        community=community, author=author, kind="discussion", title="Ideas", body=body, **kwargs
    )


def mentions_of(user):
    return Notification.objects.filter(recipient=user, kind="mention")


def test_a_mention_links_to_the_profile_of_the_person(community, member, manager):
    thread = post(community, member, "What do you think, @maria.manager?")
    url = reverse("people:profile", args=[manager.pk])
    assert f'<a href="{url}" class="mention" rel="noopener noreferrer nofollow">' in (
        thread.body_html
    )
    assert ">@maria.manager</a>?" in thread.body_html


def test_a_full_stop_after_the_handle_stays_outside_the_link(community, member, manager):
    thread = post(community, member, "Ask @maria.manager.")
    assert ">@maria.manager</a>.</p>" in thread.body_html


def test_unknown_handles_and_email_addresses_stay_plain_text(community, member, manager):
    thread = post(community, member, "Ask @nobody.here or write to maria.manager@example.com")
    assert 'class="mention"' not in thread.body_html
    assert "@nobody.here" in thread.body_html


def test_mentions_in_code_and_in_links_are_left_alone(community, member, manager):
    body = (
        "Inline `@maria.manager` here.\n\n"
        "```\nping @maria.manager\n```\n\n"
        "[see @maria.manager](https://example.com/x)\n\n"
        "But @maria.manager is linked."
    )
    thread = post(community, member, body)
    assert thread.body_html.count('class="mention"') == 1
    assert "<code>@maria.manager</code>" in thread.body_html
    assert "ping @maria.manager" in thread.body_html
    assert "see @maria.manager</a>" in thread.body_html


def test_outsiders_of_a_private_community_are_not_linked(private_community, member, outsider):
    thread = post(private_community, member, "@olly.outsider and @sam.member")
    assert thread.body_html.startswith("<p>@olly.outsider and <a href=")
    # Members are linked (the author too: linking is not notifying).
    assert thread.body_html.count('class="mention"') == 1


def test_linking_never_lets_markup_through(community, member, manager):
    body = '@maria.manager<script>alert(1)</script> <img src=x onerror=alert(1)> "@maria.manager"'
    thread = post(community, member, body)
    assert "<script" not in thread.body_html
    assert "onerror" not in thread.body_html
    assert thread.body_html.count('class="mention"') == 2


def test_link_mentions_leaves_attribute_values_alone(manager):
    html = '<p><a href="https://example.com/?q=@maria.manager" title="x > @maria.manager">y</a></p>'
    assert link_mentions(html, [manager]) == (
        '<p><a href="https://example.com/?q=@maria.manager" title="x &gt; @maria.manager" '
        'rel="noopener noreferrer nofollow">y</a></p>'
    )


def test_replies_link_mentions_too(community, member, manager):
    thread = post(community, member, "Question")
    reply = reply_create(thread=thread, author=member, body="cc @maria.manager")
    assert 'class="mention"' in reply.body_html


def test_the_thread_page_shows_the_mention_as_a_link(client, community, member, manager):
    thread = post(community, member, "Thanks @maria.manager")
    client.force_login(member)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert f'href="{reverse("people:profile", args=[manager.pk])}" class="mention"' in page


def test_editing_a_thread_notifies_only_the_people_it_newly_mentions(community, member, manager):
    newcomer = UserFactory(email="nina.new@example.com", username="nina.new@example.com")
    thread = post(community, member, "Hello @maria.manager")
    assert mentions_of(manager).count() == 1

    thread_edit(
        thread=thread, editor=member, title="Ideas", body="Hello @maria.manager and @nina.new"
    )

    assert mentions_of(manager).count() == 1
    assert mentions_of(newcomer).count() == 1
    thread.refresh_from_db()
    assert thread.body_html.count('class="mention"') == 2


def test_an_edit_that_keeps_the_mentions_notifies_nobody(community, member, manager):
    thread = post(community, member, "Hello @maria.manager")
    Notification.objects.all().delete()
    thread_edit(thread=thread, editor=member, title="Ideas", body="Hi @maria.manager, fixed")
    assert not Notification.objects.filter(kind="mention").exists()


def test_editing_a_reply_notifies_only_the_people_it_newly_mentions(community, member, manager):
    newcomer = UserFactory(email="nina.new@example.com", username="nina.new@example.com")
    thread = post(community, manager, "Question")
    reply = reply_create(thread=thread, author=member, body="I think @nina.new knows")
    assert mentions_of(newcomer).count() == 1

    reply_edit(reply=reply, editor=member, body="I think @nina.new knows, or @maria.manager")

    assert mentions_of(newcomer).count() == 1
    note = mentions_of(manager).get()
    assert note.url.endswith(f"#reply-{reply.pk}")


def test_a_held_edit_notifies_its_new_mentions_only_once_approved(community, member, manager):
    newcomer = UserFactory(email="nina.new@example.com", username="nina.new@example.com")
    ModerationWord.objects.create(word="confidential")
    thread = post(community, member, "Hello")
    thread_edit(thread=thread, editor=member, title="Ideas", body="confidential @nina.new")
    assert not mentions_of(newcomer).exists()

    moderation_act(actor=manager, action="approve", thread=thread)

    assert mentions_of(newcomer).count() == 1


def test_replies_to_a_clock_post_do_not_notify_its_designer_but_mentions_do(
    community, member, manager
):
    thread = post(community, manager, "Step 1: try it", is_system=True)
    reply_create(thread=thread, author=member, body="Done!")
    assert not Notification.objects.filter(recipient=manager, kind="reply").exists()

    reply_create(thread=thread, author=member, body="@maria.manager is this right?")
    assert mentions_of(manager).count() == 1
