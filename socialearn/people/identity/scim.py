"""SCIM 2.0 provisioning (RFC 7643/7644) on django-scim2, for Entra ID and Okta.

django-scim2 speaks the protocol; these adapters map its User and Group onto Django's user,
the person's profile and the auth groups, through the same `person_apply` as sign-in and HR
files. Identity providers authenticate with a bearer token L&D creates in the admin
(`ProvisioningToken`); a signed-in browser session opens nothing here. DELETE deactivates:
what a person wrote stays (and anonymous posts stay anonymous).
"""

import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django_scim import constants, exceptions
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.views import GroupsView, UsersView

from ..models import Profile
from .records import PersonRecord, person_apply
from .scim_filters import PersonFilterQuery, TeamFilterQuery

User = get_user_model()

# SCIM's enterprise extension carries the directory attributes.
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


# --- users --------------------------------------------------------------------------------------


def _primary_email(value) -> str | None:
    if isinstance(value, dict):
        return (value.get("value") or "").strip() or None
    if isinstance(value, list) and value:
        chosen = next((e for e in value if e.get("primary")), value[0])
        return (chosen.get("value") or "").strip() or None
    return None


class PersonAdapter(SCIMUser):
    """A person: Django's user plus their profile. The SCIM id is the user's id."""

    id_field = "id"
    ATTR_MAP = PersonFilterQuery.attr_map

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        self._record: PersonRecord | None = None

    @property
    def profile(self) -> Profile | None:
        if self.obj.pk is None:
            return None
        try:
            return self.obj.profile
        except Profile.DoesNotExist:
            return None

    @property
    def display_name(self) -> str:
        profile = self.profile
        return (profile.display_name if profile else "") or self.obj.get_full_name()

    @property
    def groups(self) -> list[dict]:
        groups = sorted(self.obj.groups.all(), key=lambda g: g.name)
        return [{"value": str(g.pk), "display": g.name} for g in groups]

    @property
    def meta(self) -> dict:
        return {
            "resourceType": self.resource_type,
            "created": self.obj.date_joined.isoformat(),
            "lastModified": self.obj.date_joined.isoformat(),
            "location": self.location,
        }

    def to_dict(self) -> dict:
        profile = self.profile
        enterprise: dict = {}
        if profile is not None:
            if profile.department_id:
                enterprise["department"] = profile.department.name
            if profile.manager_id:
                enterprise["manager"] = {
                    "value": str(profile.manager_id),
                    "displayName": profile.manager.email,
                }
            if profile.external_id:
                enterprise["employeeNumber"] = profile.external_id
        return {
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:User",
                ENTERPRISE,
            ],
            "id": self.id,
            "externalId": profile.external_id if profile else "",
            "userName": self.obj.email,
            "name": {
                "givenName": self.obj.first_name,
                "familyName": self.obj.last_name,
                "formatted": self.display_name,
            },
            "displayName": self.display_name,
            "title": profile.job_title if profile else "",
            "emails": [{"value": self.obj.email, "primary": True, "type": "work"}],
            "addresses": (
                [{"type": "work", "locality": profile.location.name}]
                if profile and profile.location_id
                else []
            ),
            "active": self.obj.is_active,
            "groups": self.groups,
            ENTERPRISE: enterprise,
            "meta": self.meta,
        }

    def from_dict(self, d: dict) -> None:
        """Read a full representation (POST, PUT) into a person record; `save` applies it."""
        email = _primary_email(d.get("emails")) or d.get("userName") or ""
        name = d.get("name") or {}
        enterprise = d.get(ENTERPRISE) or {}
        manager = enterprise.get("manager") or {}
        addresses = d.get("addresses") or []
        locality = next((a.get("locality") for a in addresses if a.get("locality")), None)
        self._record = PersonRecord(
            email=email.strip().lower(),
            given_name=name.get("givenName"),
            family_name=name.get("familyName"),
            display_name=d.get("displayName"),
            job_title=d.get("title"),
            department=enterprise.get("department"),
            location=locality,
            manager_email=_manager_email(manager),
            external_id=d.get("externalId") or enterprise.get("employeeNumber"),
            active=d.get("active") if isinstance(d.get("active"), bool) else None,
        )

    def save(self) -> None:
        if self._record is None:
            return
        if self.obj.pk is None:
            taken = User.objects.filter(email__iexact=self._record.email).exists()
            if taken:
                raise exceptions.IntegrityError(f"{self._record.email} exists already")
        try:
            self.obj, _ = person_apply(self._record, user=self.obj if self.obj.pk else None)
        except ValidationError as error:
            raise exceptions.BadRequestError("; ".join(error.messages)) from error
        self._record = None

    def delete(self) -> None:
        """Identity providers DELETE a person who left: deactivate, keep what they wrote."""
        person_apply(PersonRecord(email=self.obj.email, active=False), user=self.obj)

    # PATCH: Entra ID and Okta send replace operations, with or without a path.
    def handle_operations(self, operations) -> None:
        changes: dict = {}
        for operation in operations:
            op = (operation.get("op") or "").lower()
            if op not in ("add", "replace", "remove"):
                raise exceptions.BadRequestError(f'Unknown PATCH op "{op}"')
            path = operation.get("path")
            value = None if op == "remove" else operation.get("value")
            items = value.items() if path is None and isinstance(value, dict) else [(path, value)]
            for item_path, item_value in items:
                changes.update(_patch_change(item_path, item_value))
        self._record = PersonRecord(**{"email": self.obj.email, **changes})
        self.save()


