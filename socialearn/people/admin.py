from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, Prefetch
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext, gettext_lazy

from .admin_safety import (
    SafeAdminMixin,
    SafeModelAdmin,
    groups_within_rank,
    has_more_rights,
    held_permissions,
    permissions_within_rank,
)
from .identity.scim_auth import provisioning_token_create, provisioning_token_revoke
from .models import Department, Location, Profile, ProvisioningToken, Topic, person_name
from .selectors import topic_counts
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
admin.site.unregister(Group)

ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "is_active", "groups")


@admin.register(User)
class UserAdmin(SafeAdminMixin, BaseUserAdmin):
    """People and their profiles. Staff who are not superusers (L&D admins) manage accounts
    and the groups within their rank; superuser status, staff status and permissions stay
    with superusers, and so do the account and password of anyone with more rights than the
    requester (changing an email is as good as resetting the password)."""

    inlines = [ProfileInline]
    list_display = ["display_name", "email", "department", "is_staff", "is_active", "last_login"]
    list_select_related = ["profile", "profile__department"]
    list_filter = ["is_staff", "is_active", "groups", "profile__department", "profile__location"]
    search_fields = ["email", "first_name", "last_name", "profile__display_name"]
    # Newest accounts first, off the primary key: ordering by the profile's name over the
    # profile's LEFT JOIN (accounts without a profile yet must stay listed) sorted all
    # 100,000 accounts for each page. The name column still sorts on a click.
    ordering = ["-id"]

    def get_search_results(self, request, queryset, search_term):
        """Each word in any of the names or the email, as Django's search does, but each
        column asked on its own (a trigram index each) and the ids joined: one OR across
        the account and its profile read every row of both."""
        from django.utils.text import smart_split, unescape_string_literal

        for bit in smart_split(search_term):
            if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
                bit = unescape_string_literal(bit)
            matching = (
                User.objects.filter(email__icontains=bit)
                .values("pk")
                .union(
                    User.objects.filter(first_name__icontains=bit).values("pk"),
                    User.objects.filter(last_name__icontains=bit).values("pk"),
                    Profile.objects.filter(display_name__icontains=bit).values("user_id"),
                )
            )
            queryset = queryset.filter(pk__in=matching)
        return queryset, False

    @admin.display(ordering="profile__display_name", description=gettext_lazy("name"))
    def display_name(self, obj):
        return person_name(obj)

    @admin.display(ordering="profile__department__name")
    def department(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.department if profile else None

    @staticmethod
    def _outranks(request, obj) -> bool:
        """Whether the account has more rights than the requester (asked once per request)."""
        if obj is None or request.user.is_superuser:
            return False
        known = request.__dict__.setdefault("_outranks", {})
        if obj.pk not in known:
            known[obj.pk] = has_more_rights(obj, than=request.user)
        return known[obj.pk]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if self._outranks(request, obj):
            # Not even the link to the password form: it is theirs (and a superuser's) to set.
            form = type(form.__name__, (form,), {"password": None})
        return form

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_fieldsets(request, obj)
        login = ("username",) if self._outranks(request, obj) else ("username", "password")
        return (
            (None, {"fields": login}),
            (gettext_lazy("Personal info"), {"fields": ("first_name", "last_name", "email")}),
            ("Rights", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
            (gettext_lazy("Important dates"), {"fields": ("last_login", "date_joined")}),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser or obj is None:
            return fields
        fields += ["is_staff", "is_superuser", "last_login", "date_joined"]
        if self._outranks(request, obj):
            fields += ACCOUNT_FIELDS
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = groups_within_rank(request.user)
        elif db_field.name == "user_permissions":
            kwargs["queryset"] = permissions_within_rank(request.user).select_related(
                "content_type"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # The deletion summary lists everything the person wrote, anonymous posts included.
        return request.user.is_superuser

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is not None and has_more_rights(user, than=request.user):
            raise PermissionDenied(
                gettext("Only a superuser can set the password of this account.")
            )
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and change:
            before = User.objects.get(pk=obj.pk)
            if (before.is_superuser, before.is_staff) != (obj.is_superuser, obj.is_staff):
                raise PermissionDenied(
                    gettext("Only a superuser can change superuser or staff status.")
                )
            if has_more_rights(before, than=request.user) and form.changed_data:
                raise PermissionDenied(gettext("Only a superuser can change this account."))
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if (
            not request.user.is_superuser
            and "groups" in form.changed_data
            and has_more_rights(form.instance, than=request.user)
        ):
            # The form offers only groups within rank; a crafted request must not get further.
            raise PermissionDenied(gettext("You can only give the rights you hold yourself."))
        profile = Profile.objects.filter(user=form.instance).first()
        if profile:
            profile_refresh_search(profile_ids=[profile.pk])


@admin.register(Group)
class GroupAdmin(SafeAdminMixin, BaseGroupAdmin):
    """Groups. Someone who is not a superuser changes only groups below their rank that they
    are not in themselves, and grants a group only permissions they hold."""

    def get_queryset(self, request):
        # Shown read-only (a group above one's rank), each permission names its content type.
        permissions = Permission.objects.select_related("content_type")
        return super().get_queryset(request).prefetch_related(Prefetch("permissions", permissions))

    def _may_change(self, request, group) -> bool:
        if request.user.is_superuser or group is None:
            return True
        return (
            groups_within_rank(request.user).filter(pk=group.pk).exists()
            and not request.user.groups.filter(pk=group.pk).exists()
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "permissions":
            kwargs["queryset"] = permissions_within_rank(request.user).select_related(
                "content_type"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        group = form.instance
        if not request.user.is_superuser and (
            group.permissions.exclude(pk__in=held_permissions(request.user).values("pk")).exists()
            or request.user.groups.filter(pk=group.pk).exists()
        ):
            raise PermissionDenied(
                gettext("You can only give a group the rights you hold yourself.")
            )


class ChildTopicInline(admin.TabularInline):
    model = Topic
    fk_name = "parent"
    fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    verbose_name = "sub-topic"
    verbose_name_plural = "sub-topics"


class TopicChangeList(ChangeList):
    """Each topic's experts from selectors.topic_counts (kept, named afresh when anyone's
    expertise changes) as one array lookup, not counted from the 200,000 expertise links of a
    large organisation on every view of the list; still a column, so the list sorts by it."""

    def get_queryset(self, request, exclude_parameters=None):
        counts = topic_counts()
        ids = list(counts)
        experts = RawSQL(
            'coalesce((%s::bigint[])[array_position(%s::bigint[], "people_topic"."id")], 0)',
            ([counts[pk][0] for pk in ids], ids),
            output_field=IntegerField(),
        )
        self.root_queryset = self.root_queryset.annotate(n_experts=experts)
        return super().get_queryset(request, exclude_parameters)


@admin.register(Topic)
class TopicAdmin(SafeModelAdmin):
    list_display = ["name", "slug", "parent", "expert_count"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [ChildTopicInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("parent")

    def get_changelist(self, request, **kwargs):
        return TopicChangeList

    @admin.display(ordering="n_experts", description=gettext_lazy("experts"))
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
class DepartmentAdmin(SafeModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Location)
class LocationAdmin(SafeModelAdmin):
    list_display = ["name", "time_zone"]
    search_fields = ["name", "time_zone"]


@admin.register(Profile)
class ProfileAdmin(SafeModelAdmin):
    list_display = [
        "name",
        "job_title",
        "department",
        "location",
        "is_people_manager",
        "started_company_on",
        "started_role_on",
    ]
    list_select_related = ["user", "department", "location"]
    list_filter = ["department", "location", "is_people_manager", "email_preference"]
    list_filter += [("started_company_on", admin.DateFieldListFilter)]
    search_fields = ["display_name", "user__email", "job_title", "expertise__name"]
    autocomplete_fields = ["user", "department", "location", "manager", "expertise", "interests"]
    readonly_fields = ["last_active_at", "last_digest_sent_at"]
    ordering = ["display_name"]

    @admin.display(description=gettext_lazy("name"), ordering="display_name")
    def name(self, obj):
        return person_name(obj.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        profile_refresh_search(profile_ids=[form.instance.pk])


@admin.register(ProvisioningToken)
class ProvisioningTokenAdmin(SafeModelAdmin):
    """Tokens for the SCIM endpoint (/scim/v2/). The token is shown once, on creation; only
    its hash is kept, so a lost token is revoked and replaced, never looked up."""

    list_display = [
        "name",
        "token_ending",
        "created_by_name",
        "created_at",
        "last_used_at",
        "state",
    ]
    list_select_related = ["created_by__profile"]
    fields = ["name"]
    search_fields = ["name"]
    actions = ["revoke"]

    @admin.display(description=gettext_lazy("token"))
    def token_ending(self, obj):
        return f"…{obj.hint}"

    @admin.display(
        description=gettext_lazy("created by"), ordering="created_by__profile__display_name"
    )
    def created_by_name(self, obj):
        return person_name(obj.created_by) if obj.created_by_id else "—"

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        return f"revoked {obj.revoked_at:%d %b %Y}" if obj.revoked_at else "live"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        created, token = provisioning_token_create(name=obj.name, created_by=request.user)
        obj.pk = created.pk
        self.message_user(
            request,
            gettext(
                "Copy this token into the identity provider now; it is not shown again: %(token)s"
            )
            % {"token": token},
            level=messages.WARNING,
        )

    @admin.action(
        description=gettext_lazy("Revoke the selected tokens (the provider can no longer sync)")
    )
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            provisioning_token_revoke(token)
        self.message_user(request, "Revoked.")
