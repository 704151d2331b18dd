"""What every signed-in page pays before its own content: the viewer's profile, the menu's
facts and the header. Each is read with SQL written once or kept rendered; these tests hold
them to what the ORM and the template would give, for everyone, every time."""

import re

import pytest
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.cached_db import SessionStore
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from socialearn import context_processors
from socialearn.notifications.models import Notification
from socialearn.people import middleware
from socialearn.people.middleware import (
    ViewerAuthenticationMiddleware,
    ViewerTimezoneMiddleware,
    viewer_profile,
    viewer_profile_and_groups,
)
from socialearn.people.models import Profile
from socialearn.people.permissions import COORDINATOR, LD_ADMIN, is_coordinator, is_lnd_admin
from socialearn.views import home
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav[^>]*aria-label="(?:Main|Haupt)[^"]*"[^>]*>(.*?)</nav>', re.DOTALL)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _note(user, read: bool = False) -> Notification:
    now = timezone.now()
    return Notification.objects.create(
        recipient=user, kind="test", title="A note", created_at=now, read_at=now if read else None
    )


def test_the_viewer_profile_is_the_one_the_orm_reads_with_its_location():
    berlin = LocationFactory(name="Berlin", time_zone="Europe/Berlin")
    placed = UserFactory(profile__location=berlin, profile__time_zone="")
    unplaced = UserFactory(profile__location=None, profile__time_zone="Asia/Tokyo")
    for user in (placed, unplaced):
        expected = Profile.objects.select_related("location").get(user_id=user.pk)
        read = viewer_profile(user.pk)
        for field in Profile._meta.concrete_fields:
            assert getattr(read, field.attname) == getattr(expected, field.attname), field.name
        assert read.location == expected.location
        assert str(read.tz) == str(expected.tz)
    assert str(viewer_profile(placed.pk).tz) == "Europe/Berlin"
    assert str(viewer_profile(unplaced.pk).tz) == "Asia/Tokyo"


def test_the_viewer_profile_of_someone_without_one_is_none():
    user = UserFactory()
    Profile.objects.filter(user=user).delete()
    assert viewer_profile(user.pk) is None


def test_the_viewer_groups_are_read_with_the_profile_and_a_role_check_asks_nothing_more(
    django_assert_num_queries,
):
    admin, coordinator, employee = UserFactory(), UserFactory(), UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    coordinator.groups.add(Group.objects.get_or_create(name=COORDINATOR)[0])
    roles = {}
    for user in (admin, coordinator, employee):
        assert viewer_profile_and_groups(user.pk)[1] == frozenset(
            user.groups.values_list("name", flat=True)
        )
        request = RequestFactory().get("/")
        request.user = get_user_model().objects.get(pk=user.pk)
        with django_assert_num_queries(1):  # the profile, with the groups
            ViewerTimezoneMiddleware(lambda r: None).process_view(request, home, (), {})
        with django_assert_num_queries(0):
            roles[user] = (is_lnd_admin(request.user), is_coordinator(request.user))
    assert roles == {admin: (True, True), coordinator: (False, True), employee: (False, False)}


def test_the_menus_written_query_agrees_with_the_counted_one():
    employee, admin = UserFactory(), UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    _note(employee), _note(employee), _note(employee, read=True), _note(admin, read=True)
    for user, unread, lnd_admin in [(employee, 2, False), (admin, 0, True)]:
        written = context_processors._unread_and_roles(user.pk)
        counted = context_processors._menu_facts_counted(user)
        assert written == {"unread": unread, "lnd_admin": lnd_admin}
        assert {key: counted[key] for key in written} == written


def test_a_kept_header_carries_each_pages_own_csrf_token_and_signing_out_works():
    user = UserFactory()
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(user)
    second.force_login(user)
    page = first.get(reverse("communities:list")).content.decode()
    again = second.get(reverse("communities:list")).content.decode()
    token, other = CSRF_INPUT.search(page).group(1), CSRF_INPUT.search(again).group(1)
    assert context_processors._CSRF_SLOT not in page
    assert token != other  # one kept header, each page its own token
    out = first.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert out.status_code == 302
    assert "_auth_user_id" not in first.session


def test_the_header_shows_each_persons_own_menu_and_count(client):
    employee, admin = UserFactory(), UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    _note(employee)
    _note(employee)
    client.force_login(employee)
    nav = NAV.search(client.get(reverse("communities:list")).content.decode()).group(1)
    assert reverse("insights:overview") not in nav
    assert '<span class="badge">2<' in nav
    _note(employee)
    nav = NAV.search(client.get(reverse("communities:list")).content.decode()).group(1)
    assert '<span class="badge">3<' in nav  # a new notification shows on the next page
    client.force_login(admin)
    nav = NAV.search(client.get(reverse("communities:list")).content.decode()).group(1)
    assert reverse("insights:overview") in nav
    assert 'class="badge"' not in nav.split('class="nav-user"')[1]


def test_the_header_marks_the_part_the_page_is_in(client):
    client.force_login(UserFactory())
    nav = NAV.search(client.get(reverse("communities:list")).content.decode()).group(1)
    current = re.findall(r'<a href="([^"]+)" aria-current="page"', nav)
    assert set(current) == {reverse("communities:list")}  # wide and narrow menus alike
    nav = NAV.search(client.get(reverse("notifications:inbox")).content.decode()).group(1)
    assert 'class="inbox-link" aria-current="page"' in nav


