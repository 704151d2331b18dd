from django.contrib import admin

from socialearn.people.admin_columns import person_column
from socialearn.people.admin_safety import SafeModelAdmin

from .models import Course, DiscussionPrompt, Enrolment, GuidePrompt, ReadingMark


@admin.register(Course)
class CourseAdmin(SafeModelAdmin):
    list_display = ["title", "starts_on", "ends_on", "enrolment", "capacity", "host_community"]
    list_filter = ["enrolment", ("starts_on", admin.DateFieldListFilter)]
    search_fields = ["title", "host_community__name"]
    autocomplete_fields = ["host_community", "facilitators", "follow_up", "created_by"]
    list_select_related = ["host_community"]
    readonly_fields = ["community", "completed_at", "cohorts_made_at"]


@admin.register(Enrolment)
class EnrolmentAdmin(SafeModelAdmin):
    list_display = [person_column("user", "person"), "course", "via", "enrolled_at"]
    list_display += ["completed_at"]
    list_filter = ["via", ("completed_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__profile__display_name", "course__title"]
    autocomplete_fields = ["user", "course"]
    list_select_related = ["user__profile", "course"]


@admin.register(DiscussionPrompt)
class DiscussionPromptAdmin(SafeModelAdmin):
    list_display = ["title", "course", "position", "opened_at"]
    list_filter = [("opened_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "course__title"]
    autocomplete_fields = ["course"]
    list_select_related = ["course"]
    readonly_fields = ["opened_at", "opened_by", "thread"]


@admin.register(ReadingMark)
class ReadingMarkAdmin(SafeModelAdmin):
    list_display = [person_column("user", "person"), "item", "read_at"]
    list_filter = [("read_at", admin.DateFieldListFilter)]
    search_fields = ["user__profile__display_name", "item__title"]
    autocomplete_fields = ["user", "item"]
    list_select_related = ["user__profile", "item"]


@admin.register(GuidePrompt)
class GuidePromptAdmin(SafeModelAdmin):
    # A guide's message is written to one person: it stays between them.
    private_fields = ("text",)
    list_display = ["kind", person_column("sent_by", "guide"), "course", "challenge", "sent_at"]
    list_filter = ["kind", ("sent_at", admin.DateFieldListFilter)]
    search_fields = ["course__title", "challenge__title", "sent_by__profile__display_name"]
    autocomplete_fields = ["sent_by", "course", "challenge", "reply", "spotlight_thread"]
    autocomplete_fields += ["recipients"]
    list_select_related = ["sent_by__profile", "course", "challenge"]
