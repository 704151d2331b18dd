"""An anonymous thread, reply or session question never names its author to anyone but the
community's managers (and superusers in the admin): pages, htmx partials, feeds, search,
notifications, emails, digests, revisions, insights and the admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from communities.digests import digests_send
from communities.models import Community
from communities.services import thread_edit
from expertqa.services import answer_create, question_ask
from socialearn.insights.models import Activity
from socialearn.notifications.models import Notification
from socialearn.notifications.services import topic_follow
from tests.factories import UserFactory

from .conftest import HIDDEN_EMAIL, HIDDEN_NAME


def leaks(response) -> list[str]:
    text = response.content.decode("utf-8", "replace")
    return [word for word in (HIDDEN_NAME, HIDDEN_EMAIL) if word in text]


def _pages(w):
    c, t, r = w.public, w.anon_thread, w.anon_reply
    return [
        reverse("communities:detail", args=[c.slug]),
        reverse("communities:thread", args=[c.slug, t.pk]),
        reverse("communities:thread", args=[c.slug, w.public_thread.pk]),
        reverse("communities:revisions", args=[c.slug, t.pk]),
        reverse("communities:flag", args=[c.slug, t.pk]),
        reverse("communities:flag", args=[c.slug, w.public_thread.pk]) + f"?reply={r.pk}",
        reverse("communities:feed_rss", args=[c.slug]),
        reverse("communities:feed_atom", args=[c.slug]),
        reverse("communities:search") + "?q=burnout",
        reverse("search") + "?q=burnout",
        reverse("search") + "?q=anonymous",
        reverse("search_suggest") + "?q=burnout",
        reverse("home"),
        reverse("notifications:inbox"),
        reverse("people:topic", args=[w.topic.slug]),
    ]


@pytest.mark.parametrize("who", ["member", "outsider", "hidden"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_anonymous_author_is_not_named_on_any_page(client, world, who, htmx):
    """Rule: communities:detail, :thread, :revisions, :flag, feeds, :search, home, inbox and
    topic pages say "Anonymous" for anonymous posts, to members, outsiders and the author."""
    client.force_login(getattr(world, who))
    headers = {"HX-Request": "true"} if htmx else {}
    for url in _pages(world):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, url
        text = response.content.decode()
        if who == "hidden":  # the author's own name is in the header, not next to posts
            text = text.replace("Welcome back, Zebedee Hidden", "")
            assert "Zebedee Hidden" not in _posts_only(text), url
        else:
            assert not leaks(response), url


def _posts_only(text: str) -> str:
    """The page without the header (where a signed-in person sees their own name)."""
    return text.split("</header>", 1)[-1]


def test_managers_see_who_wrote_an_anonymous_post(client, world):
    """Control (communities:thread): the community's managers learn the author, for moderation."""
    client.force_login(world.manager)
    url = reverse("communities:thread", args=[world.public.slug, world.anon_thread.pk])
    assert "Zebedee Hidden" in client.get(url).content.decode()


def test_revisions_of_an_anonymous_tip_do_not_name_its_author(client, world):
    """Rule (communities:revisions): an anonymous tip's history says "Anonymous" for the
    revisions its author wrote, also after they edit it again."""
    thread_edit(
        thread=world.anon_thread,
        editor=world.hidden,
        title=world.anon_thread.title,
        body="Say no to most meetings.",
        url="",
        note="clearer",
    )
    url = reverse("communities:revisions", args=[world.public.slug, world.anon_thread.pk])
    client.force_login(world.member)
    response = client.get(url)
    assert response.status_code == 200
    assert not leaks(response)
    assert "by Anonymous" in response.content.decode()
    client.force_login(world.manager)
    assert "Zebedee Hidden" in client.get(url).content.decode()


def test_notifications_and_emails_never_name_the_anonymous_author(world):
    """Rule (notifications, @mention and reply emails): the reply notification to the asker
    and the @mention notification say "Anonymous"."""
    titles = list(Notification.objects.values_list("title", "body"))
    assert any("Anonymous" in title for title, _ in titles)
    for title, body in titles:
        assert HIDDEN_NAME not in title
        assert HIDDEN_NAME not in body
        assert HIDDEN_EMAIL not in title
        assert HIDDEN_EMAIL not in body
    for message in mail.outbox:
        text = (
            message.subject
            + message.body
            + "".join(str(alt[0]) for alt in getattr(message, "alternatives", []))
        )
        assert HIDDEN_NAME not in text
        assert HIDDEN_EMAIL not in text


def test_activity_for_anonymous_posts_has_no_actor(world, django_capture_on_commit_callbacks):
    """Rule (insights): the activity rows of anonymous threads, replies and session questions
    name nobody, and an answer to an anonymous question names no asker."""
    rows = Activity.objects.filter(thread_id__in=[world.anon_thread.pk], verb="posted")
    assert rows.exists()
    assert not rows.filter(actor_id=world.hidden.pk).exists()
    assert (
        not Activity.objects.filter(actor_id=world.hidden.pk)
        .exclude(verb__in=["joined", "community_joined"])
        .exists()
    )
    session = world.private_session
    from communities.services import membership_join

    membership_join(community=world.private, user=world.hidden)
    Community.objects.filter(pk=world.private.pk).update(anonymity=Community.Anonymity.ON)
    session.community.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        question = question_ask(
            session=session, author=world.hidden, body="Anonymous question?", is_anonymous=True
        )
        answer_create(question=question, author=world.manager, body="An answer.")
    assert not Activity.objects.filter(actor_id=world.hidden.pk, session_id=session.pk).exists()
    assert not Activity.objects.filter(target_user_id=world.hidden.pk).exists()
    for title, body in Notification.objects.values_list("title", "body"):
        assert HIDDEN_NAME not in title
        assert HIDDEN_NAME not in body


