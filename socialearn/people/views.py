from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialearn.notifications.selectors import (
    followed_people_ids,
    followed_topic_ids,
    followed_topic_levels,
    follows_person,
)

from . import first_run, hubs, search, selectors
from .evidence import readable_places
from .forms import DirectoryFilterForm, ProfileForm, WelcomeForm
from .middleware import viewer_language_changed
from .models import ProfilePhoto, Topic
from .services import (
    profile_for,
    profile_onboarded,
    profile_photo_remove,
    profile_photo_set,
    profile_update,
)


@login_required
def me(request):
    profile_for(request.user)
    return redirect("people:profile", user_id=request.user.pk)


@login_required
def profile(request, user_id: int):
    person = selectors.profile_detail(user_id=user_id).first()
    if person is None:
        raise Http404("No such person")
    return TemplateResponse(
        request,
        "people/profile.html",
        {
            "profile": person,
            "is_me": person.user_id == request.user.pk,
            "followed": followed_topic_ids(request.user),
            "follows_person": follows_person(request.user, person.user_id),
            "evidence": selectors.profile_evidence(viewer=request.user, user_id=person.user_id),
        },
    )


@login_required
def evidence(request, user_id: int, slug: str):
    """What a person did on one topic, kind by kind: the links behind the profile's counts."""
    person = selectors.profile_named(user_id=user_id).first()
    if person is None:
        raise Http404("No such person")
    topic = get_object_or_404(Topic, slug=slug)
    return TemplateResponse(
        request,
        "people/evidence.html",
        {
            "profile": person,
            "topic": topic,
            "groups": selectors.evidence_items(
                viewer=request.user, user_id=person.user_id, topic=topic
            ),
            "limit": selectors.EVIDENCE_ITEMS,
        },
    )


