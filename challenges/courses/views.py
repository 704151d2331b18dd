from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from challenges.models import Challenge, FlowItem
from challenges.permissions import designable_communities
from communities import permissions as community_permissions
from communities.models import Reply
from communities.services import RosterError
from socialearn.calendar import feed_calendar
from socialearn.people.permissions import is_lnd_admin

from . import permissions, selectors, services
from .calendar import course_entry
from .forms import (
    CourseForm,
    FollowUpForm,
    IntroForm,
    MessageForm,
    NudgeForm,
    PromptForm,
    ReadingForm,
    RosterForm,
    SpotlightForm,
)
from .models import Course, DiscussionPrompt, GuidePrompt

PAGE_SIZE = 50


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _course_or_404(request, pk: int) -> Course:
    course = get_object_or_404(
        Course.objects.select_related("community", "host_community", "prereading", "follow_up"),
        pk=pk,
    )
    if not permissions.can_view(request.user, course):
        raise Http404("No such course")
    return course


def _run_or_403(request, pk: int) -> Course:
    course = _course_or_404(request, pk)
    if not permissions.can_run(request.user, course):
        raise PermissionDenied
    return course


def _inside_or_404(request, pk: int) -> Course:
    course = _course_or_404(request, pk)
    if not permissions.is_inside(request.user, course):
        raise Http404("No such course")
    return course


@login_required
def course_list(request):
    courses = selectors.course_list(request.user)
    page = Paginator(courses, PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "courses/list.html",
        {"page": page, "can_create": permissions.can_create(request.user)},
    )