def _manager_email(manager) -> str | None:
    if not isinstance(manager, dict):
        return None
    if manager.get("displayName") and "@" in manager["displayName"]:
        return manager["displayName"].lower()
    if manager.get("value"):
        found = (
            User.objects.filter(pk=manager["value"]).first()
            if str(manager["value"]).isdigit()
            else User.objects.filter(profile__external_id=manager["value"]).first()
        )
        return found.email if found else None
    return ""


def _patch_change(path: str | None, value) -> dict:
    """One PATCH operation as record fields: {field: value}."""
    key = (path or "").strip()
    lowered = key.lower()
    if lowered == "active":
        if isinstance(value, str):
            value = value.lower() == "true"
        if not isinstance(value, bool):
            raise exceptions.BadRequestError('"active" should be a boolean')
        return {"active": value}
    if lowered == "username":
        return {"email": str(value or "").lower()}
    if lowered.startswith("emails"):
        return {"email": (_primary_email(value) or str(value or "")).lower()}
    simple = {
        "name.givenname": "given_name",
        "name.familyname": "family_name",
        "displayname": "display_name",
        "title": "job_title",
        "externalid": "external_id",
        f"{ENTERPRISE}:department".lower(): "department",
        f"{ENTERPRISE}:employeenumber".lower(): "external_id",
    }
    if lowered in simple:
        return {simple[lowered]: "" if value is None else str(value)}
    if lowered == f"{ENTERPRISE}:manager".lower():
        return {
            "manager_email": _manager_email(value if isinstance(value, dict) else {"value": value})
            or ""
        }
    if lowered.startswith("addresses"):
        if isinstance(value, list):
            value = next((a.get("locality") for a in value if a.get("locality")), "")
        return {"location": "" if value is None else str(value)}
    if lowered == "name" and isinstance(value, dict):
        return {
            k: v
            for k, v in (
                ("given_name", value.get("givenName")),
                ("family_name", value.get("familyName")),
            )
            if v is not None
        }
    raise exceptions.NotImplementedError(f'PATCH of "{key}" is not supported')


