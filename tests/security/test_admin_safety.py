"""The admin never de-anonymises: staff who are not superusers (an L&D admin) find no way to
tie a person to anonymous content or to read unrecorded notes, neither in what the admin shows
(lists, filters, search, forms, the notification admin) nor through URL lookups they craft."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from challenges.models import Completion
from communities.models import Community, Thread
from communities.services import thread_create
from expertqa.services import question_ask
from socialearn.notifications.models import Notification
from socialearn.people.admin_safety import SafeAdminMixin
from socialearn.people.permissions import staff_groups_sync

from .conftest import HIDDEN_EMAIL, HIDDEN_NAME


def leaks(response) -> list[str]:
    text = response.content.decode("utf-8", "replace")
    return [word for word in (HIDDEN_NAME, HIDDEN_EMAIL) if word in text]


@pytest.fixture
def lnd(world):
    """The world's L&D admin, with the group's real rights and staff status."""
    staff_groups_sync()
    world.lnd.is_staff = True
    world.lnd.save(update_fields=["is_staff"])
    return world.lnd


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True, email="root@example.com")


@pytest.fixture
def held(world, django_capture_on_commit_callbacks):
    """An anonymous thread held for review: its author gets "your anonymous thread waits for a
    manager", an inbox line that names them as its author."""
    Community.objects.filter(pk=world.public.pk).update(anonymity=Community.Anonymity.REVIEW)
    world.public.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        thread_create(
            community=world.public,
            author=world.hidden,
            kind=Thread.Kind.DISCUSSION,
            title="Held anonymous thread",
            body="Body",
            is_anonymous=True,
        )
    notification = Notification.objects.get(recipient=world.hidden, kind="post_held")
    assert "waits for a manager" in notification.title
    return notification


def _refused_lookups(world, held):
    hidden = world.hidden.pk
    meeting = world.Meeting.objects.create(match=world.match, met_on=timezone.localdate())
    completion = Completion.objects.create(
        step=world.private_step,
        user=world.hidden,
        challenge=world.private_challenge,
        via=Completion.Via.REPLY,
        reply_id=world.anon_reply.pk,
        completed_at=timezone.now(),
    )
    assert meeting.pk
    assert completion.pk
    return [
        ("communities_thread", {"is_anonymous__exact": "1", "author__id__exact": hidden}),
        ("communities_thread", {"author": hidden}),
        ("communities_thread", {"author__email__icontains": "zebedee"}),
        ("communities_thread", {"edited_by__id__exact": hidden}),
        ("communities_thread", {"replies__author": hidden}),
        ("communities_reply", {"is_anonymous__exact": "1", "author__id__exact": hidden}),
        ("communities_reply", {"author__isnull": "False"}),
        ("communities_tiprevision", {"author__id__exact": hidden}),
        ("expertqa_question", {"author__id__exact": hidden}),
        ("auth_user", {"threads": world.anon_thread.pk}),
        ("auth_user", {"replies__id__exact": world.anon_reply.pk}),
        ("auth_user", {"session_questions__isnull": "False"}),
        ("auth_user", {"notifications": held.pk}),
        ("people_profile", {"user__threads": world.anon_thread.pk}),
        ("mentoring_meeting", {"notes__icontains": "a"}),
        ("mentoring_match", {"message__icontains": "a"}),
        ("mentoring_match", {"meetings__notes__icontains": "a"}),
        ("notifications_notification", {"recipient__id__exact": hidden}),
        ("notifications_notification", {"recipient__email": HIDDEN_EMAIL}),
        ("challenges_completion", {"reply_id": world.anon_reply.pk}),
    ]


def test_lookups_on_anonymous_authors_and_hidden_fields_answer_400(
    client, world, lnd, superuser, held
):
    """Rule (admin lookups): what the admin hides cannot be asked for through the URL, from
    the model itself or through a relation; the answer is Bad Request, never a 500 nor a
    filtered list. Superusers keep every lookup."""
    cases = _refused_lookups(world, held)
    client.force_login(lnd)
    for name, params in cases:
        response = client.get(reverse(f"admin:{name}_changelist"), params)
        assert response.status_code == 400, (name, params, response.status_code)
        assert not leaks(response), (name, params)
    client.force_login(superuser)
    for name, params in cases:
        # Django's own rule still refuses lookups across two relations for everyone.
        response = client.get(reverse(f"admin:{name}_changelist"), params)
        assert response.status_code in (200, 400), (name, params)
    response = client.get(
        reverse("admin:communities_thread_changelist"),
        {"is_anonymous__exact": "1", "author__id__exact": world.hidden.pk},
    )
    assert response.status_code == 200
    assert world.anon_thread.title in response.text


def test_ordinary_lookups_and_filters_still_work_for_ld(client, world, lnd):
    client.force_login(lnd)
    for name, params in [
        ("communities_thread", {"is_anonymous__exact": "1"}),
        ("communities_thread", {"community__id__exact": world.public.pk}),
        ("communities_reply", {"thread__id__exact": world.public_thread.pk}),
        ("auth_user", {"groups__id__exact": lnd.groups.first().pk}),
        ("mentoring_meeting", {"match__id__exact": world.match.pk}),
        ("notifications_notification", {"kind": "post_held"}),
    ]:
        response = client.get(reverse(f"admin:{name}_changelist"), params)
        assert response.status_code == 200, (name, params)


