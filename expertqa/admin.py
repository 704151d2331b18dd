from django.contrib import admin

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
    readonly_fields = ["vote_count", "answered_at"]
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


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "created_at"]
    search_fields = ["body"]
    raw_id_fields = ["question", "author"]