class CountedListMixin:
    """Lists counted and sliced in the database: django-scim2 counts by loading every row."""

    list_queryset = None

    def get_many(self, request):
        if request.GET.get("filter"):
            return super().get_many(request)
        return self._build_response(request, self.list_queryset(), *self._page(request))

    def _build_response(self, request, qs, start, count):
        if isinstance(qs, list) or not hasattr(qs, "count"):
            return super()._build_response(request, qs, start, count)
        page = list(qs[start - 1 : start - 1 + max(count, 0)])
        doc = {
            "schemas": [constants.SchemaURI.LIST_RESPONSE],
            "totalResults": qs.count(),
            "itemsPerPage": len(page),
            "startIndex": start,
            "Resources": [self.scim_adapter(o, request=request).to_dict() for o in page],
        }
        return HttpResponse(json.dumps(doc), content_type=constants.SCIM_CONTENT_TYPE)


def people_for_scim():
    return User.objects.select_related(
        "profile__department", "profile__location", "profile__manager"
    ).prefetch_related("groups")


class PeopleView(CountedListMixin, UsersView):
    @staticmethod
    def list_queryset():
        return people_for_scim().order_by("id")


# --- groups -------------------------------------------------------------------------------------


class TeamAdapter(SCIMGroup):
    """Django's auth groups. Groups that carry staff rights (L&D admin, coordinator) can be
    filled by the identity provider like any other: rights follow group membership."""

    id_field = "id"
    ATTR_MAP = TeamFilterQuery.attr_map

    @property
    def members(self) -> list[dict]:
        return [{"value": str(u.pk), "display": u.email} for u in self.obj.user_set.all()]

    def to_dict(self) -> dict:
        return {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "id": self.id,
            "displayName": self.obj.name,
            "members": self.members,
            "meta": {"resourceType": "Group", "location": self.location},
        }

    def from_dict(self, d: dict) -> None:
        name = (d.get("displayName") or "").strip()
        if not name:
            raise exceptions.BadRequestError("displayName is required")
        self.obj.name = name[:150]
        self._members = [m.get("value") for m in d.get("members") or []]

    def save(self) -> None:
        with transaction.atomic():
            self.obj.save()
            members = getattr(self, "_members", None)
            if members is not None:
                self.obj.user_set.set(_users(members))

    def handle_operations(self, operations) -> None:
        with transaction.atomic():
            for operation in operations:
                op = (operation.get("op") or "").lower()
                path = (operation.get("path") or "").strip()
                value = operation.get("value")
                if path.lower().startswith("members"):
                    ids = _member_ids(path, value)
                    if op == "add":
                        self.obj.user_set.add(*_users(ids))
                    elif op == "remove":
                        self.obj.user_set.remove(*_users(ids))
                    elif op == "replace":
                        self.obj.user_set.set(_users(ids))
                    else:
                        raise exceptions.BadRequestError(f'Unknown PATCH op "{op}"')
                elif path.lower() == "displayname" or (not path and isinstance(value, dict)):
                    name = value if path else value.get("displayName")
                    if not name:
                        raise exceptions.BadRequestError("displayName is required")
                    self.obj.name = str(name)[:150]
                    self.obj.save()
                else:
                    raise exceptions.NotImplementedError(f'PATCH of "{path}" is not supported')


def _member_ids(path: str, value) -> list:
    # Okta removes with a filter in the path: members[value eq "42"]
    if "[" in path and 'value eq "' in path:
        return [path.split('value eq "', 1)[1].split('"', 1)[0]]
    if isinstance(value, list):
        return [m.get("value") for m in value]
    if isinstance(value, dict):
        return [value.get("value")]
    return []


def _users(ids) -> list:
    wanted = [int(i) for i in ids if str(i).isdigit()]
    users = list(User.objects.filter(pk__in=wanted))
    if len(users) != len(set(wanted)) or len(wanted) != len([i for i in ids if i is not None]):
        raise exceptions.BadRequestError("A member is not a known person.")
    return users


class TeamsView(CountedListMixin, GroupsView):
    @staticmethod
    def list_queryset():
        members = User.objects.order_by("id").only("id", "email")
        return Group.objects.order_by("id").prefetch_related(Prefetch("user_set", members))
