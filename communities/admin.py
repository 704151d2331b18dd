from django.contrib import admin

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
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "visibility", "anonymity", "status", "created_at"]
    list_filter = ["kind", "visibility", "anonymity", "status"]
    search_fields = ["name", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["topics"]
    raw_id_fields = ["created_by"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "community", "role", "status", "joined_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "community__name"]
    raw_id_fields = ["user", "community"]
    list_select_related = ["user", "community"]


class AnonymousAwareAdmin(admin.ModelAdmin):
    list_display_base: list = []

    def get_list_display(self, request):
        @admin.display(description="author")
        def author_shown(obj):
            return _author_column(request, obj)

        return [*self.list_display_base, author_shown]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not request.user.is_superuser:
            # The author edits their own anonymous post: "edited by" would name them too.
            fields = [f for f in fields if f not in ("author", "edited_by")]
        return fields

    def get_search_fields(self, request):
        fields = list(self.search_fields)
        if request.user.is_superuser:
            fields.append("author__email")
        return fields


@admin.register(Thread)
class ThreadAdmin(AnonymousAwareAdmin):
    list_display_base = ["title", "community", "kind", "status", "is_pinned", "is_locked"]
    list_filter = ["kind", "status", "is_pinned", "is_locked", "is_anonymous"]
    search_fields = ["title"]
    raw_id_fields = ["community", "author", "accepted_reply"]
    list_select_related = ["community", "author__profile"]
    filter_horizontal = ["topics"]
    date_hierarchy = "created_at"


@admin.register(Reply)
class ReplyAdmin(AnonymousAwareAdmin):
    list_display_base = ["__str__", "thread", "status", "created_at"]
    list_filter = ["status", "is_anonymous"]
    search_fields = ["body"]
    raw_id_fields = ["thread", "author"]
    list_select_related = ["thread", "author__profile"]


@admin.register(ModerationWord)
class ModerationWordAdmin(admin.ModelAdmin):
    list_display = ["word", "created_at"]
    search_fields = ["word"]


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
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
class FlagAdmin(admin.ModelAdmin):
    list_display = ["created_at", "community", "flagged_by", "reason", "resolved_at"]
    list_filter = ["resolved_at"]
    raw_id_fields = ["thread", "reply", "flagged_by", "community"]


@admin.register(TipRevision)
class TipRevisionAdmin(admin.ModelAdmin):
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

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if obj is not None and self._by_anonymous_author(obj) and not request.user.is_superuser:
            exclude.append("author")
        return exclude


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "thread", "reply", "created_at"]
    raw_id_fields = ["user", "thread", "reply"]
