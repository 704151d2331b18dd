from django.contrib import admin, messages
from django.utils.translation import gettext_lazy

from socialearn.people.admin_safety import SafeModelAdmin

from . import selectors, services
from .models import Message


@admin.register(Message)
class MessageAdmin(SafeModelAdmin):
    """Everything committed work still has to cause, with the relay's backlog on top.

    A payload names the recipients of a fan-out or an email (the author of an anonymous thread
    among them), so only superusers read it.
    """

    private_fields = ["payload"]

    change_list_template = "admin/outbox/message/change_list.html"
    list_display = ["id", "kind", "status", "attempts", "created_at", "available_at", "short_error"]
    list_filter = ["status", "kind"]
    search_fields = ["kind", "last_error"]
    readonly_fields = [
        "kind",
        "payload",
        "status",
        "attempts",
        "available_at",
        "locked_by",
        "locked_until",
        "last_error",
        "created_at",
        "done_at",
    ]
    actions = ["retry_now"]
    show_full_result_count = False

    @admin.display(description=gettext_lazy("last error"))
    def short_error(self, obj):
        return obj.last_error[:120]

    def has_add_permission(self, request):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "outbox_health": selectors.outbox_health()}
        return super().changelist_view(request, extra_context=extra_context)

    @admin.action(description=gettext_lazy("Run again at the relay's next run"))
    def retry_now(self, request, queryset):
        count = services.messages_retry(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} messages will run again shortly.", messages.SUCCESS)