@login_required
def course_create(request):
    if not permissions.can_create(request.user):
        raise PermissionDenied
    lnd = is_lnd_admin(request.user)
    form = CourseForm(
        request.POST or None,
        hosts=permissions.creatable_hosts(request.user),
        may_host_none=lnd,
        initial={"enrolment": Course.Enrolment.SELF, "prereading_opens_days": 7},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = services.course_create(
                created_by=request.user,
                title=data["title"],
                description=data["description"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                location=data["location"],
                online_url=data["online_url"],
                capacity=data["capacity"],
                enrolment=data["enrolment"],
                prereading_opens_days=data["prereading_opens_days"],
                host_community=data.get("host_community"),
                facilitators=form.facilitators,
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("The course is ready. Add pre-reading and prompts."))
            return redirect(course)
    return TemplateResponse(request, "courses/edit.html", {"form": form, "course": None})


@login_required
def course_edit(request, pk: int):
    course = _run_or_403(request, pk)
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(
                course=form.instance,
                updated_by=request.user,
                facilitators=form.facilitators or None,
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(course)
    return TemplateResponse(request, "courses/edit.html", {"form": form, "course": course})


@login_required
def course_detail(request, pk: int):
    course = _course_or_404(request, pk)
    inside = permissions.is_inside(request.user, course)
    runs = permissions.can_run(request.user, course)
    progress = selectors.participant_progress(course=course, user=request.user)
    today = timezone.localdate()
    enrolled_count = course.enrolments.count()
    context = {
        "course": course,
        "phase": selectors.course_phase(course, today),
        "progress": progress,
        "inside": inside,
        "runs": runs,
        "enrolled_count": enrolled_count,
        "is_full": course.capacity is not None and enrolled_count >= course.capacity,
        "facilitators": list(course.facilitators.select_related("profile").order_by("pk")),
        "intro_form": IntroForm(),
        "prompts": selectors.upcoming_prompts(course) if inside else [],
    }
    return TemplateResponse(request, "courses/detail.html", context)


@login_required
@require_GET
def course_calendar_file(request, pk: int):
    course = _course_or_404(request, pk)
    body = feed_calendar([course_entry(course)], name=course.title, subscription=False)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="course-{course.pk}.ics"'
    return response


@login_required
@require_POST
def course_enrol(request, pk: int):
    course = _course_or_404(request, pk)
    try:
        services.course_enrol(course=course, user=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("You are enrolled. Start by introducing yourself."))
    return redirect(course)


@login_required
@require_POST
def course_introduce(request, pk: int):
    course = _inside_or_404(request, pk)
    form = IntroForm(request.POST)
    if form.is_valid():
        try:
            services.course_introduce(
                course=course, user=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("Thanks for introducing yourself."))
    else:
        messages.error(request, _("Write a few words about yourself."))
    return redirect(reverse("courses:detail", args=[course.pk]) + "#introduce")


@login_required
def course_roster(request, pk: int):
    course = _run_or_403(request, pk)
    form = RosterForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            added = services.course_roster_upload(
                course=course, uploaded_by=request.user, roster_text=form.cleaned_data["roster"]
            )
        except RosterError as error:
            errors = error.errors
        else:
            messages.success(request, _("%(n)s people enrolled.") % {"n": added})
            return redirect("courses:facilitator", pk=course.pk)
    return TemplateResponse(
        request, "courses/roster.html", {"course": course, "form": form, "errors": errors}
    )


@login_required
def reading_new(request, pk: int):
    course = _run_or_403(request, pk)
    form = ReadingForm(request.POST or None, initial={"kind": FlowItem.Kind.RESOURCE})
    if request.method == "POST" and form.is_valid():
        try:
            services.course_reading_add(course=course, added_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Reading added."))
            return redirect("courses:facilitator", pk=course.pk)
    return TemplateResponse(request, "courses/reading_new.html", {"course": course, "form": form})


@login_required
def reading_detail(request, pk: int, item_pk: int):
    """A pre-reading item. Opening it marks it read for a participant once it is released."""
    course = _inside_or_404(request, pk)
    item = get_object_or_404(FlowItem, pk=item_pk, flow_id=course.prereading_id or -1)
    runs = permissions.can_run(request.user, course)
    opens = services.reading_release_at(course, item, selectors.zone_of(request.user))
    released = opens <= timezone.now()
    if not released and not runs:
        raise Http404("Not released yet")
    if released and course.enrolments.filter(user=request.user).exists():
        services.reading_mark(item=item, user=request.user)
    return TemplateResponse(
        request,
        "courses/reading.html",
        {"course": course, "item": item, "opens": opens, "released": released, "runs": runs},
    )


@login_required
def prompt_new(request, pk: int):
    course = _run_or_403(request, pk)
    form = PromptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.prompt_add(course=course, added_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Prompt saved. Open it when the discussion starts."))
            return redirect("courses:facilitator", pk=course.pk)
    return TemplateResponse(request, "courses/prompt_new.html", {"course": course, "form": form})


@login_required
@require_POST
def prompt_open(request, pk: int, prompt_pk: int):
    course = _run_or_403(request, pk)
    prompt = get_object_or_404(DiscussionPrompt, pk=prompt_pk, course=course)
    prompt = services.prompt_open(prompt=prompt, opened_by=request.user)
    messages.success(request, _("The discussion is open."))
    return redirect(
        prompt.thread.get_absolute_url() if prompt.thread else course.get_absolute_url()
    )


@login_required
def course_after(request, pk: int):
    """After the course: the follow-up challenge and the cohorts by interest."""
    course = _run_or_403(request, pk)
    challenges = Challenge.objects.filter(
        is_template=False, community__in=designable_communities(request.user)
    ).order_by("-start_date", "title")
    form = FollowUpForm(
        request.POST or None, challenges=challenges, initial={"challenge": course.follow_up_id}
    )
    if request.method == "POST":
        try:
            if "cohorts" in request.POST:
                made = services.course_cohorts_make(course=course, made_by=request.user)
                messages.success(request, _("%(n)s cohorts made.") % {"n": made})
                return redirect("courses:facilitator", pk=course.pk)
            if form.is_valid():
                services.course_follow_up_set(
                    course=course, set_by=request.user, challenge=form.cleaned_data["challenge"]
                )
                messages.success(request, _("Saved."))
                return redirect("courses:facilitator", pk=course.pk)
        except ValidationError as error:
            form.add_error(None, _errors(error))
    return TemplateResponse(request, "courses/after.html", {"course": course, "form": form})


@login_required
@require_POST
def course_complete(request, pk: int):
    course = _run_or_403(request, pk)
    done = services.course_complete(course=course, completed_by=request.user)
    messages.success(request, _("Course complete: %(n)s participants completed.") % {"n": done})
    return redirect("courses:facilitator", pk=course.pk)


@login_required
def facilitator(request, pk: int):
    course = _run_or_403(request, pk)
    rows = Paginator(selectors.facilitator_rows(course), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return TemplateResponse(
        request,
        "courses/facilitator.html",
        {
            "course": course,
            "figures": selectors.facilitator_figures(course),
            "page": rows,
            "readings": selectors.readings_of(course),
            "prompts": selectors.upcoming_prompts(course),
            "phase": Course.Phase(selectors.course_phase(course, timezone.localdate())).label,
        },
    )


# --- the learning guide's dashboard ----------------------------------------------------------


@dataclass(frozen=True)
class Guided:
    """A challenge or a course, on its guide's dashboard: what to read and where to go."""

    subject: Challenge | Course
    dashboard: Callable[[], selectors.Guide]
    url_name: str  # the dashboard's; its prompts post to url_name + "_prompt"

    @property
    def about(self) -> dict:
        """The subject as the guide's services name it: challenge=... or course=..."""
        return {"challenge" if isinstance(self.subject, Challenge) else "course": self.subject}


def guided_course(request, pk: int) -> Guided:
    course = _run_or_403(request, pk)
    return Guided(course, lambda: selectors.course_guide(course), "courses:guide")


def guided_challenge(request, pk: int) -> Guided:
    from challenges.permissions import can_view_challenge

    challenge = get_object_or_404(
        Challenge.objects.select_related("community", "guide__profile"), pk=pk
    )
    if not can_view_challenge(request.user, challenge):
        raise Http404("No such challenge")
    if not permissions.can_guide_challenge(request.user, challenge):
        raise PermissionDenied
    return Guided(
        challenge, lambda: selectors.challenge_guide(challenge), "courses:challenge_guide"
    )


@login_required
def guide(request, pk: int, *, load: Callable[..., Guided]):
    """The dashboard of a challenge or a course; `load` (given by the URL) finds it."""
    guided = load(request, pk)
    return TemplateResponse(
        request,
        "courses/guide.html",
        {
            "guide": guided.dashboard(),
            "subject": guided.subject,
            **guided.about,
            "post_url": reverse(f"{guided.url_name}_prompt", args=[guided.subject.pk]),
        },
    )


@login_required
@require_POST
def guide_prompt(request, pk: int, *, load: Callable[..., Guided]):
    guided = load(request, pk)
    about = guided.about
    participants = {r for r in request.POST.getlist("people")}
    action = request.POST.get("action", "")
    try:
        if action == "message":
            form = MessageForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Write the message."))
            services.guide_message(
                sent_by=request.user,
                to_user_id=form.cleaned_data["to"],
                text=form.cleaned_data["text"],
                **about,
            )
            messages.success(request, _("Message sent."))
        elif action == "nudge":
            form = NudgeForm(request.POST, choices=[(p, p) for p in participants])
            if not form.is_valid():
                raise ValidationError(_("Choose at least one person."))
            prompt = services.guide_nudge(
                sent_by=request.user,
                user_ids=form.cleaned_data["people"],
                text=form.cleaned_data["text"],
                **about,
            )
            messages.success(
                request, _("Nudge sent to %(n)s people.") % {"n": prompt.recipients.count()}
            )
        elif action == "spotlight":
            form = SpotlightForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose an answer."))
            reply = (
                Reply.objects.select_related("thread__community", "author__profile")
                .filter(pk=form.cleaned_data["reply"])
                .first()
            )
            if reply is None:
                raise ValidationError(_("Choose an answer."))
            services.guide_spotlight(
                sent_by=request.user, reply=reply, text=form.cleaned_data["text"], **about
            )
            messages.success(
                request,
                _("The answer is in the spotlight, pinned above the replies of its thread."),
            )
        else:
            raise ValidationError(_("Choose what to send."))
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect(guided.url_name, pk=guided.subject.pk)


@login_required
@require_POST
def spotlight_remove(request, pk: int):
    """Take a spotlight out of its thread: the guides who may spotlight, or the thread's
    managers. Anyone who may not read the thread learns nothing of it (404)."""
    prompt = get_object_or_404(
        GuidePrompt.objects.select_related("spotlight_thread__community"),
        pk=pk,
        kind=GuidePrompt.Kind.SPOTLIGHT,
        spotlight_thread__isnull=False,
    )
    thread = prompt.spotlight_thread
    community = thread.community
    manager = community_permissions.is_manager(request.user, community)
    readable = community_permissions.can_view_community(
        request.user, community
    ) and community_permissions.can_view_post(thread, request.user, manager=manager)
    if not readable:
        raise Http404("No such spotlight")
    try:
        services.guide_spotlight_remove(prompt=prompt, removed_by=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The answer is out of the spotlight; it stays in the thread."))
    return redirect(thread)
