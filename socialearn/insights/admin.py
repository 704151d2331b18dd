from django.contrib import admin, messages
from django.utils.translation import gettext_lazy

from socialearn.people.admin_columns import person_column
from socialearn.people.admin_safety import SafeModelAdmin

from . import services
from .models import Activity, Scope, XapiStatement


@admin.register(Activity)
class ActivityAdmin(SafeModelAdmin):
    """The record is written by the features; here it is only read."""

    list_display = [
        "occurred_at",
        "verb",
        person_column("actor", "who"),
        "community_id",
        "thread_id",
        person_column("target_user", "towards"),
    ]
    # A date filter, not a date hierarchy: the hierarchy lists the years, months and days
    # present by reading every row of the record.
    list_filter = ["verb", "is_question", ("occurred_at", admin.DateFieldListFilter)]
    search_fields = ["actor__profile__display_name", "actor__email", "actor__username"]
    list_select_related = ["actor__profile", "target_user__profile"]
    autocomplete_fields = ["actor", "target_user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Scope)
class ScopeAdmin(SafeModelAdmin):
    list_display = ["name", "kind", "object_id", "is_private", "url"]
    list_filter = ["kind", "is_private"]
    search_fields = ["name"]


@admin.register(XapiStatement)
class XapiStatementAdmin(SafeModelAdmin):
    list_display = [
        "statement_id",
        "status",
        "attempts",
        "available_at",
        "done_at",
        "short_error",
    ]
    list_filter = ["status"]
    search_fields = ["payload__statement_id", "last_error"]
    readonly_fields = [
        "statement_id",
        "activity_id",
        "statement",
        "status",
        "attempts",
        "available_at",
        "last_error",
        "created_at",
        "done_at",
    ]
    fields = readonly_fields
    actions = ["retry_now"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("last error"))
    def short_error(self, obj):
        return obj.last_error[:120]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Send again at the next run"))
    def retry_now(self, request, queryset):
        count = services.xapi_outbox_retry(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(
            request, f"{count} statements will be sent at the next run.", messages.SUCCESS
        )
