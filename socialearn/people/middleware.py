import zoneinfo
from functools import cache

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from .languages import KNOWN
from .models import Location, Profile
from .permissions import remember_group_names


@cache
def _profile_sql() -> tuple[str, list[str], list[str]]:
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
    sql = (
        f"SELECT {', '.join(columns)}, {groups} "  # noqa: S608 - our names
        f"FROM {Profile._meta.db_table} p "
        f"LEFT JOIN {Location._meta.db_table} l ON l.id = p.location_id "
        "WHERE p.user_id = %s"
    )
    return sql, profile_fields, location_fields


def viewer_profile_and_groups(user_id: int) -> tuple[Profile | None, frozenset[str] | None]:
    """The person's profile with its location, as
    `Profile.objects.select_related("location").filter(user_id=...).first()` gives it, and
    the names of their groups (None without a profile), read with SQL written once: every
    signed-in page asks this, and the ORM spent a millisecond compiling the same query each
    time; the groups, asked here, cost no query of their own where a page checks a role."""
    sql, profile_fields, location_fields = _profile_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None, None
    split = len(profile_fields)
    profile = Profile.from_db(connection.alias, profile_fields, row[:split])
    location = None
    if profile.location_id is not None:
        location = Location.from_db(connection.alias, location_fields, row[split:-1])
    Profile.location.field.set_cached_value(profile, location)
    return profile, frozenset(row[-1])


def viewer_profile(user_id: int) -> Profile | None:
    return viewer_profile_and_groups(user_id)[0]


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
