import pytest
from django.urls import reverse
from django.utils import timezone

from socialearn.notifications.models import Notification
from socialearn.notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def me(client):
    user = UserFactory()
    client.force_login(user)
    return user


def _notes(user, n, **kwargs):
    for i in range(n):
        notify(recipients=[user], kind="test", title=f"Note {i}", url="/people/", **kwargs)
    return list(Notification.objects.filter(recipient=user))


def test_inbox_lists_my_notifications_newest_first(client, me):
    _notes(me, 2)
    notify(recipients=[UserFactory()], kind="test", title="Someone else's")
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert "Note 1" in response.text
    assert "Someone else&#x27;s" not in response.text
    assert "Mark all as read" in response.text


def test_header_shows_the_unread_count(client, me):
    _notes(me, 3)
    response = client.get(reverse("people:directory"))
    assert '<span class="badge">3<span class="visually-hidden"> unread</span>' in response.text


def test_empty_inbox_says_so_calmly(client, me):
    response = client.get(reverse("notifications:inbox"))
    assert "Nothing here yet" in response.text
    assert "<audio" not in response.text


def test_inbox_is_paginated(client, me):
    _notes(me, 35)
    response = client.get(reverse("notifications:inbox"), {"page": 2})
    assert "Page 2 of 2" in response.text
    assert client.get(reverse("notifications:inbox"), {"page": "zzz"}).status_code == 200


def test_inbox_runs_a_fixed_number_of_queries(client, me, django_assert_max_num_queries):
    _notes(me, 2)
    with django_assert_max_num_queries(8):
        client.get(reverse("notifications:inbox"))
    _notes(me, 45)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200


def test_mark_one_read_with_htmx_returns_the_row_and_the_new_count(client, me):
    first, second = _notes(me, 2)
    response = client.post(
        reverse("notifications:mark_read", args=[first.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'id="notification-{first.pk}"' in response.text
    assert "is-unread" not in response.text
    assert 'id="unread-count" hx-swap-oob="true"' in response.text
    assert ">1<" in response.text
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_mark_one_read_without_javascript_redirects_back(client, me):
    (note,) = _notes(me, 1)
    response = client.post(reverse("notifications:mark_read", args=[note.pk]))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


def test_mark_all_read(client, me):
    _notes(me, 3)
    response = client.post(reverse("notifications:mark_all_read"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert 'id="inbox-list"' in response.text


def test_i_cannot_mark_someone_elses_notification(client, me):
    other = UserFactory()
    (note,) = _notes(other, 1)
    response = client.post(reverse("notifications:mark_read", args=[note.pk]))
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_read_needs_post(client, me):
    (note,) = _notes(me, 1)
    assert client.get(reverse("notifications:mark_read", args=[note.pk])).status_code == 405


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, me):
    (note,) = _notes(me, 1)
    response = client.post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_following_a_notification_link_by_get_changes_nothing(client, me):
    """A GET (a shared or bookmarked link, a prefetching browser) follows the link only."""
    (note,) = _notes(me, 1)
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    note.refresh_from_db()
    assert note.read_at is None


def test_the_inbox_opens_a_notification_with_a_post_form(client, me):
    (note,) = _notes(me, 1)
    page = client.get(reverse("notifications:inbox")).content.decode()
    url = reverse("notifications:open", args=[note.pk])
    assert f'<form method="post" action="{url}"' in page
    assert f'href="{url}"' not in page


def test_opening_never_redirects_off_site(client, me):
    note = Notification.objects.create(
        recipient=me, kind="x", title="x", url="https://evil.example/", created_at=timezone.now()
    )
    response = client.post(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == reverse("notifications:inbox")