def test_anonymous_session_question_is_not_attributed_on_the_board(client, world):
    """Rule (expertqa:detail, expertqa:board): an anonymous question shows no asker to
    members."""
    Community.objects.filter(pk=world.private.pk).update(anonymity=Community.Anonymity.ON)
    from communities.services import membership_join

    membership_join(community=world.private, user=world.hidden)
    world.private_session.community.refresh_from_db()
    question_ask(
        session=world.private_session, author=world.hidden, body="Who am I?", is_anonymous=True
    )
    client.force_login(world.member)
    for url in (
        reverse("expertqa:detail", args=[world.private_session.pk]),
        reverse("expertqa:board", args=[world.private_session.pk]),
    ):
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "Who am I?" in response.content.decode()
        assert HIDDEN_NAME not in response.content.decode(), url


def test_digest_says_anonymous(world, mailoutbox):
    """Rule (email digest): a thread posted anonymously is listed as by "Anonymous"."""
    reader = UserFactory(profile__digest_frequency="daily")
    topic_follow(user=reader, topic=world.topic)
    digests_send(frequency="daily", now=timezone.now() + timedelta(minutes=5))
    sent = [m for m in mailoutbox if reader.email in m.to]
    assert sent, "the reader gets a digest"
    text = sent[0].body + "".join(str(a[0]) for a in sent[0].alternatives)
    assert world.anon_thread.title in text
    assert HIDDEN_NAME not in text
    assert "Quokka" not in text  # nor anything from the private community


@pytest.fixture
def staff(db):
    person = UserFactory(is_staff=True, email="stan.staff@example.com")
    for codename in (
        "view_thread",
        "view_reply",
        "view_tiprevision",
        "view_question",
        "change_question",
    ):
        person.user_permissions.add(Permission.objects.get(codename=codename))
    return person


def test_admin_lists_and_forms_hide_anonymous_authors_from_non_superusers(client, world, staff):
    """Rule (admin): staff who are not superusers read "Anonymous" in the thread, reply and
    tip revision lists, and the tip revision and session question forms have no author."""
    Community.objects.filter(pk=world.private.pk).update(anonymity=Community.Anonymity.ON)
    from communities.services import membership_join

    membership_join(community=world.private, user=world.hidden)
    world.private_session.community.refresh_from_db()
    question = question_ask(
        session=world.private_session, author=world.hidden, body="Who am I?", is_anonymous=True
    )
    thread_edit(
        thread=world.anon_thread,
        editor=world.hidden,
        title=world.anon_thread.title,
        body="Say no to most meetings.",
        url="",
        note="",
    )
    revision = world.anon_thread.revisions.order_by("number").last()
    client.force_login(staff)
    for url in (
        reverse("admin:communities_thread_changelist"),
        reverse("admin:communities_reply_changelist"),
        reverse("admin:communities_tiprevision_changelist"),
        reverse("admin:communities_tiprevision_change", args=[revision.pk]),
        reverse("admin:communities_thread_change", args=[world.anon_thread.pk]),
        reverse("admin:communities_reply_change", args=[world.anon_reply.pk]),
        reverse("admin:expertqa_question_changelist"),
        reverse("admin:expertqa_question_change", args=[question.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not leaks(response), url
    staff.is_superuser = True
    staff.save()
    response = client.get(reverse("admin:communities_tiprevision_changelist"))
    assert HIDDEN_NAME in response.content.decode()


def test_the_authors_profile_does_not_list_their_anonymous_posts(client, world):
    """Rule (people:profile, expertqa:expert, people:directory, people:topic): the author's
    own pages never tie them to their anonymous threads or replies."""
    client.force_login(world.outsider)
    for url in (
        reverse("people:profile", args=[world.hidden.pk]),
        reverse("expertqa:expert", args=[world.hidden.pk]),
        reverse("people:directory") + "?q=Zebedee",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert world.anon_thread.title not in text, url
        assert "An anonymous answer" not in text, url
    # The topic's hub lists the topic's tips, the anonymous one too, with no author at all:
    # nothing on it names the author.
    hub = client.get(reverse("people:topic", args=[world.topic.slug]))
    assert world.anon_thread.title in hub.content.decode()
    assert not leaks(hub)


def test_an_anonymous_help_request_reaches_followers_without_a_name(
    world, django_capture_on_commit_callbacks
):
    """Rule (help request fan-out): followers of the topic read "Anonymous asks for help"."""
    from communities.models import Thread
    from communities.services import thread_create

    topic_follow(user=world.outsider, topic=world.topic)
    with django_capture_on_commit_callbacks(execute=True):
        thread_create(
            community=world.public,
            author=world.hidden,
            kind=Thread.Kind.HELP,
            title="Stuck with a pivot table",
            body="Please help",
            topics=[world.topic],
            is_anonymous=True,
        )
    titles = list(
        Notification.objects.filter(recipient=world.outsider).values_list("title", flat=True)
    )
    assert any("Stuck with a pivot table" in t for t in titles)
    assert all(HIDDEN_NAME not in t for t in titles)


@pytest.mark.parametrize("q", ["Zebedee", "Zebedee Hidden", "zebedee.hidden", "Zebede"])
def test_search_by_the_anonymous_authors_name_finds_the_person_not_the_posts(client, world, q):
    """Rule (search, search_suggest): searching for the author of anonymous posts finds the
    person (people are public) but never the posts they wrote anonymously."""
    client.force_login(world.member)
    for name in ("search", "search_suggest"):
        text = client.get(reverse(name), {"q": q}).content.decode()
        assert world.anon_thread.title not in text, (name, q)
        assert "burnout" not in text, (name, q)