def test_the_header_speaks_the_viewers_language(client):
    user = UserFactory(profile__language="de")
    client.force_login(user)
    nav = NAV.search(client.get(reverse("communities:list")).content.decode()).group(1)
    assert "Abmelden" in nav
    assert "Sign out" not in nav
    Profile.objects.filter(user=user).update(language="en-gb")
    nav = NAV.search(client.get(reverse("communities:list")).content.decode()).group(1)
    assert "Sign out" in nav


def test_a_partial_without_the_header_asks_nothing_for_the_menu(
    client, django_assert_max_num_queries
):
    """An htmx partial renders no header: the menu's query is not run for it."""
    client.force_login(UserFactory())
    with django_assert_max_num_queries(50) as queries:
        client.get(reverse("search_suggest"), {"q": "da"}, HTTP_HX_REQUEST="true")
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "notifications_notification" not in sql


# --- the account, read with the profile ---------------------------------------------------------

MODEL_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]


class OwnReadingBackend(ModelBackend):
    """A backend that reads the account its own way: get_user asks it, as Django does."""

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None:
            user.read_by = "own backend"
        return user


def _request(session_key: str | None):
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key)
    return request


def _signed_in(user, backend: str) -> str:
    client = Client()
    client.force_login(user, backend=backend)
    return client.cookies["sessionid"].value


def _both(session_key: str | None):
    """What Django's get_user and ours make of copies of one session (each may change it)."""
    copy_key = None
    if session_key is not None:
        copy = SessionStore()
        copy.update(SessionStore(session_key).load())
        copy.create()
        copy_key = copy.session_key
    theirs, ours = _request(session_key), _request(copy_key)
    return (
        (auth.get_user(theirs), theirs.session),
        (middleware.get_user(ours), ours.session),
    )


def _same(theirs, ours) -> None:
    (user_a, session_a), (user_b, session_b) = theirs, ours
    assert type(user_a) is type(user_b)
    assert user_a.is_authenticated == user_b.is_authenticated
    if user_a.is_authenticated:
        for field in get_user_model()._meta.concrete_fields:
            assert getattr(user_a, field.attname) == getattr(user_b, field.attname), field.name
        assert user_a.__dict__.get("read_by") == user_b.__dict__.get("read_by")
    assert dict(session_a.items()) == dict(session_b.items())
    assert (session_a.session_key is None) == (session_b.session_key is None)


@pytest.mark.parametrize("backend", MODEL_BACKENDS)
def test_the_account_is_read_as_djangos_get_user_reads_it(backend):
    user = UserFactory()
    key = _signed_in(user, backend)
    theirs, ours = _both(key)
    _same(theirs, ours)
    assert ours[0].pk == user.pk
    # No session; an inactive account; a changed password; a deleted account.
    _same(*_both(None))
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    _same(*_both(key))
    get_user_model().objects.filter(pk=user.pk).update(is_active=True)
    user.set_password("another password")
    user.save(update_fields=["password"])
    theirs, ours = _both(key)
    _same(theirs, ours)
    assert not ours[0].is_authenticated
    key = _signed_in(user, backend)
    get_user_model().objects.filter(pk=user.pk).delete()
    _same(*_both(key))


def test_a_session_of_an_earlier_secret_key_and_of_an_unknown_backend_as_django_has_it(
    settings,
):
    user = UserFactory()
    key = _signed_in(user, MODEL_BACKENDS[0])
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-newer-secret-key-" + "y" * 40
    theirs, ours = _both(key)
    _same(theirs, ours)
    assert ours[0].pk == user.pk  # kept, the session moved to the new key
    key = _signed_in(user, MODEL_BACKENDS[0])
    settings.AUTHENTICATION_BACKENDS = [MODEL_BACKENDS[1]]
    _same(*_both(_signed_in(user, MODEL_BACKENDS[1])))
    theirs, ours = _both(key)  # its backend is no longer allowed
    _same(theirs, ours)
    assert not ours[0].is_authenticated


def test_a_backend_reading_the_account_its_own_way_is_asked(settings):
    own = f"{__name__}.OwnReadingBackend"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, own]
    theirs, ours = _both(_signed_in(UserFactory(), own))
    _same(theirs, ours)
    assert ours[0].read_by == "own backend"


def test_a_signed_in_page_reads_the_account_and_the_profile_in_one_query(
    django_assert_num_queries,
):
    user = UserFactory(profile__language="de")
    user.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    request = _request(_signed_in(user, MODEL_BACKENDS[1]))
    ViewerAuthenticationMiddleware(lambda r: None).process_request(request)
    with django_assert_num_queries(1):
        ViewerTimezoneMiddleware(lambda r: None).process_view(request, home, (), {})
        assert request.user.pk == user.pk
        assert request.user.profile.language == "de"
        assert request.LANGUAGE_CODE == "de"
        assert is_lnd_admin(request.user)


def test_a_page_masks_its_csrf_token_once_for_the_header_and_its_forms():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    page = client.get(reverse("communities:create")).content.decode()
    tokens = set(CSRF_INPUT.findall(page)) | set(re.findall(r'"X-CSRFToken": "([^"]+)"', page))
    assert len(tokens) == 1
    again = client.get(reverse("communities:create")).content.decode()
    assert CSRF_INPUT.search(again).group(1) not in tokens  # each page its own mask
