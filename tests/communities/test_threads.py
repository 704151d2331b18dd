import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from communities.models import Reaction, Thread
from communities.services import (
    answer_accept,
    reaction_toggle,
    reply_create,
    reply_edit,
    thread_create,
    thread_edit,
)
from socialearn.insights.models import Activity
from socialearn.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [k for k, _ in Thread.Kind.choices])
def test_each_kind_of_thread_is_published_with_the_communitys_topics(community, member, kind):
    thread = thread_create(
        community=community,
        author=member,
        kind=kind,
        title=f"A {kind}",
        body="Some **text**",
        url="https://example.com/guide" if kind == "resource" else "",
    )
    assert thread.status == Thread.Status.PUBLISHED
    assert "<strong>text</strong>" in thread.body_html
    assert list(thread.topics.all()) == list(community.topics.all())
    assert Activity.objects.filter(verb="posted", thread_id=thread.pk, actor=member).exists()
    if kind == "tip":
        assert thread.revisions.count() == 1


def test_markdown_is_sanitised_against_xss(community, member):
    thread = thread_create(
        community=community,
        author=member,
        kind="discussion",
        title="x",
        body="<script>alert(1)</script> [click](javascript:alert(1))",
    )
    assert "<script" not in thread.body_html
    assert "javascript:" not in thread.body_html


def test_a_reply_counts_and_tells_the_thread_author(community, member, manager):
    thread = thread_create(
        community=community, author=member, kind="question", title="How?", body="Help"
    )
    reply = reply_create(thread=thread, author=manager, body="Like this")
    thread.refresh_from_db()
    assert thread.reply_count == 1
    assert Notification.objects.filter(recipient=member, kind="reply").exists()
    assert Activity.objects.filter(verb="replied", object_id=reply.pk).exists()


def test_the_asker_accepts_one_answer_and_can_switch_it(community, member, manager):
    helper = UserFactory()
    thread = thread_create(
        community=community, author=member, kind="question", title="How?", body="Help"
    )
    first = reply_create(thread=thread, author=manager, body="One way")
    second = reply_create(thread=thread, author=helper, body="Better way")
    answer_accept(thread=thread, reply=first, accepted_by=member)
    assert thread.accepted_reply == first
    answer_accept(thread=thread, reply=second, accepted_by=member)
    thread.refresh_from_db()
    assert thread.accepted_reply == second
    activity = Activity.objects.filter(verb="answer_accepted").latest("id")
    assert activity.actor == helper
    assert activity.target_user == member


def test_a_manager_may_accept_an_answer_but_another_member_may_not(community, member, manager):
    other = UserFactory()
    thread = thread_create(
        community=community, author=member, kind="question", title="How?", body="Help"
    )
    reply = reply_create(thread=thread, author=other, body="So")
    with pytest.raises(PermissionDenied):
        answer_accept(thread=thread, reply=reply, accepted_by=other)
    answer_accept(thread=thread, reply=reply, accepted_by=manager)
    assert thread.accepted_reply == reply


def test_a_discussion_has_no_accepted_answer(community, member, manager):
    thread = thread_create(
        community=community, author=member, kind="discussion", title="Chat", body="Hi"
    )
    reply = reply_create(thread=thread, author=manager, body="Hello")
    with pytest.raises(ValidationError):
        answer_accept(thread=thread, reply=reply, accepted_by=member)


def test_one_reaction_per_person_per_kind_toggles(community, member, manager):
    thread = thread_create(
        community=community, author=member, kind="tip", title="Tip", body="Do this"
    )
    assert reaction_toggle(user=manager, kind="thumbs_up", thread=thread) is True
    assert reaction_toggle(user=manager, kind="idea", thread=thread) is True
    thread.refresh_from_db()
    assert thread.reaction_count == 2
    assert reaction_toggle(user=manager, kind="thumbs_up", thread=thread) is False
    thread.refresh_from_db()
    assert thread.reaction_count == 1
    assert Reaction.objects.filter(user=manager).count() == 1
    assert Activity.objects.filter(verb="reacted").count() == 2


def test_mentions_notify_people_by_the_local_part_of_their_email(community, member, manager):
    thread = thread_create(
        community=community,
        author=member,
        kind="discussion",
        title="Ideas",
        body="What do you think @maria.manager? And @nobody.here",
    )
    note = Notification.objects.get(recipient=manager, kind="mention")
    assert thread.title in note.title
    assert "Sam" in note.title or member.profile.display_name in note.title


def test_mentions_in_a_private_community_only_reach_members(private_community, member, outsider):
    thread_create(
        community=private_community,
        author=member,
        kind="discussion",
        title="Ideas",
        body="@olly.outsider look",
    )
    assert not Notification.objects.filter(recipient=outsider).exists()


def test_editing_marks_the_post_edited_and_only_author_or_manager_may(community, member, manager):
    other = UserFactory()
    thread = thread_create(
        community=community, author=member, kind="discussion", title="Old", body="Old body"
    )
    with pytest.raises(PermissionDenied):
        thread_edit(thread=thread, editor=other, title="Hack", body="x")
    thread_edit(thread=thread, editor=manager, title="New", body="New body")
    thread.refresh_from_db()
    assert thread.edited_at is not None
    assert thread.title == "New"
    reply = reply_create(thread=thread, author=member, body="first")
    with pytest.raises(PermissionDenied):
        reply_edit(reply=reply, editor=other, body="x")
    reply_edit(reply=reply, editor=member, body="second")
    reply.refresh_from_db()
    assert reply.edited_at is not None
    assert "second" in reply.body_html


def test_members_improve_tips_and_every_revision_is_kept(community, member, manager):
    improver = UserFactory()
    from communities.services import membership_join

    membership_join(community=community, user=improver)
    tip = thread_create(
        community=community, author=member, kind="tip", title="Pivot", body="Step one"
    )
    thread_edit(thread=tip, editor=improver, title="Pivot", body="Step one\nStep two", note="+2")
    thread_edit(thread=tip, editor=manager, title="Pivot tables", body="Step one\nStep two")
    revisions = list(tip.revisions.order_by("number"))
    assert [r.number for r in revisions] == [1, 2, 3]
    assert [r.author for r in revisions] == [member, improver, manager]
    assert revisions[1].note == "+2"


def test_outsiders_cannot_improve_a_tip(community, member):
    tip = thread_create(community=community, author=member, kind="tip", title="T", body="B")
    with pytest.raises(PermissionDenied):
        thread_edit(thread=tip, editor=UserFactory(), title="T", body="vandal")


def test_locked_threads_take_no_new_replies(community, member, manager):
    from communities.services import moderation_act

    thread = thread_create(
        community=community, author=member, kind="discussion", title="T", body="B"
    )
    moderation_act(actor=manager, action="lock", thread=thread, reason="Off topic")
    with pytest.raises(ValidationError):
        reply_create(thread=thread, author=member, body="More")
