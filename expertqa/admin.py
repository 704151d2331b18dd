from django.contrib import admin

from socialearn.markdown import render_markdown

from . import services
from .models import Answer, Question, Series, Session


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
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


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
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
        # Sessions added here are invited by the clock (invited_at is empty); the site's
        # form also opens a community thread. Keep what the services derive in step.
        obj.description_html = render_markdown(obj.description)
        super().save_model(request, obj, form, change)
        services.session_touch(session=obj)


class AnswerInline(admin.StackedInline):
    model = Answer
    fields = ["author", "body", "created_at"]
    raw_id_fields = ["author"]
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
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
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "created_at"]
    search_fields = ["body"]
    raw_id_fields = ["question", "author"]

    def save_model(self, request, obj, form, change):
        obj.body_html = render_markdown(obj.body)
        super().save_model(request, obj, form, change)
        services.session_touch(session=obj.question.session)
