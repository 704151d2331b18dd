import zoneinfo

from django.utils import timezone


def without_viewer_timezone(view):
    """Mark a view that shows no times and must not cost a query (a live poll): the
    middleware then leaves the user and their profile unread."""
    view.viewer_timezone = False
    return view


class ViewerTimezoneMiddleware:
    """Show every time in the viewer's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The zone is the request's only: none is inherited from the thread's last request,
        # and none is left behind for whatever the thread runs next (a task, a test).
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "viewer_timezone", True):
            return None
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
        return None
