from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from socialearn.people.admin_columns import email_column, person_column
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


@admin.register(Community)
class CommunityAdmin(SafeModelAdmin):
    list_display = [
        "name",
        "kind",
        "visibility",
        "anonymity",
        "status",
        "active_members",
        "created_at",
    ]
    list_filter = ["kind", "visibility", "anonymity", "status"]
    search_fields = ["name", "purpose"]
    # Rendering a row's seven cells costs about 0.5 ms: a hundred rows were most of the page.
    list_per_page = 25
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["topics", "created_by", "department", "location"]
    # Members are listed on their own page (searchable, filtered to this community): inline,
    # a large community made this form thousands of rows long.
    readonly_fields = ["members_link"]

    # Not named "members": the many-to-many field of that name would be shown instead.
    @admin.display(description="members", ordering="member_count")
    def active_members(self, obj):
        return obj.member_count

    @admin.display(description="members")
    def members_link(self, obj):
        if obj.pk is None:
            return "Add members once the community is saved."
        url = reverse("admin:communities_membership_changelist")
        count = obj.memberships.count()
        return format_html(
            '<a href="{}?community__id__exact={}">{} membership{} of {}</a>',
            url,
            obj.pk,
            count,
            "" if count == 1 else "s",
            obj.name,
        )


@admin.register(Membership)
class MembershipAdmin(SafeModelAdmin):
    list_display = [
        person_column("user", "person"),
        email_column("user"),
        "community",
        "role",
        "status",
        "joined_at",
    ]
    list_filter = ["community", "role", "status", ("joined_at", admin.DateFieldListFilter)]
    search_fields = ["user__profile__display_name", "user__email", "community__name"]
    autocomplete_fields = ["user", "community"]
    list_select_related = ["user__profile", "community"]


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
    list_filter = ["community", "kind", "status", "is_pinned", "is_locked", "is_anonymous"]
    list_filter += [("created_at", admin.DateFieldListFilter)]
    search_fields = ["title", "author__email", "community__name"]
    raw_id_fields = ["author"]
    autocomplete_fields = ["community", "accepted_reply", "topics"]
    list_select_related = ["community", "author__profile"]


@admin.register(Reply)
class ReplyAdmin(AnonymousAwareAdmin):
    list_display_base = ["__str__", "thread", "community", "status", "created_at"]
    # Every community (a few hundred), not "communities with a reply", which reads every reply.
    list_filter = ["thread__community", "status", "is_anonymous"]
    list_filter += [("created_at", admin.DateFieldListFilter)]
    search_fields = ["body", "author__email", "thread__title"]
    raw_id_fields = ["author"]
    autocomplete_fields = ["thread"]
    list_select_related = ["thread__community", "author__profile"]

    @admin.display(description="community", ordering="thread__community__name")
    def community(self, obj):
        return obj.thread.community


@admin.register(ModerationWord)
class ModerationWordAdmin(SafeModelAdmin):
    list_display = ["word", "created_at"]
    search_fields = ["word"]


@admin.register(ModerationAction)
class ModerationActionAdmin(SafeModelAdmin):
    list_display = [
        "created_at",
        "community",
        person_column("actor", "by"),
        "action",
        "thread",
        "reply",
        "reason",
    ]
    list_filter = ["action", "community"]
    search_fields = ["reason", "community__name", "thread__title", "actor__profile__display_name"]
    list_select_related = ["community", "actor__profile", "thread", "reply"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ModerationAction._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Flag)
class FlagAdmin(SafeModelAdmin):
    list_display = [
        "created_at",
        "community",
        "thread",
        "reply",
        person_column("flagged_by"),
        "reason",
        "resolved_at",
    ]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter), "community"]
    search_fields = [
        "reason",
        "community__name",
        "thread__title",
        "flagged_by__profile__display_name",
    ]
    autocomplete_fields = ["thread", "reply", "flagged_by", "community"]
    list_select_related = ["community", "thread", "reply", "flagged_by__profile"]
    date_hierarchy = "created_at"


@admin.register(TipRevision)
class TipRevisionAdmin(SafeModelAdmin):
    # The first revision of an anonymous tip is its author's: revision authors stay private.
    private_fields = ("author",)
    raw_id_fields = ["author"]
    autocomplete_fields = ["thread"]
    search_fields = ["thread__title"]
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
    list_display = [person_column("user", "person"), "kind", "thread", "reply", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__profile__display_name", "thread__title"]
    autocomplete_fields = ["user", "thread", "reply"]
    list_select_related = ["user__profile", "thread", "reply"]
