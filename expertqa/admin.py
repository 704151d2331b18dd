from django import forms
from django.contrib import admin

from socialearn.markdown import render_markdown
from socialearn.people.admin_safety import SafeModelAdmin

from . import services
from .models import Answer, Question, Series, Session


@admin.register(Series)
class SeriesAdmin(SafeModelAdmin):
    list_display = ["title", "community", "topic"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
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
                self.fields[name].help_text = "Leave empty for yourself."

    def clean(self):
        data = super().clean()
        series, community = data.get("series"), data.get("community")
        if series and community and series.community_id != community.pk:
            self.add_error("series", "This series belongs to another community.")
        return data


@admin.register(Session)
class SessionAdmin(SafeModelAdmin):
    form = SessionAdminForm
    list_display = ["title", "kind", "community", "topic", "starts_at", "ends_at", "moderator"]
    list_filter = ["kind", "community"]
    search_fields = ["title", "description"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["experts"]
    raw_id_fields = ["moderator", "created_by", "thread"]
    list_select_related = ["community", "topic", "moderator"]
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
    raw_id_fields = ["author"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(SafeModelAdmin):
    # Askers may be anonymous: named to superusers only, and never reachable by a lookup.
    private_fields = ("author",)
    list_display = ["__str__", "session", "status", "vote_count", "answered_at", "deferred_to"]
    list_filter = ["status"]
    search_fields = ["body"]
    raw_id_fields = ["session", "author", "merged_into", "deferred_by"]
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
    list_display = ["__str__", "author", "created_at"]
    search_fields = ["body"]
    raw_id_fields = ["question", "author"]

    def save_model(self, request, obj, form, change):
        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)
        services.session_touch(session=obj.question.session)
