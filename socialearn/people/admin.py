from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Department, Location, Profile, Topic
from .services import profile_refresh_search

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    fk_name = "user"
    can_delete = False
    autocomplete_fields = ["department", "location", "manager", "expertise", "interests"]
    fields = [
        "display_name",
        "job_title",
        ("department", "location"),
        ("manager", "is_people_manager"),
        ("started_company_on", "started_role_on"),
        "bio",
        "expertise",
        "interests",
        ("time_zone", "email_preference", "digest_frequency"),
    ]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [ProfileInline]
    list_display = ["email", "display_name", "department", "is_staff", "is_active", "last_login"]
    list_select_related = ["profile", "profile__department"]
    list_filter = ["is_staff", "is_active", "groups", "profile__department", "profile__location"]
    search_fields = ["email", "first_name", "last_name", "profile__display_name"]
    ordering = ["email"]

    @admin.display(ordering="profile__display_name")
    def display_name(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.display_name if profile else ""

    @admin.display(ordering="profile__department__name")
    def department(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.department if profile else None

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        profile = Profile.objects.filter(user=form.instance).first()
        if profile:
            profile_refresh_search(profile_ids=[profile.pk])


class ChildTopicInline(admin.TabularInline):
    model = Topic
    fk_name = "parent"
    fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    verbose_name = "sub-topic"
    verbose_name_plural = "sub-topics"


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent", "expert_count"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [ChildTopicInline]

    def get_queryset(self, request):
        from django.db.models import Count

        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .annotate(n_experts=Count("experts", distinct=True))
        )

    @admin.display(ordering="n_experts", description="experts")
    def expert_count(self, obj):
        return obj.n_experts

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            # Experts are found by topic name: their search entries must follow a rename.
            ids = list(obj.experts.values_list("id", flat=True))
            if ids:
                profile_refresh_search(profile_ids=ids)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    search_fields = ["name", "time_zone"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "job_title",
        "department",
        "location",
        "is_people_manager",
        "started_company_on",
        "started_role_on",
    ]
    list_select_related = ["user", "department", "location"]
    list_filter = ["department", "location", "is_people_manager", "email_preference"]
    search_fields = ["display_name", "user__email", "job_title", "expertise__name"]
    date_hierarchy = "started_company_on"
    autocomplete_fields = ["user", "department", "location", "manager", "expertise", "interests"]
    readonly_fields = ["last_active_at", "last_digest_sent_at"]
    ordering = ["display_name"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        profile_refresh_search(profile_ids=[form.instance.pk])
