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
            # One query for the profile and its location (the zone may come from either);
            # assigning it caches user.profile for the rest of the request.
            from .models import Profile

            profile = Profile.objects.select_related("location").filter(user_id=user.pk).first()
            if profile is not None:
                user.profile = profile
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
