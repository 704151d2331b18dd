from django.contrib import admin

from socialearn.people.admin_safety import SafeModelAdmin

from .models import (
    Community,
    Flag,
    Membership,
    ModerationAction,
    ModerationWord,
    Reaction,
    Reply,
    Thread,
    TipRevision,
)
from .selectors import person_name


def _author_column(request, post) -> str:
    # Anonymous authors are named to superusers only; everyone else reads "Anonymous".
    if post.is_anonymous and not request.user.is_superuser:
        return "Anonymous"
    return person_name(post.author) + (" (anonymous)" if post.is_anonymous else "")


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "status", "joined_at"]


@admin.register(Community)
class CommunityAdmin(SafeModelAdmin):
    list_display = ["name", "kind", "visibility", "anonymity", "status", "created_at"]
    list_filter = ["kind", "visibility", "anonymity", "status"]
    search_fields = ["name", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics"]
    raw_id_fields = ["created_by"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SafeModelAdmin):
    list_display = ["user", "community", "role", "status", "joined_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "community__name"]
    raw_id_fields = ["user", "community"]
    list_select_related = ["user", "community"]


class AnonymousAwareAdmin(SafeModelAdmin):
    """Posts that may be anonymous: their author (and editor) are private fields, so no list,
    filter, search, form or lookup ties anyone to them; the author column reads "Anonymous"
    on anonymous rows for everyone but superusers."""

    private_fields = ("author",)
    list_display_base: list = []

    def get_list_display(self, request):
        @admin.display(description="author")
        def author_shown(obj):
            return _author_column(request, obj)

        return [*self.list_display_base, author_shown]


@admin.register(Thread)
class ThreadAdmin(AnonymousAwareAdmin):
    private_fields = ("author", "edited_by")
    list_display_base = ["title", "community", "kind", "status", "is_pinned", "is_locked"]
    list_filter = ["kind", "status", "is_pinned", "is_locked", "is_anonymous"]
    search_fields = ["title", "author__email"]
    raw_id_fields = ["community", "author", "accepted_reply"]
    list_select_related = ["community", "author__profile"]
    filter_horizontal = ["topics"]
    date_hierarchy = "created_at"


@admin.register(Reply)
class ReplyAdmin(AnonymousAwareAdmin):
    list_display_base = ["__str__", "thread", "status", "created_at"]
    list_filter = ["status", "is_anonymous"]
    search_fields = ["body", "author__email"]
    raw_id_fields = ["thread", "author"]
    list_select_related = ["thread", "author__profile"]


@admin.register(ModerationWord)
class ModerationWordAdmin(SafeModelAdmin):
    list_display = ["word", "created_at"]
    search_fields = ["word"]


@admin.register(ModerationAction)
class ModerationActionAdmin(SafeModelAdmin):
    list_display = ["created_at", "community", "actor", "action", "thread", "reply", "reason"]
    list_filter = ["action"]
    search_fields = ["reason", "community__name"]
    list_select_related = ["community", "actor", "thread", "reply"]
    readonly_fields = [f.name for f in ModerationAction._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Flag)
class FlagAdmin(SafeModelAdmin):
    list_display = ["created_at", "community", "flagged_by", "reason", "resolved_at"]
    list_filter = ["resolved_at"]
    raw_id_fields = ["thread", "reply", "flagged_by", "community"]


@admin.register(TipRevision)
class TipRevisionAdmin(SafeModelAdmin):
    # The first revision of an anonymous tip is its author's: revision authors stay private.
    private_fields = ("author",)
    raw_id_fields = ["thread", "author"]
    list_select_related = ["thread", "author__profile"]

    @staticmethod
    def _by_anonymous_author(revision) -> bool:
        thread = revision.thread
        return thread.is_anonymous and revision.author_id == thread.author_id

    def get_list_display(self, request):
        @admin.display(description="author")
        def author_shown(obj):
            if self._by_anonymous_author(obj) and not request.user.is_superuser:
                return "Anonymous"
            return person_name(obj.author)

        return ["thread", "number", author_shown, "created_at"]


@admin.register(Reaction)
class ReactionAdmin(SafeModelAdmin):
    list_display = ["user", "kind", "thread", "reply", "created_at"]
    raw_id_fields = ["user", "thread", "reply"]
