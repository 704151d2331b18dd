from django.contrib import admin, messages

from socialearn.people.admin_safety import SafeModelAdmin

from . import services
from .models import Challenge, Completion, Flow, FlowItem, FlowItemSkip, Participant, Step


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
    list_filter = ["status", "is_template", "cadence"]
    search_fields = ["title"]
    raw_id_fields = ["designer", "guide", "copied_from"]
    autocomplete_fields: list[str] = []
    inlines = [StepInline]
    actions = [copy_challenges]

    def save_model(self, request, obj, form, change):
        services.challenge_save(challenge=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.challenge_steps_refresh(challenge=form.instance)


@admin.register(Step)
class StepAdmin(SafeModelAdmin):
    list_display = ["title", "challenge", "position", "release_at", "posted_at", "posted_late"]
    list_filter = ["posted_late"]
    search_fields = ["title", "challenge__title"]
    readonly_fields = ["release_at", "posted_at", "posted_late", "thread"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.challenge_steps_refresh(challenge=obj.challenge)


@admin.register(Participant)
class ParticipantAdmin(SafeModelAdmin):
    list_display = ["user", "challenge", "joined_at", "left_at"]
    raw_id_fields = ["user", "challenge"]


@admin.register(Completion)
class CompletionAdmin(SafeModelAdmin):
    # A step answered by an anonymous reply: the reply's id would name its author.
    private_fields = ("reply_id",)
    list_display = ["user", "step", "via", "completed_at"]
    raw_id_fields = ["user", "step", "challenge"]


class FlowItemInline(admin.TabularInline):
    model = FlowItem
    extra = 0
    fields = ["position", "kind", "title", "url", "day_offset"]
    ordering = ["position"]


@admin.register(Flow)
class FlowAdmin(SafeModelAdmin):
    list_display = ["name", "community", "mode", "post_time", "is_paused"]
    list_filter = ["mode", "is_paused"]
    raw_id_fields = ["curator"]
    inlines = [FlowItemInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.flow_reschedule(flow=form.instance)


@admin.register(FlowItem)
class FlowItemAdmin(SafeModelAdmin):
    list_display = ["title", "flow", "position", "kind", "scheduled_for", "posted_at"]
    list_filter = ["kind", "posted_late"]
    readonly_fields = ["scheduled_for", "posted_at", "posted_late", "thread"]


@admin.register(FlowItemSkip)
class FlowItemSkipAdmin(SafeModelAdmin):
    """Relative flow items a newcomer did not get after an outage, and why."""

    list_display = ["item", "user", "recorded_at", "reason"]
    list_select_related = ["item", "user"]
    readonly_fields = ["item", "user", "reason", "recorded_at"]
    search_fields = ["item__title", "user__email"]

    def has_add_permission(self, request):
        return False
