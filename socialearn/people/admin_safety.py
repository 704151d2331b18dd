"""What the Django admin lets staff who are not superusers see, search and grant.

Every ModelAdmin of the project derives from `SafeAdminMixin` (a test checks), which applies
two rules for everyone but superusers:

Private fields. Some fields must never reach staff: who wrote content that may be anonymous,
who received a notification (an inbox names the author of "your anonymous thread waits for a
manager"), what mentoring pairs wrote, and every field a change form excludes. A ModelAdmin
names its model's private fields in `private_fields`; they are then absent from the list
columns, filters, search fields and change form, and no URL lookup may reach them, from their
own model or through a relation from another one: `/admin/auth/user/?threads=5` names a
thread's author as surely as `/admin/communities/thread/?author=7` does. A refused lookup
answers 400 (Django's DisallowedModelAdminLookup), never a result.

Rank. A person may grant only what they hold: a group is within someone's rank when they hold
every one of its permissions; someone has more rights than the requester when they are a
superuser or hold a permission the requester does not (directly or through a group). The user
and group admins (people/admin.py) use these to keep superuser status, staff status,
permissions and the accounts and passwords of people with more rights out of reach.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import ForeignObjectRel, Model, Q, QuerySet
from django.db.models.constants import LOOKUP_SEP

from socialearn.admin_paging import CheapCountAdminMixin
from socialearn.admin_rows import ActionCheckboxMixin

# (model label in lower case, field name) of every private field, filled in as the admin
# registers its ModelAdmins and read on each request, so a core admin (the user admin) also
# refuses lookups that reach a feature's private field through a reverse relation.
_PRIVATE: set[tuple[str, str]] = set()


def private_fields_register(model: type[Model], names: Iterable[str]) -> None:
    for name in names:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            raise ImproperlyConfigured(
                f"{model._meta.label} has no field {name!r} to keep private"
            ) from None
        _PRIVATE.add((model._meta.label_lower, name))


def is_private(model: type[Model], name: str) -> bool:
    return (model._meta.label_lower, name) in _PRIVATE


def path_reaches_private(model: type[Model], path: str) -> bool:
    """Whether a lookup or search path (`author__email`, `threads__id__exact`) reads a private
    field or walks through one, in either direction of a relation."""
    for part in path.lstrip("^=@").split(LOOKUP_SEP):
        if part == "pk":
            part = model._meta.pk.name
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a transform or lookup name: the path ends here
        if isinstance(field, ForeignObjectRel):
            # A reverse relation: private when the field pointing back at us is.
            if is_private(field.related_model, field.field.name):
                return True
        elif is_private(model, field.name):
            return True
        related = field.related_model
        if not field.is_relation or not isinstance(related, type):
            return False
        model = related
    return False


def _names_private(model: type[Model], entry) -> bool:
    if isinstance(entry, (list, tuple)):
        entry = entry[0]
    return isinstance(entry, str) and path_reaches_private(model, entry)


class SafeAdminMixin(CheapCountAdminMixin, ActionCheckboxMixin):
    """Keeps `private_fields` (and every field in `exclude`) from staff who are not
    superusers: no column, filter, search field, form field or URL lookup reaches them.
    (And, every ModelAdmin deriving from it, pages without counting big tables in full and
    writes its rows' action checkboxes in one pass.)"""

    private_fields: tuple[str, ...] | list[str] = ()

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        names = {f.name for f in model._meta.get_fields()}
        # Content that can be posted anonymously keeps its author private, declared or not.
        implied = ["author"] if {"is_anonymous", "author"} <= names else []
        private_fields_register(model, [*self.private_fields, *(self.exclude or ()), *implied])

    @staticmethod
    def sees_everything(request) -> bool:
        return request.user.is_superuser

    def _without_private(self, request, entries):
        if self.sees_everything(request):
            return entries
        return type(entries)(e for e in entries if not _names_private(self.model, e))

    def has_add_permission(self, request):
        # The add form lacks the private fields too: a row that needs one is added by
        # superusers only (or made by the site), never half-filled into an IntegrityError.
        if not self.sees_everything(request) and any(
            not (f.null or f.blank or f.has_default())
            for f in (self.model._meta.get_field(n) for n in self._private_here(request))
        ):
            return False
        return super().has_add_permission(request)

    def lookup_allowed(self, lookup, value, request):
        if not self.sees_everything(request) and path_reaches_private(self.model, lookup):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_display(self, request):
        return self._without_private(request, list(super().get_list_display(request)))

    def get_list_filter(self, request):
        return self._without_private(request, list(super().get_list_filter(request)))

    def get_search_fields(self, request):
        return self._without_private(request, list(super().get_search_fields(request)))

    def get_autocomplete_fields(self, request):
        return self._without_private(request, list(super().get_autocomplete_fields(request)))

    def get_sortable_by(self, request):
        return self._without_private(request, list(super().get_sortable_by(request)))

    def _private_here(self, request) -> set[str]:
        if self.sees_everything(request):
            return set()
        return {name for (label, name) in _PRIVATE if label == self.model._meta.label_lower}

    def get_exclude(self, request, obj=None):
        hidden = self._private_here(request)
        exclude = super().get_exclude(request, obj)
        if not hidden:
            return exclude
        if exclude is None:  # a list here makes Django skip the form's own Meta.exclude
            exclude = getattr(getattr(self.form, "_meta", None), "exclude", None)
        exclude = list(exclude or [])
        return exclude + sorted(hidden - set(exclude))

    def get_readonly_fields(self, request, obj=None):
        hidden = self._private_here(request)
        fields = super().get_readonly_fields(request, obj)
        return [f for f in fields if f not in hidden] if hidden else fields

    def get_fields(self, request, obj=None):
        hidden = self._private_here(request)
        fields = super().get_fields(request, obj)
        return [f for f in fields if f not in hidden] if hidden else fields

    def get_fieldsets(self, request, obj=None):
        hidden = self._private_here(request)
        fieldsets = super().get_fieldsets(request, obj)
        if not hidden:
            return fieldsets
        kept = []
        for name, options in fieldsets:
            rows = []
            for row in options.get("fields", ()):
                if isinstance(row, (list, tuple)):
                    row = tuple(f for f in row if f not in hidden)
                    if row:
                        rows.append(row)
                elif row not in hidden:
                    rows.append(row)
            kept.append((name, {**options, "fields": rows}))
        return kept


class SafeModelAdmin(SafeAdminMixin, admin.ModelAdmin):
    pass


# --- rank ------------------------------------------------------------------------------------


def held_permissions(user) -> QuerySet[Permission]:
    """Every permission the person holds, directly or through a group (active or not: an
    inactive account keeps its rights for the day it is switched back on)."""
    return Permission.objects.filter(Q(user=user) | Q(group__user=user)).distinct()


def groups_within_rank(user) -> QuerySet[Group]:
    """The groups `user` may give or take: those holding no permission `user` lacks."""
    if user.is_superuser:
        return Group.objects.all()
    beyond = Permission.objects.exclude(pk__in=held_permissions(user).values("pk"))
    return Group.objects.exclude(permissions__in=beyond)


def permissions_within_rank(user) -> QuerySet[Permission]:
    if user.is_superuser:
        return Permission.objects.all()
    return held_permissions(user)


def has_more_rights(person, *, than) -> bool:
    """Whether `person` holds something `than` does not: superuser status, or a permission
    (directly or through a group, so also every group above `than`'s rank)."""
    if than.is_superuser:
        return False
    if person.is_superuser:
        return True
    if person.pk is None:
        return False
    mine = held_permissions(than).values("pk")
    return held_permissions(person).exclude(pk__in=mine).exists()
