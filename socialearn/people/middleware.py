import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.db import connection
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from .languages import KNOWN
from .models import Location, Profile
from .permissions import remember_group_names


@cache
def _profile_columns() -> tuple[str, list[str], list[str]]:
    """The profile's columns (p), its location's (l) and the person's group names."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    profile_fields = [f.attname for f in Profile._meta.concrete_fields]
    location_fields = [f.attname for f in Location._meta.concrete_fields]
    columns = [f'p."{Profile._meta.get_field(name).column}"' for name in profile_fields] + [
        f'l."{Location._meta.get_field(name).column}"' for name in location_fields
    ]
    user_groups = get_user_model().groups.through._meta.db_table
    groups = (
        f"ARRAY(SELECT g.name FROM {user_groups} ug "  # noqa: S608 - our names
        f"JOIN {Group._meta.db_table} g ON g.id = ug.group_id WHERE ug.user_id = p.user_id)"
    )
    return ", ".join([*columns, groups]), profile_fields, location_fields


@cache
def _profile_sql() -> str:
    columns, _profile_fields, _location_fields = _profile_columns()
    return (
        f"SELECT {columns} "  # noqa: S608 - our names
        f"FROM {Profile._meta.db_table} p "
        f"LEFT JOIN {Location._meta.db_table} l ON l.id = p.location_id "
        "WHERE p.user_id = %s"
    )


def viewer_profile_and_groups(user_id: int) -> tuple[Profile | None, frozenset[str] | None]:
    """The person's profile with its location, as
    `Profile.objects.select_related("location").filter(user_id=...).first()` gives it, and
    the names of their groups (None without a profile), read with SQL written once: every
    signed-in page asks this, and the ORM spent a millisecond compiling the same query each
    time; the groups, asked here, cost no query of their own where a page checks a role."""
    with connection.cursor() as cursor:
        cursor.execute(_profile_sql(), [user_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    return _profile_and_groups(row)


def _profile_and_groups(row) -> tuple[Profile, frozenset[str]]:
    """The profile, its location and the group names from a row of `_profile_columns()`."""
    _columns, profile_fields, location_fields = _profile_columns()
    split = len(profile_fields)
    profile = Profile.from_db(connection.alias, profile_fields, row[:split])
    location = None
    if profile.location_id is not None:
        location = Location.from_db(connection.alias, location_fields, row[split:-1])
    Profile.location.field.set_cached_value(profile, location)
    return profile, frozenset(row[-1])


def viewer_profile(user_id: int) -> Profile | None:
    return viewer_profile_and_groups(user_id)[0]


@cache
def _viewer_sql() -> tuple[str, list[str]]:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user_fields = [f.attname for f in user_model._meta.concrete_fields]
    user_columns = [f'u."{user_model._meta.get_field(name).column}"' for name in user_fields]
    columns, _profile_fields, _location_fields = _profile_columns()
    sql = (
        f"SELECT {columns}, {', '.join(user_columns)} "  # noqa: S608 - our names
        f"FROM {user_model._meta.db_table} u "
        f"LEFT JOIN {Profile._meta.db_table} p ON p.user_id = u.id "
        f"LEFT JOIN {Location._meta.db_table} l ON l.id = p.location_id "
        "WHERE u.id = %s"
    )
    return sql, user_fields


def viewer_user(user_id) -> tuple[object | None, Profile | None, frozenset[str] | None]:
    """The account as `User._default_manager.get(pk=user_id)` reads it (None when there is
    none), its profile with the location and its group names as `viewer_profile_and_groups`
    gives them, in one query: the account and the profile were two on every signed-in page."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    sql, user_fields = _viewer_sql()
    with connection.cursor() as cursor:
        # The session keeps the id as text; the ORM's get(pk=...) prepares it so.
        cursor.execute(sql, [user_model._meta.pk.get_prep_value(user_id)])
        row = cursor.fetchone()
    if row is None:
        return None, None, None
    user = user_model.from_db(connection.alias, user_fields, row[-len(user_fields) :])
    row = row[: -len(user_fields)]
    if row[0] is None:  # no profile
        return user, None, None
    profile, groups = _profile_and_groups(row)
    return user, profile, groups


def _reads_with_model_backend(backend) -> bool:
    return isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user


