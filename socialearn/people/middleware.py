import zoneinfo

from django.utils import timezone


class ViewerTimezoneMiddleware:
    """Show every time in the viewer's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        tz = None
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            if profile is not None:
                try:
                    tz = profile.tz
                except zoneinfo.ZoneInfoNotFoundError:
                    tz = None
        if tz is not None:
            timezone.activate(tz)
        else:
            timezone.deactivate()
        return self.get_response(request)
