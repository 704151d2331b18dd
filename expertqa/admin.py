from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from socialearn.markdown import render_markdown
from socialearn.people.admin_columns import person_column
from socialearn.people.admin_safety import SafeModelAdmin

from . import services
from .models import Answer, Question, Series, Session


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