def get_user(request):
    """`django.contrib.auth.get_user`, step for step, with the account read by `viewer_user`
    (with the profile and groups, kept on the request for ViewerTimezoneMiddleware) when the
    session's backend reads it as ModelBackend does. A test holds the two equal in every case
    (no session, another backend, a deleted or inactive account, a changed password, a
    session signed with an earlier SECRET_KEY)."""
    from django.contrib.auth.models import AnonymousUser

    user = None
    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            backend = auth.load_backend(backend_path)
            if _reads_with_model_backend(backend):
                user, profile, groups = viewer_user(user_id)
                if user is not None and not backend.user_can_authenticate(user):
                    user = None
                if user is not None:
                    request._viewer_profile_and_groups = (user.pk, profile, groups)
            else:
                user = backend.get_user(user_id)
            # Verify the session
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(auth.HASH_SESSION_KEY)
                if not session_hash:
                    session_hash_verified = False
                else:
                    session_auth_hash = user.get_session_auth_hash()
                    session_hash_verified = constant_time_compare(session_hash, session_auth_hash)
                if not session_hash_verified:
                    # If the current secret does not verify the session, try with the
                    # fallback secrets and stop when a matching one is found.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback_auth_hash)
                        for fallback_auth_hash in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[auth.HASH_SESSION_KEY] = session_auth_hash
                    else:
                        request.session.flush()
                        user = None

    return user or AnonymousUser()


class ViewerAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware, the signed-in account read with its profile in one
    query (`get_user` above)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


def without_viewer_timezone(view):
    """Mark a view that shows no times and must not cost a query (a live poll): the
    middleware then leaves the user and their profile unread (the language then comes from
    the language cookie, which the middleware keeps in step with the profile)."""
    view.viewer_timezone = False
    return view


class ViewerTimezoneMiddleware:
    """Show every time in the viewer's own time zone, and every word in their language.

    LocaleMiddleware (earlier in the chain) has activated the browser's language; a signed-in
    person's own choice on their profile replaces it here, from the same one query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The zone and the language are the request's only: none is inherited from the
        # thread's last request, and none is left behind for whatever the thread runs next
        # (a task, a test).
        timezone.deactivate()
        try:
            response = self.get_response(request)
            # LocaleMiddleware sets this header only when it is missing, after the language
            # is deactivated below.
            response.headers.setdefault("Content-Language", translation.get_language())
            chosen = getattr(request, "viewer_language", "")
            if chosen and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen:
                _remember_language(response, chosen)
            elif getattr(request, "viewer_language_forgotten", False):
                _forget_language(response)
            return response
        finally:
            timezone.deactivate()
            translation.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "viewer_timezone", True):
            return None
        user = getattr(request, "user", None)
        tz = None
        if user is not None and user.is_authenticated:
            # One query for the profile and its location (the zone may come from either);
            # assigning it caches user.profile for the rest of the request.
            read = getattr(request, "_viewer_profile_and_groups", None)
            if read is not None and read[0] == user.pk:
                _pk, profile, group_names = read
            else:
                profile, group_names = viewer_profile_and_groups(user.pk)
            if profile is not None:
                user.profile = profile
                remember_group_names(user, group_names)
                try:
                    tz = profile.tz
                except zoneinfo.ZoneInfoNotFoundError:
                    tz = None
                if profile.language in KNOWN:
                    translation.activate(profile.language)
                    request.LANGUAGE_CODE = profile.language
                    request.viewer_language = profile.language
        if tz is not None:
            timezone.activate(tz)
        return None


def _remember_language(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def viewer_language_changed(request, code: str) -> None:
    """A person chose a language (blank: their browser's) on this request: speak it from now
    on, the rest of this request included (its success message), and keep the cookie in step.
    """
    if code in KNOWN:
        request.viewer_language = code
    else:
        # Back to the browser's: the cookie of the earlier choice must not decide any more.
        request.viewer_language = ""
        request.viewer_language_forgotten = True
        request.COOKIES.pop(settings.LANGUAGE_COOKIE_NAME, None)
        code = translation.get_language_from_request(request)
    translation.activate(code)
    request.LANGUAGE_CODE = code


def _forget_language(response) -> None:
    response.delete_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
