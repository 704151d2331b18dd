from django.contrib import admin

from socialearn.people.admin_safety import SafeModelAdmin

from .models import Channel


@admin.register(Channel)
class ChannelAdmin(SafeModelAdmin):
    """Which communities post to which team channels, and whether delivery works.

    The webhook address is a secret: no one, superusers included, sees it here, encrypted or
    not; the hint (host and last four characters) tells channels apart. Connecting a channel
    happens on the community's page, where the address is checked.
    """

    private_fields = ["url_encrypted"]
    exclude = ["url_encrypted"]
    list_display = [
        "name",
        "provider",
        "community",
        "url_hint",
        "last_success_at",
        "last_error_at",
        "last_error",
    ]
    list_filter = ["provider"]
    search_fields = ["name", "community__name"]
    list_select_related = ["community"]
    readonly_fields = [
        "community",
        "provider",
        "url_hint",
        "created_by",
        "created_at",
        "last_success_at",
        "last_error_at",
        "last_error",
    ]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False