@login_required
def profile_edit(request):
    person = profile_for(request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expertise, interests = data.pop("expertise"), data.pop("interests")
        photo, remove_photo = data.pop("photo"), data.pop("remove_photo", False)
        try:
            with transaction.atomic():
                if photo:
                    try:
                        profile_photo_set(profile=person, upload=photo)
                    except ValidationError as error:
                        raise ValidationError({"photo": error.messages}) from None
                elif remove_photo:
                    profile_photo_remove(profile=person)
                profile_update(profile=person, expertise=expertise, interests=interests, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            viewer_language_changed(request, person.language)
            messages.success(request, _("Your profile is saved."))
            return redirect("people:profile", user_id=request.user.pk)
    return TemplateResponse(request, "people/profile_edit.html", {"form": form, "profile": person})


@login_required
def photo(request, user_id: int):
    """A person's picture, for signed-in colleagues. Its URL carries the picture's stamp, so
    browsers may keep it until the person changes it."""
    found = (
        ProfilePhoto.objects.filter(profile__user_id=user_id, profile__user__is_active=True)
        .values_list("image", "content_type", "updated_at")
        .first()
    )
    if found is None:
        raise Http404("No picture")
    image, content_type, updated_at = found
    response = HttpResponse(bytes(image), content_type=content_type)
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    response["Last-Modified"] = http_date(updated_at.timestamp())
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    people = selectors.people_search(viewer=request.user, **filters)
    paginator = Paginator(people, selectors.DIRECTORY_PAGE_SIZE)
    if not filters:
        paginator.count = selectors.directory_count()  # a cached_property: set, not counted
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "capped": getattr(people, "capped", False),
        "candidates": selectors.CANDIDATES,
        "searching": bool(filters),
        "query": query.urlencode(),
    }
    template = "people/directory.html#results" if request.htmx else "people/directory.html"
    return TemplateResponse(request, template, context)


@login_required
def topic_list(request):
    return TemplateResponse(
        request,
        "people/topic_list.html",
        {"topics": selectors.topics_with_counts(), "followed": followed_topic_ids(request.user)},
    )


TOPIC_SECTION_SIZE = 6
TOPIC_EXPERTS_PAGE_SIZE = 12


@login_required
def topic_detail(request, slug: str):
    """The topic's hub: what is asked, shared and planned on it, and who knows it."""
    topic = selectors.topic_with_parent(slug)
    if topic is None:
        raise Http404("No Topic matches the given query.")
    # The communities the reader may read, once for the people and every section.
    places = readable_places(request.user)
    experts = selectors.people_search(topic=topic, viewer=request.user, places=places)
    page = Paginator(experts, TOPIC_EXPERTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "people/topic_detail.html",
        {
            "topic": topic,
            "page": page,
            "followed": followed_topic_levels(request.user),
            "sections": hubs.topic_hub(
                request.user, topic, limit=TOPIC_SECTION_SIZE, places=places
            ),
        },
    )


# --- the one search ---------------------------------------------------------------------------

SEARCH_PAGE_SIZE = 20
SEARCH_GROUP_SIZE = 5
SUGGEST_GROUP_SIZE = 3


def _page_number(request) -> int:
    try:
        return min(max(int(request.GET.get("page", 1)), 1), 50)
    except (TypeError, ValueError):
        return 1


def search_response(request, *, default_kind: str = ""):
    """The results page: every kind's best hits, or one kind's hits page by page."""
    q = request.GET.get("q", "").replace("\x00", "")[: search.MAX_LENGTH]
    kind = request.GET.get("kind", default_kind)
    if search.provider(kind) is None:
        kind = ""
    page = _page_number(request) if kind else 1
    size = SEARCH_PAGE_SIZE if kind else SEARCH_GROUP_SIZE
    terms, groups = search.search(request.user, q, kind=kind, limit=size, offset=(page - 1) * size)
    context = {
        "q": q.strip(),
        "terms": terms,
        "kind": kind,
        "kinds": search.providers(),
        "groups": [g for g in groups if g.hits] if not kind else groups,
        "page": page,
        "found": any(g.hits for g in groups),
    }
    template = "people/search.html#results" if request.htmx else "people/search.html"
    return TemplateResponse(request, template, context)


@login_required
def search_page(request):
    return search_response(request)


@login_required
def search_suggest(request):
    """The header box's as-you-type list: a few hits of each kind, links only."""
    q = request.GET.get("q", "").replace("\x00", "")[: search.MAX_LENGTH]
    terms, groups = search.search(request.user, q, limit=SUGGEST_GROUP_SIZE, excerpts=False)
    context = {"q": q.strip(), "terms": terms, "groups": [g for g in groups if g.hits]}
    return TemplateResponse(request, "people/_search_suggest.html", context)


# --- first-run setup ------------------------------------------------------------------------


@login_required
def welcome(request):
    """First step: name, title, site and time zone, what the person knows and wants to learn."""
    person = profile_for(request.user)
    form = WelcomeForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expertise, interests = data.pop("expertise"), data.pop("interests")
        try:
            profile_update(profile=person, expertise=expertise, interests=interests, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            viewer_language_changed(request, person.language)
            return redirect(first_run.next_url("profile"))
    return TemplateResponse(
        request,
        "people/welcome.html",
        {"form": form, "steps": first_run.navigation("profile"), "profile": person},
    )


@login_required
def welcome_experts(request):
    """Last step: people who know what the person wants to learn, to follow in one click."""
    person = profile_for(request.user)
    experts = selectors.experts_to_follow(profile=person)
    return TemplateResponse(
        request,
        "people/welcome_experts.html",
        {
            "steps": first_run.navigation("experts"),
            "experts": experts,
            "following": followed_people_ids(request.user, [p.user_id for p in experts]),
        },
    )


@login_required
@require_POST
def welcome_finish(request):
    profile_onboarded(profile=profile_for(request.user))
    return redirect("home")


# --- pickers ----------------------------------------------------------------------------------


@login_required
def topic_suggest(request):
    """The tag picker's search: topics by name, prefix and typo-tolerant, as JSON."""
    return JsonResponse({"topics": selectors.topic_suggestions(prefix=request.GET.get("q", ""))})


@login_required
def mention_suggest(request):
    """@mention autocomplete: people by name or handle, as JSON for the textarea's script."""
    people = selectors.mention_suggestions(
        prefix=request.GET.get("q", "").replace("\x00", ""), exclude_user_id=request.user.pk
    )
    return JsonResponse({"people": people})