def test_lists_filters_search_and_forms_name_no_anonymous_author(client, world, lnd, held):
    """Rule (admin lists and forms): the changelists, their filters and search, and the change
    forms of anonymous posts, tip revisions, questions and notifications name nobody."""
    question = question_ask(
        session=world.private_session, author=world.member, body="Plain question?"
    )
    client.force_login(lnd)
    pages = [
        reverse("admin:communities_thread_changelist"),
        reverse("admin:communities_thread_changelist") + "?q=zebedee",
        reverse("admin:communities_reply_changelist") + "?q=zebedee",
        reverse("admin:communities_tiprevision_changelist"),
        reverse("admin:communities_thread_change", args=[world.anon_thread.pk]),
        reverse("admin:communities_reply_change", args=[world.anon_reply.pk]),
        reverse("admin:expertqa_question_changelist"),
        reverse("admin:expertqa_question_change", args=[question.pk]),
        reverse("admin:notifications_notification_changelist"),
        reverse("admin:notifications_notification_changelist") + "?q=zebedee",
        reverse("admin:notifications_notification_change", args=[held.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not leaks(response), url
        assert 'name="author"' not in response.text, url
        assert 'name="recipient"' not in response.text, url
    change = client.get(reverse("admin:notifications_notification_change", args=[held.pk]))
    assert f"/admin/auth/user/{world.hidden.pk}/" not in change.text
    assert f"→ {world.hidden.pk}" not in change.text
    searched = client.get(reverse("admin:communities_thread_changelist"), {"q": "zebedee"})
    assert world.anon_thread.title not in searched.text
    # Nobody but the site makes notifications: the add form would lack the recipient.
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_superusers_still_see_and_search_authors_and_recipients(client, world, superuser, held):
    client.force_login(superuser)
    found = client.get(reverse("admin:communities_thread_changelist"), {"q": "zebedee"})
    assert world.anon_thread.title in found.text
    inbox = client.get(reverse("admin:notifications_notification_changelist"))
    assert HIDDEN_EMAIL in inbox.text


def test_a_crafted_post_cannot_set_the_author_of_a_post(client, world, lnd):
    client.force_login(lnd)
    thread = world.public_thread
    url = reverse("admin:communities_thread_change", args=[thread.pk])
    form = client.get(url).context["adminform"].form
    assert "author" not in form.fields
    assert "edited_by" not in form.fields


def test_unrecorded_notes_are_absent_from_the_meeting_admin(client, world, lnd, superuser):
    meeting = world.Meeting.objects.create(
        match=world.match, met_on=timezone.localdate() - timedelta(days=1)
    )
    for person in (lnd, superuser):
        client.force_login(person)
        response = client.get(reverse("admin:mentoring_meeting_change", args=[meeting.pk]))
        assert response.status_code == 200
        assert 'name="notes"' not in response.text


def test_every_admin_of_the_project_keeps_private_fields_private():
    """A new ModelAdmin cannot forget the rules: each one of ours derives from the mixin."""
    ours = ("communities", "expertqa", "challenges", "mentoring", "people", "notifications")
    ours += ("insights", "auth")
    missing = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in ours and not isinstance(model_admin, SafeAdminMixin)
    ]
    assert not missing


def test_anonymous_content_keeps_its_author_private_whatever_its_admin_declares():
    from communities.models import Reply
    from expertqa.models import Question
    from socialearn.people.admin_safety import is_private

    for model in (Thread, Reply, Question):
        assert is_private(model, "author"), model


def test_searching_any_list_for_a_person_finds_none_of_their_anonymous_posts(
    client, world, lnd, held, rf
):
    """Rule (admin search): every changelist's search and filters, by name or email, reach
    no private field; a search for the anonymous author lists none of their anonymous posts,
    whatever model it runs on."""
    from socialearn.people.admin_safety import path_reaches_private

    request = rf.get("/admin/")
    request.user = lnd
    for model, model_admin in admin.site._registry.items():
        for entry in [
            *model_admin.get_search_fields(request),
            *model_admin.get_list_filter(request),
            *model_admin.get_list_display(request),
            *model_admin.get_autocomplete_fields(request),
        ]:
            name = entry[0] if isinstance(entry, (list, tuple)) else entry
            if isinstance(name, str):
                assert not path_reaches_private(model, name), (model._meta.label, name)
    client.force_login(lnd)
    anonymous_words = ["Anonymous tip about burnout", "An anonymous answer about burnout"]
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for term in (HIDDEN_NAME, HIDDEN_EMAIL):
            response = client.get(url, {"q": term})
            if response.status_code == 403:
                continue
            assert response.status_code == 200, (url, term)
            for words in anonymous_words:
                assert words not in response.text, (url, term, words)
