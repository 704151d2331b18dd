from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from socialearn.context_processors import menu_facts
from socialearn.http import safe_next_url
from socialearn.people.languages import language_of
from socialearn.people.models import Topic, person_name

from .mail import DIGEST, kind_label, unsubscribe_read
from .models import Notification, TopicFollow
from .selectors import inbox_page, unread_count
from .services import (
    email_resubscribe,
    email_unsubscribe,
    notifications_mark_read,
    person_follow,
    person_unfollow,
    topic_follow,
    topic_unfollow,
)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next_url(request, target, fallback)


@login_required
def inbox(request):
    page = inbox_page(request.user, request.GET.get("page", 1))
    # The menu counts the unread notifications anyway, and keeps the count on the request.
    unread = menu_facts(request)["unread"]
    return TemplateResponse(request, "notifications/inbox.html", {"page": page, "unread": unread})


@login_required
@require_POST
def mark_read(request, notification_id: int):
    note = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notifications_mark_read(user=request.user, ids=[note.pk])
    if request.htmx:
        note.refresh_from_db(fields=["read_at"])
        return TemplateResponse(
            request,
            "notifications/inbox.html#mark-read-response",
            {"n": note, "unread": unread_count(request.user)},
        )
    return redirect(_safe_next(request, "notifications:inbox"))


@login_required
@require_POST
def mark_all_read(request):
    marked = notifications_mark_read(user=request.user)
    if request.htmx:
        page = inbox_page(request.user, request.POST.get("page", 1))
        return TemplateResponse(
            request,
            "notifications/inbox.html#mark-all-response",
            {"page": page, "unread": 0},
        )
    if marked:
        messages.success(
            request,
            ngettext(
                "Marked %(count)d notification read.",
                "Marked %(count)d notifications read.",
                marked,
            )
            % {"count": marked},
        )
    return redirect("notifications:inbox")


@login_required
def open_notification(request, notification_id: int):
    """Follow a notification's link. The inbox's button POSTs here and marks it read on the
    way; a GET (an old or shared link) only follows it and changes nothing."""
    note = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    if request.method == "POST":
        notifications_mark_read(user=request.user, ids=[note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(note.url)
    return redirect("notifications:inbox")


def _follow_response(request, topic: Topic, following: bool, level: str = ""):
    if request.htmx:
        return TemplateResponse(
            request,
            "notifications/_follow_button.html",
            {
                "topic": topic,
                "following": following,
                "level": level,
                "levels": TopicFollow.Level.choices,
                "next": _safe_next(request, ""),
                "compact": request.POST.get("compact") == "1",
            },
        )
    if not following:
        messages.success(request, _("You no longer follow %(topic)s.") % {"topic": topic.name})
    elif level == TopicFollow.Level.DIGEST:
        messages.success(
            request, _("You follow %(topic)s in your email digest only.") % {"topic": topic.name}
        )
    else:
        messages.success(
            request,
            _("You now follow %(topic)s: you hear of every new post.") % {"topic": topic.name},
        )
    return redirect(_safe_next(request, topic.get_absolute_url()))


@login_required
@require_POST
def follow_topic(request, slug: str):
    """Follow a topic, or change how: `level` is every, digest or off (unfollow)."""
    topic = get_object_or_404(Topic, slug=slug)
    level = request.POST.get("level") or None
    if level == "off":
        topic_unfollow(user=request.user, topic=topic)
        return _follow_response(request, topic, following=False)
    if level not in TopicFollow.Level.values:
        level = None
    follow = topic_follow(user=request.user, topic=topic, level=level)
    return _follow_response(request, topic, following=True, level=follow.level)


@login_required
@require_POST
def unfollow_topic(request, slug: str):
    topic = get_object_or_404(Topic, slug=slug)
    topic_unfollow(user=request.user, topic=topic)
    return _follow_response(request, topic, following=False)


def _masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}…@{domain}" if domain else _("your address")


# The token in the address is the proof (signed, one person and one kind): mail clients
# send the one-click POST of RFC 8058 with no cookie and no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """The link in every email's footer and List-Unsubscribe header; no sign-in needed.

    GET asks to confirm (a link scanner opening it changes nothing); POST unsubscribes, or
    subscribes again from the page that confirms it.
    """
    try:
        user_id, kind = unsubscribe_read(token)
    except signing.BadSignature:
        user_id, kind = None, ""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return TemplateResponse(
            request, "notifications/unsubscribe.html", {"state": "invalid"}, status=400
        )
    # The page answers a link from an email, without signing in: it speaks the language the
    # email was written in (the middleware deactivates it after the response).
    chosen = getattr(getattr(user, "profile", None), "language", "")
    if chosen:
        translation.activate(language_of(user))
        request.LANGUAGE_CODE = translation.get_language()
    state = "confirm"
    if request.method == "POST":
        if request.POST.get("action") == "resubscribe" and kind != DIGEST:
            email_resubscribe(user_id=user.pk, kind=kind)
            state = "resubscribed"
        else:
            email_unsubscribe(user_id=user.pk, kind=kind)
            state = "done"
    return TemplateResponse(
        request,
        "notifications/unsubscribe.html",
        {
            "state": state,
            "kind": kind,
            "is_digest": kind == DIGEST,
            "kind_label": kind_label(kind),
            "email": _masked(user.email),
        },
    )


@login_required
@require_POST
def follow_person(request, user_id: int):
    """Follow or (with `follow=off`) stop following a person's posts."""
    person = get_object_or_404(get_user_model(), pk=user_id, is_active=True)
    fallback = reverse("people:profile", args=[person.pk])
    if request.POST.get("follow") == "off":
        person_unfollow(user=request.user, person=person)
        messages.success(
            request, _("You no longer follow %(name)s.") % {"name": person_name(person)}
        )
    else:
        try:
            person_follow(user=request.user, person=person)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("You now follow %(name)s: you hear of each new post.")
                % {"name": person_name(person)},
            )
    return redirect(_safe_next(request, fallback))
