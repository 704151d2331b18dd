from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator, format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from socialearn.markdown import render_markdown
from socialearn.people.admin_columns import person_column
from socialearn.people.admin_safety import SafeModelAdmin
from socialearn.people.models import person_name
from socialearn.subqueries import count_per_row

from . import services
from .live import broadcast
from .live.services import SLOW_MODE_CHOICES
from .models import (
    Answer,
    LiveEvent,
    LiveMessage,
    LivePrompt,
    Poll,
    PollOption,
    Question,
    Series,
    Session,
    TalkProposal,
)


@admin.register(Series)
class SeriesAdmin(SafeModelAdmin):
    list_display = ["title", "community", "topic"]
    list_filter = ["community"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["community", "topic"]
    list_select_related = ["community", "topic"]


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["body", "status", "vote_count", "answered_at", "deferred_to"]
    readonly_fields = ["body", "vote_count", "answered_at"]
    extra = 0
    show_change_link = True


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = [
            "title",
            "topic",
            "description",
            "community",
            "kind",
            "series",
            "experts",
            "moderator",
            "starts_at",
            "ends_at",
            "thread",
            "created_by",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Like the site's form: whoever adds the session schedules (and moderates) it unless
        # someone else is named.
        for name in ("created_by", "moderator"):
            if name in self.fields:
                self.fields[name].required = False
                self.fields[name].help_text = _("Leave empty for yourself.")

    def clean(self):
        data = super().clean()
        series, community = data.get("series"), data.get("community")
        if series and community and series.community_id != community.pk:
            self.add_error("series", _("This series belongs to another community."))
        return data


@admin.register(Session)
class SessionAdmin(SafeModelAdmin):
    form = SessionAdminForm
    list_display = ["title", "kind", "community", "topic", "starts_at", "ends_at"]
    list_display += [person_column("moderator")]
    list_filter = ["kind", "community"]
    search_fields = ["title", "description", "community__name"]
    date_hierarchy = "starts_at"
    autocomplete_fields = [
        "topic",
        "community",
        "series",
        "experts",
        "moderator",
        "created_by",
        "thread",
    ]
    list_select_related = ["community", "topic", "moderator__profile"]
    readonly_fields = ["version", "invited_at", "reminded_at", "close_processed_at"]
    inlines = [QuestionInline]

    def save_model(self, request, obj, form, change):
        if change:
            # Edits keep what the services derive in step (rendered text, scope, live boards).
            obj.description_html = render_markdown(obj.description)
            super().save_model(request, obj, form, change)
            services.session_touch(session=obj)
            return
        # A session added here is scheduled like one from the site: its community thread,
        # its scope and its invitations all come from the one service.
        data = form.cleaned_data
        session = services.session_schedule(
            created_by=data.get("created_by") or request.user,
            title=data["title"],
            topic=data["topic"],
            community=data["community"],
            experts=data["experts"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            moderator=data.get("moderator"),
            description=data.get("description", ""),
            kind=data["kind"],
            series=data.get("series"),
        )
        # The admin goes on with this object (experts, inline questions, the log entry).
        obj.pk = session.pk
        obj._state.adding = False
        obj.refresh_from_db()


class AnswerInline(admin.StackedInline):
    model = Answer
    fields = ["author", "body", "created_at"]
    # A raw id, not an autocomplete: its markup (data-field-name="author") reads like the
    # question's author field, which the safety tests look for and must never find.
    raw_id_fields = ["author"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(SafeModelAdmin):
    # Askers may be anonymous: named to superusers only, and never reachable by a lookup.
    private_fields = ("author",)
    list_display = ["__str__", "session", "status", "vote_count", "answered_at", "deferred_to"]
    list_filter = ["status", "session__community"]
    search_fields = ["body", "session__title"]
    raw_id_fields = ["author"]
    autocomplete_fields = ["session", "merged_into", "deferred_by"]
    list_select_related = ["session"]
    inlines = [AnswerInline]

    def save_model(self, request, obj, form, change):
        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)
        services.session_touch(session=obj.session)

    def save_formset(self, request, form, formset, change):
        for answer in formset.save(commit=False):
            answer.body_html = render_markdown(answer.body)
            answer.save()
        for gone in formset.deleted_objects:
            gone.delete()


@admin.register(Answer)
class AnswerAdmin(SafeModelAdmin):
    list_display = ["__str__", "question", person_column("author", "expert"), "created_at"]
    search_fields = ["body", "author__profile__display_name"]
    autocomplete_fields = ["question", "author"]
    list_select_related = ["question", "author__profile"]

    def save_model(self, request, obj, form, change):
        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)
        services.session_touch(session=obj.question.session)


# --- live events, live chats and polls --------------------------------------------------------
# Scheduled, run and closed on the site, where each step keeps the session, its community
# thread, the calendar and every open page in step: the admin finds, reads and corrects them,
# and adds none. A live event's prompts, messages, polls and questions are lists of their own
# (searchable, filtered to the event), never inlines: a busy event has thousands of messages.


def _filtered_link(model: str, lookup: str, value, words: str) -> str:
    url = reverse(f"admin:expertqa_{model}_changelist")
    return format_html('<a href="{}?{}={}">{}</a>', url, lookup, value, words)


class LiveStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("upcoming", _("Upcoming")),
            ("live", _("Live now")),
            ("finished", _("Finished")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        live = Q(closed_at__isnull=True, session__starts_at__lte=now, session__ends_at__gt=now)
        if self.value() == "upcoming":
            return queryset.filter(closed_at__isnull=True, session__starts_at__gt=now)
        if self.value() == "live":
            return queryset.filter(live)
        if self.value() == "finished":
            return queryset.filter(Q(closed_at__isnull=False) | Q(session__ends_at__lte=now))
        return queryset


class LiveEventAdminForm(forms.ModelForm):
    slow_mode_seconds = forms.TypedChoiceField(
        label=_("slow mode"),
        coerce=int,
        choices=[(0, _("Off"))]
        + [(s, format_lazy(_("{n} seconds"), n=s)) for s in SLOW_MODE_CHOICES[1:]],
        help_text=_("How long each person waits between two messages."),
    )

    class Meta:
        model = LiveEvent
        fields = ["format", "agenda", "moderators", "slow_mode_seconds"]


@admin.register(LiveEvent)
class LiveEventAdmin(SafeModelAdmin):
    form = LiveEventAdminForm
    list_display = ["title", "format", "community", "starts_at", "hosts", "messages", "closed_at"]
    list_filter = [LiveStateFilter, "format", "session__community"]
    search_fields = ["session__title", "agenda", "session__community__name"]
    autocomplete_fields = ["moderators"]
    list_select_related = ["session__community"]
    ordering = ["-session__starts_at"]
    readonly_fields = [
        "session_link",
        "window",
        "pinned",
        "closed_at",
        "start_announced_at",
        "kept_thread_link",
        "prompts_link",
        "messages_link",
        "polls_link",
        "questions_link",
    ]
    fieldsets = [
        (None, {"fields": ["session_link", "window", "format", "agenda", "moderators"]}),
        (
            _("Running it"),
            {
                "fields": [
                    "slow_mode_seconds",
                    "pinned",
                    "start_announced_at",
                    "closed_at",
                    "kept_thread_link",
                ]
            },
        ),
        (
            _("What it holds"),
            {"fields": ["prompts_link", "messages_link", "polls_link", "questions_link"]},
        ),
    ]

    def has_add_permission(self, request):
        return False  # scheduled on the site: the session, its thread and invitations follow

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_messages=count_per_row(LiveMessage.objects.all(), "event"))
            .prefetch_related("session__experts__profile")
        )

    @admin.display(description=_("title"), ordering="session__title")
    def title(self, obj):
        return obj.session.title

    @admin.display(description=_("community"), ordering="session__community__name")
    def community(self, obj):
        return obj.session.community

    @admin.display(description=_("starts"), ordering="session__starts_at")
    def starts_at(self, obj):
        return obj.session.starts_at

    @admin.display(description=_("hosts"))
    def hosts(self, obj):
        return ", ".join(sorted(person_name(u) for u in obj.session.experts.all()))

    @admin.display(description=_("messages"), ordering="n_messages")
    def messages(self, obj):
        return obj.n_messages

    @admin.display(description=_("session"))
    def session_link(self, obj):
        url = reverse("admin:expertqa_session_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.session.title)

    @admin.display(description=_("window"))
    def window(self, obj):
        start = timezone.localtime(obj.session.starts_at)
        end = timezone.localtime(obj.session.ends_at)
        return f"{start:%Y-%m-%d %H:%M} – {end:%H:%M} ({start.tzname()})"

    @admin.display(description=_("kept as the thread"))
    def kept_thread_link(self, obj):
        if obj.kept_thread_id is None:
            return _("Kept as a community thread when a host closes the event.")
        url = reverse("admin:communities_thread_change", args=[obj.kept_thread_id])
        return format_html('<a href="{}">{}</a>', url, obj.kept_thread)

    @admin.display(description=_("prompts"))
    def prompts_link(self, obj):
        n = obj.prompts.count()
        words = ngettext("%(n)s prompt", "%(n)s prompts", n) % {"n": n}
        return _filtered_link("liveprompt", "event__exact", obj.pk, words)

    @admin.display(description=_("messages"))
    def messages_link(self, obj):
        n = obj.messages.count()
        words = ngettext("%(n)s message", "%(n)s messages", n) % {"n": n}
        return _filtered_link("livemessage", "event__exact", obj.pk, words)

    @admin.display(description=_("polls"))
    def polls_link(self, obj):
        n = Poll.objects.filter(session=obj.pk).count()
        words = ngettext("%(n)s poll", "%(n)s polls", n) % {"n": n}
        return _filtered_link("poll", "session__id__exact", obj.pk, words)

    @admin.display(description=_("questions"))
    def questions_link(self, obj):
        n = Question.objects.filter(session=obj.pk).count()
        words = ngettext("%(n)s question", "%(n)s questions", n) % {"n": n}
        return _filtered_link("question", "session__id__exact", obj.pk, words)

    def save_model(self, request, obj, form, change):
        obj.agenda_html = render_markdown(obj.agenda)
        super().save_model(request, obj, form, change)
        services.session_touch(session=obj.session)


class ReleasedFilter(admin.SimpleListFilter):
    title = _("released")
    parameter_name = "released"

    def lookups(self, request, model_admin):
        return [("yes", _("Released")), ("no", _("Waiting for its time"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(released_at__isnull=self.value() == "no")
        return queryset


@admin.register(LivePrompt)
class LivePromptAdmin(SafeModelAdmin):
    list_display = ["__str__", "excerpt", "event", "release_at", "released_at"]
    list_filter = [ReleasedFilter, "event__session__community"]
    search_fields = ["body", "event__session__title"]
    list_select_related = ["event__session"]
    fields = ["event", "number", "body", "release_at", "released_at"]
    ordering = ["-release_at"]

    def has_add_permission(self, request):
        return False  # numbered in order by the chat's page

    def get_readonly_fields(self, request, obj=None):
        # Once out, a prompt is what people answered: kept as it was.
        if obj is not None and obj.released_at is not None:
            return ["event", "number", "body", "release_at", "released_at"]
        return ["event", "number", "released_at"]

    @admin.display(description=_("prompt"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)


class HiddenFilter(admin.SimpleListFilter):
    title = _("hidden by a host")
    parameter_name = "hidden"

    def lookups(self, request, model_admin):
        return [("yes", _("Hidden")), ("no", _("Shown"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(hidden_at__isnull=self.value() == "no")
        return queryset


@admin.register(LiveMessage)
class LiveMessageAdmin(SafeModelAdmin):
    # Backchannel messages are always posted under the person's name (anonymous asking is
    # for questions, whose admin keeps their askers private).
    list_display = ["excerpt", "event", person_column("author"), "prompt", "created_at", "hidden"]
    list_filter = [
        HiddenFilter,
        "event__session__community",
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["body", "author__profile__display_name", "event__session__title"]
    list_select_related = ["event__session", "author__profile", "prompt"]
    fields = [
        "event",
        "author_name",
        "body",
        "parent",
        "prompt",
        "created_at",
        "hidden_at",
        "hidden_by_name",
    ]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # hosts hide messages on the live page, where every viewer sees it go

    @admin.display(description=_("message"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description=_("hidden"), boolean=True)
    def hidden(self, obj):
        return obj.hidden_at is not None

    @admin.display(description=_("author"))
    def author_name(self, obj):
        return person_name(obj.author)

    @admin.display(description=_("hidden by"))
    def hidden_by_name(self, obj):
        return person_name(obj.hidden_by) if obj.hidden_by_id else "—"


class PollOptionInline(admin.TabularInline):
    # At most POLL_OPTIONS_MAX choices a poll: bounded.
    model = PollOption
    fields = ["position", "label", "answers"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_answers=Count("ballots"))

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("answers"))
    def answers(self, obj):
        return obj.n_answers


@admin.register(Poll)
class PollAdmin(SafeModelAdmin):
    list_display = [
        "question",
        "kind",
        "session",
        "state",
        "ballot_count",
        "revealed",
        person_column("created_by", _("by")),
    ]
    list_filter = ["kind", "state", "session__kind", "session__community"]
    search_fields = ["question", "session__title"]
    list_select_related = ["session", "created_by__profile"]
    fields = ["session", "kind", "question", "state", "revealed_at", "ballot_count", "created_at"]
    readonly_fields = ["session", "kind", "state", "revealed_at", "ballot_count", "created_at"]
    inlines = [PollOptionInline]
    ordering = ["-created_at"]

    def has_add_permission(self, request):
        return False  # hosts create, open and reveal polls on the live page

    @admin.display(description=_("results shown"), boolean=True)
    def revealed(self, obj):
        return obj.revealed_at is not None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        broadcast.poll_changed(obj.session_id, obj.pk)  # a corrected question reaches every page


@admin.register(TalkProposal)
class TalkProposalAdmin(SafeModelAdmin):
    """Read and correct proposals; deciding on one happens on the site, through its service
    (accepting schedules a session and tells the speaker)."""

    list_display = ["title", "community", person_column("proposer"), "status", "created_at"]
    list_filter = ["status", "community"]
    search_fields = ["title", "abstract", "proposer__profile__display_name", "community__name"]
    autocomplete_fields = ["community", "proposer", "topic"]
    readonly_fields = ["status", "decided_at", "decided_by", "decision_note", "session"]
    list_select_related = ["community", "proposer__profile"]
    date_hierarchy = "created_at"
