from django.contrib import admin

from socialearn.people.admin_columns import email_column, person_column
from socialearn.people.admin_safety import SafeModelAdmin

from .models import Notification, TopicFollow


@admin.register(TopicFollow)
class TopicFollowAdmin(SafeModelAdmin):
    list_display = [person_column("user", "person"), email_column("user"), "topic", "created_at"]
    list_select_related = ["user__profile", "topic"]
    # Every topic (few), not "topics followed by someone", which reads every follow.
    list_filter = ["topic", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["user__email", "user__profile__display_name", "topic__name"]
    autocomplete_fields = ["user", "topic"]


@admin.register(Notification)
class NotificationAdmin(SafeModelAdmin):
    """Recipients are private: an inbox line such as "Your anonymous thread waits for a
    manager" or "Someone answered your question" names the author of anonymous content, and
    the text alone does not tell which lines do. Superusers see them."""

    private_fields = ("recipient",)
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_select_related = ["recipient__profile"]
    list_filter = ["kind", "send_email", ("read_at", admin.EmptyFieldListFilter)]
    list_filter += [("created_at", admin.DateFieldListFilter)]
    search_fields = ["title", "body", "recipient__email", "dedupe_key"]
    autocomplete_fields = ["recipient"]
    readonly_fields = ["emailed_at"]

    def get_list_display(self, request):
        # The mixin has dropped "recipient" for everyone but superusers; they read a name,
        # and the address in a column of its own.
        shown = []
        for entry in super().get_list_display(request):
            if entry == "recipient":
                shown += [person_column("recipient"), email_column("recipient")]
            else:
                shown.append(entry)
        return shown
