import hashlib
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog

from .context_processors import menu_facts
from .dashboard import dashboard_sections
from .outbox.selectors import outbox_health
from .waiting import summaries, waiting_for


class KeptJavaScriptCatalog(JavaScriptCatalog):
    """Django's JavaScript catalogue, written once per process and language.

    Its output depends only on the deployed code and the language: the stock view read the
    .mo files again and wrote the catalogue out on every request. Browsers keep it and ask
    again with its ETag (a new deploy or another language gives another one), answered by a
    304; the middleware's Vary (Accept-Language, Cookie) still names what picks the language.
    """

    _kept: dict[tuple, tuple[bytes, str, str]] = {}

    def get(self, request, *args, **kwargs):
        domain, packages = kwargs.get("domain", self.domain), kwargs.get("packages", "")
        key = (get_language(), domain, packages, tuple(self.packages or ()))
        kept = self._kept.get(key)
        if kept is None:
            written = super().get(request, *args, **kwargs)
            body = written.content
            etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
            kept = self._kept[key] = (body, written["Content-Type"], etag)
        body, content_type, etag = kept
        response = HttpResponse(body, content_type=content_type)
        response["ETag"] = etag
        patch_cache_control(response, private=True, no_cache=True)
        return get_conditional_response(request, etag=etag, response=response)


@login_required
def home(request):
    facts = menu_facts(request)
    counts = {key: summary.count for key, summary in summaries(facts).items()}
    profile = getattr(request.user, "profile", None)
    # "Welcome" on the first visit after the first-run setup, "Welcome back" from the next
    # sign-in on (signing in stamps last_login after onboarded_at).
    first_visit = bool(
        profile is not None
        and profile.onboarded_at is not None
        and (request.user.last_login is None or request.user.last_login < profile.onboarded_at)
    )
    context = {
        "sections": dashboard_sections(request),
        "waiting": waiting_for(request.user, counts=counts),
        "first_visit": first_visit,
    }
    return TemplateResponse(request, "home.html", context)


def healthz(request):
    """`ok` when the database answers; `?full` adds the outbox relay's backlog as JSON."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if "full" not in request.GET:
        return HttpResponse("ok", content_type="text/plain")
    return JsonResponse({"status": "ok", "database": "ok", "outbox": outbox_health()})


# --- the calendar -------------------------------------------------------------------------------

SUBSCRIPTION_SESSION_KEY = "calendar_subscription_token"


def _month_from(request) -> tuple[int, int]:
    """?month=YYYY-MM, else this month in the viewer's zone; nonsense falls back quietly."""
    today = timezone.localdate()
    raw = (request.GET.get("month") or "").strip()[:7]
    try:
        year, month = (int(part) for part in raw.split("-"))
    except ValueError:
        return today.year, today.month
    if not (1901 <= year <= 9998 and 1 <= month <= 12):
        return today.year, today.month
    return year, month


@login_required
def calendar_month(request):
    from .calendar import agenda, entries_for, month_bounds, month_weeks
    from .people.models import CalendarToken

    tz = timezone.get_current_timezone()
    year, month = _month_from(request)
    start, end = month_bounds(year, month, tz)
    entries = entries_for(request.user, start=start, end=end)
    prev_year, prev_month = (year - 1, 12) if month == 1 else (year, month - 1)
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    token = request.session.pop(SUBSCRIPTION_SESSION_KEY, None)
    earlier_days, coming_days = agenda(entries, tz)
    context = {
        "earlier_days": earlier_days,
        "earlier_count": sum(len(d.entries) for d in earlier_days),
        "coming_days": coming_days,
        "month_start": start,
        "weeks": month_weeks(year, month, entries, tz),
        "entries": entries,
        "prev_month": f"{prev_year:04d}-{prev_month:02d}",
        "next_month": f"{next_year:04d}-{next_month:02d}",
        "subscription": CalendarToken.objects.filter(
            user=request.user, revoked_at__isnull=True
        ).first(),
        "new_feed_url": (
            request.build_absolute_uri(reverse("calendar_feed", args=[token])) if token else ""
        ),
    }
    return TemplateResponse(request, "calendar/month.html", context)


@login_required
@require_POST
def calendar_subscription(request):
    """Make (or remake) the person's subscription address, or revoke it."""
    from .people.services import calendar_token_create, calendar_token_revoke

    if request.POST.get("action") == "revoke":
        calendar_token_revoke(user=request.user)
        messages.success(request, _("The subscription address no longer works."))
    else:
        request.session[SUBSCRIPTION_SESSION_KEY] = calendar_token_create(user=request.user)
        messages.success(
            request, _("Your new subscription address is below; any older one stopped working.")
        )
    return redirect("calendar")


def calendar_feed(request, token: str):
    """The person's calendar as ICS, for calendar apps (no session: the token is the key)."""
    from .calendar import FEED_AHEAD, FEED_BEFORE, entries_for, feed_calendar
    from .people.models import CalendarToken
    from .people.services import calendar_token_hash

    row = (
        CalendarToken.objects.select_related("user")
        .filter(token_hash=calendar_token_hash(token[:200]))
        .first()
    )
    if row is None:
        raise Http404("No such calendar")
    if row.revoked_at is not None or not row.user.is_active:
        return HttpResponse(_("This calendar address was revoked."), status=410)
    now = timezone.now()
    if row.last_used_at is None or row.last_used_at < now - timedelta(hours=1):
        CalendarToken.objects.filter(pk=row.pk).update(last_used_at=now)
    entries = entries_for(row.user, start=now - FEED_BEFORE, end=now + FEED_AHEAD)
    body = feed_calendar(entries, name=_("My learning calendar"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
