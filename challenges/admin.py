from django.contrib import admin, messages

from socialearn.people.admin_columns import email_column, person_column
from socialearn.people.admin_safety import SafeModelAdmin

from . import services
from .models import (
    Challenge,
    Completion,
    FeedEntry,
    Flow,
    FlowFeed,
    FlowItem,
    FlowItemSkip,
    Participant,
    Step,
)


class CountedOnScoreboard:
    """People taking part, their completions and the steps, changed or deleted here, count
    again on their challenge's scoreboard at once, as they do when changed on the site (its
    kept copy would otherwise show the old figures for up to a minute). A record moved to
    another challenge changes both scoreboards."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        for challenge_id in {obj.challenge_id, form.initial.get("challenge")} - {None}:
            services.scoreboard_changed(challenge_id)

    def delete_model(self, request, obj):
        challenge_id = obj.challenge_id
        super().delete_model(request, obj)  # type: ignore[misc]
        services.scoreboard_changed(challenge_id)

    def delete_queryset(self, request, queryset):
        challenge_ids = set(queryset.values_list("challenge_id", flat=True))
        super().delete_queryset(request, queryset)  # type: ignore[misc]
        for challenge_id in challenge_ids:
            services.scoreboard_changed(challenge_id)


class StepInline(admin.StackedInline):
    model = Step
    extra = 0
    fields = [
        "position",
        "title",
        "prompt",
        "resources",
        "estimated_minutes",
        "day_offset",
        "allow_mark_done",
    ]
    ordering = ["position"]


@admin.action(description="Copy the selected challenges (as drafts or templates)")
def copy_challenges(modeladmin, request, queryset):
    copied = 0
    for challenge in queryset:
        services.challenge_copy(
            source=challenge,
            designer=request.user,
            community=challenge.community,
            start_date=challenge.start_date,
            as_template=challenge.community is None,
        )
        copied += 1
    modeladmin.message_user(request, f"Copied {copied} challenge(s).", messages.SUCCESS)


@admin.register(Challenge)
class ChallengeAdmin(SafeModelAdmin):
    list_display = [
        "title",
        "community",
        "cadence",
        "length_value",
        "length_unit",
        "start_date",
        "status",
        "is_template",
    ]
    list_display += [person_column("designer"), person_column("guide")]
    list_filter = ["status", "is_template", "cadence", "community"]
    search_fields = ["title", "community__name"]
    autocomplete_fields = ["community", "designer", "guide", "copied_from"]
    list_select_related = ["community", "designer__profile", "guide__profile"]
    inlines = [StepInline]
    actions = [copy_challenges]

    def save_model(self, request, obj, form, change):
        services.challenge_save(challenge=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.challenge_steps_refresh(challenge=form.instance)


@admin.register(Step)
class StepAdmin(CountedOnScoreboard, SafeModelAdmin):
    list_display = ["title", "challenge", "position", "release_at", "posted_at", "posted_late"]
    list_filter = ["posted_late", "challenge"]
    search_fields = ["title", "challenge__title"]
    readonly_fields = ["release_at", "posted_at", "posted_late", "thread"]
    autocomplete_fields = ["challenge"]
    list_select_related = ["challenge"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.challenge_steps_refresh(challenge=obj.challenge)


@admin.register(Participant)
class ParticipantAdmin(CountedOnScoreboard, SafeModelAdmin):
    list_display = [
        person_column("user", "person"),
        email_column("user"),
        "challenge",
        "joined_at",
        "left_at",
    ]
    list_filter = [("left_at", admin.EmptyFieldListFilter), "challenge"]
    list_filter += [("joined_at", admin.DateFieldListFilter)]
    search_fields = ["user__profile__display_name", "user__email", "challenge__title"]
    autocomplete_fields = ["user", "challenge"]
    list_select_related = ["user__profile", "challenge"]


@admin.register(Completion)
class CompletionAdmin(CountedOnScoreboard, SafeModelAdmin):
    # A step answered by an anonymous reply: the reply's id would name its author.
    private_fields = ("reply_id",)
    list_display = [person_column("user", "person"), "challenge", "step", "via", "completed_at"]
    list_filter = ["via", "challenge", ("completed_at", admin.DateFieldListFilter)]
    search_fields = ["user__profile__display_name", "user__email", "challenge__title"]
    autocomplete_fields = ["user", "step", "challenge"]
    list_select_related = ["user__profile", "challenge", "step"]


class FlowItemInline(admin.TabularInline):
    model = FlowItem
    extra = 0
    fields = ["position", "kind", "title", "url", "day_offset"]
    ordering = ["position"]


@admin.register(Flow)
class FlowAdmin(SafeModelAdmin):
    list_display = ["name", "community", person_column("curator"), "mode", "post_time"]
    list_display += ["is_paused"]
    list_filter = ["mode", "is_paused", "community"]
    search_fields = ["name", "community__name", "curator__profile__display_name"]
    autocomplete_fields = ["community", "curator"]
    list_select_related = ["community", "curator__profile"]
    inlines = [FlowItemInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.flow_reschedule(flow=form.instance)


@admin.register(FlowItem)
class FlowItemAdmin(SafeModelAdmin):
    list_display = ["title", "flow", "position", "kind", "scheduled_for", "posted_at"]
    list_filter = ["kind", "posted_late", "flow"]
    search_fields = ["title", "flow__name"]
    readonly_fields = ["scheduled_for", "posted_at", "posted_late", "thread"]
    autocomplete_fields = ["flow"]
    list_select_related = ["flow"]


@admin.register(FlowItemSkip)
class FlowItemSkipAdmin(SafeModelAdmin):
    """Relative flow items a newcomer did not get after an outage, and why."""

    list_display = ["item", person_column("user", "person"), "recorded_at", "reason"]
    list_select_related = ["item", "user__profile"]
    readonly_fields = ["item", "user", "reason", "recorded_at"]
    search_fields = ["item__title", "user__profile__display_name", "user__email"]

    def has_add_permission(self, request):
        return False


@admin.register(FlowFeed)
class FlowFeedAdmin(SafeModelAdmin):
    list_display = ["url", "title", "flow", "failures", "last_success_at", "next_fetch_at"]
    list_filter = ["flow"]
    search_fields = ["url", "title", "flow__name"]
    autocomplete_fields = ["flow", "added_by"]
    readonly_fields = ["created_at", "last_fetched_at", "last_success_at", "last_error"]
    list_select_related = ["flow"]


@admin.register(FeedEntry)
class FeedEntryAdmin(SafeModelAdmin):
    list_display = ["title", "source", "flow", "status", "published_at"]
    list_filter = ["status", "flow"]
    search_fields = ["title", "url", "source", "flow__name"]
    autocomplete_fields = ["flow", "feed", "item"]
    list_select_related = ["flow"]
