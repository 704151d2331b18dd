import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communities.models import Community, Thread
from communities.selectors import author_display
from communities.services import moderation_act, reply_create, thread_create
from socialearn.notifications.models import Notification
from tests.communities.conftest import make_community
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(anonymous_community):
    from communities.services import membership_join

    person = UserFactory(email="rita.reader@example.com")
    membership_join(community=anonymous_community, user=person)
    return person


def _name(user):
    return user.profile.display_name


def test_communities_without_anonymity_refuse_anonymous_posts(community, member):
    with pytest.raises(ValidationError):
        thread_create(
            community=community,
            author=member,
            kind="question",
            title="Q",
            body="?",
            is_anonymous=True,
        )


def test_anonymous_author_is_hidden_on_every_surface_but_managers_know(
    client, anonymous_community, member, manager, reader
):
    thread = thread_create(
        community=anonymous_community,
        author=member,
        kind="question",
        title="Salary bands unclear",
        body="Who decides salary bands? @rita.reader",
        is_anonymous=True,
    )
    reply = reply_create(
        thread=thread, author=member, body="Also salary reviews", is_anonymous=True
    )
    secret = _name(member)
    assert author_display(thread, reader) == "Anonymous"

    client.force_login(reader)
    surfaces = [
        anonymous_community.get_absolute_url(),
        thread.get_absolute_url(),
        reverse("communities:search") + "?q=salary",
        reverse("communities:search") + "?q=salary&page=1",
        reverse("notifications:inbox"),
        reverse("communities:flag", args=[anonymous_community.slug, thread.pk]),
        reverse("communities:flag", args=[anonymous_community.slug, thread.pk])
        + f"?reply={reply.pk}",
    ]
    for url in surfaces:
        html = client.get(url).content.decode()
        assert secret not in html, url
        assert member.email not in html, url
    partial = client.get(thread.get_absolute_url(), headers={"HX-Request": "true"})
    assert secret not in partial.content.decode()
    assert "Anonymous" in partial.content.decode()
    mention = Notification.objects.get(recipient=reader, kind="mention")
    assert secret not in mention.title
    assert mention.title.startswith("Anonymous")
    from socialearn.people.search import search

    hits = search(reader, "salary", kind="threads")[1][0].hits
    assert len(hits) == 2
    assert all("· Anonymous ·" in hit.meta and secret not in hit.meta for hit in hits)
    # The manager reply notification to the thread author names no one either.
    reply_create(thread=thread, author=reader, body="HR does")
    assert all(secret not in n.title for n in Notification.objects.exclude(recipient=member))

    client.force_login(manager)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert f"Posted anonymously by {secret}" in html
    assert "visible to managers only" in html


def test_review_mode_holds_anonymous_posts_until_a_manager_approves(client, manager, member):
    community = make_community(
        manager, name="Reviewed", members=[member], anonymity=Community.Anonymity.REVIEW
    )
    reader = UserFactory()
    from communities.services import membership_join

    membership_join(community=community, user=reader)
    thread = thread_create(
        community=community,
        author=member,
        kind="discussion",
        title="Quiet worry",
        body="x",
        is_anonymous=True,
    )
    assert thread.status == Thread.Status.PENDING
    named = thread_create(
        community=community, author=member, kind="discussion", title="Named post", body="x"
    )
    assert named.status == Thread.Status.PUBLISHED
    client.force_login(reader)
    assert client.get(thread.get_absolute_url()).status_code == 404
    client.force_login(member)
    assert "waits for a manager" in client.get(thread.get_absolute_url()).content.decode()
    client.force_login(manager)
    assert (
        "Quiet worry"
        in client.get(reverse("communities:moderation", args=[community.slug])).content.decode()
    )
    moderation_act(actor=manager, action="approve", thread=thread, reason="ok")
    client.force_login(reader)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Quiet worry" in html
    assert _name(member) not in html


def test_admin_lists_show_anonymous_to_staff_who_are_not_superusers(
    client, anonymous_community, member
):
    from django.contrib.auth.models import Permission

    thread_create(
        community=anonymous_community,
        author=member,
        kind="question",
        title="Anon admin",
        body="?",
        is_anonymous=True,
    )
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_thread"))
    client.force_login(staff)
    html = client.get("/admin/communities/thread/").content.decode()
    assert "Anon admin" in html
    assert _name(member) not in html


def test_activity_rows_never_name_the_author_of_an_anonymous_post(
    anonymous_community, member, manager
):
    from communities.services import answer_accept
    from socialearn.insights.models import Activity

    thread = thread_create(
        community=anonymous_community,
        author=member,
        kind="question",
        title="Q",
        body="?",
        is_anonymous=True,
    )
    reply = reply_create(thread=thread, author=manager, body="A", is_anonymous=True)
    answer_accept(thread=thread, reply=reply, accepted_by=member)
    rows = Activity.objects.filter(thread_id=thread.pk)
    assert rows.count() == 3
    assert not rows.filter(actor=member).exists()
    assert not rows.filter(target_user=member).exists()
    assert not rows.filter(actor=manager).exists()
