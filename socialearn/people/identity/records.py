"""One person as an outside system describes them, and the one service that applies it."""

from dataclasses import dataclass, fields
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from ..models import Department, Location, Profile
from ..services import profile_refresh_search

User = get_user_model()

# The profile fields an outside record may set, in the order forms and reports show them.
RECORD_FIELDS = (
    "email",
    "given_name",
    "family_name",
    "display_name",
    "job_title",
    "department",
    "location",
    "manager_email",
    "started_company_on",
    "started_role_on",
    "is_people_manager",
    "active",
    "external_id",
)

FIELD_LABELS = {
    "email": gettext_lazy("Email"),
    "given_name": gettext_lazy("Given name"),
    "family_name": gettext_lazy("Family name"),
    "display_name": gettext_lazy("Display name"),
    "job_title": gettext_lazy("Job title"),
    "department": gettext_lazy("Department"),
    "location": gettext_lazy("Location"),
    "manager_email": gettext_lazy("Manager"),
    "started_company_on": gettext_lazy("Joined the company"),
    "started_role_on": gettext_lazy("Started the role"),
    "is_people_manager": gettext_lazy("Team lead"),
    "active": gettext_lazy("Active"),
    "external_id": gettext_lazy("Employee id"),
}


@dataclass(frozen=True)
class PersonRecord:
    """A person as the identity provider, SCIM or HR says. `None` means "not said": the
    field is left as it is (a provider that sends no department does not clear one)."""

    email: str
    given_name: str | None = None
    family_name: str | None = None
    display_name: str | None = None
    job_title: str | None = None
    department: str | None = None
    location: str | None = None
    manager_email: str | None = None
    started_company_on: date | None = None
    started_role_on: date | None = None
    is_people_manager: bool | None = None
    active: bool | None = None
    external_id: str | None = None

    def said(self) -> dict:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in values.items() if value is not None}


def person_current(user) -> dict:
    """The person's values in the record's terms, to compare a record against."""
    profile = getattr(user, "profile", None)
    return {
        "email": user.email,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "display_name": profile.display_name if profile else "",
        "job_title": profile.job_title if profile else "",
        "department": profile.department.name if profile and profile.department_id else "",
        "location": profile.location.name if profile and profile.location_id else "",
        "manager_email": profile.manager.email if profile and profile.manager_id else "",
        "started_company_on": profile.started_company_on if profile else None,
        "started_role_on": profile.started_role_on if profile else None,
        "is_people_manager": profile.is_people_manager if profile else False,
        "active": user.is_active,
        "external_id": profile.external_id if profile else "",
    }


def record_differences(user, record: PersonRecord) -> dict[str, tuple]:
    """{field: (now, then)} for every field the record would change."""
    current = person_current(user)
    changes = {}
    for name, value in record.said().items():
        now = current[name]
        if name in ("email", "manager_email"):
            value = (value or "").lower()
        if now != value:  # person_current gives "" (never None) for an empty text
            changes[name] = (now, value)
    return changes


def record_check(record: PersonRecord) -> list[str]:
    """What is wrong with a record before anything is written, in plain words."""
    problems = []
    try:
        validate_email(record.email or "")
    except ValidationError:
        problems.append(gettext("“%(email)s” is not an email address.") % {"email": record.email})
    if record.manager_email:
        if record.manager_email.lower() == (record.email or "").lower():
            problems.append(gettext("A person cannot be their own manager."))
    if record.started_company_on and record.started_company_on > timezone.localdate():
        problems.append(gettext("The company start date is in the future."))
    if record.started_role_on and record.started_role_on > timezone.localdate():
        problems.append(gettext("The role start date is in the future."))
    if (
        record.started_company_on
        and record.started_role_on
        and record.started_role_on < record.started_company_on
    ):
        problems.append(gettext("The role started before the person joined the company."))
    for name in ("given_name", "family_name", "display_name", "job_title"):
        value = getattr(record, name)
        if value and len(value) > 150:
            problems.append(f"{name.replace('_', ' ')} is longer than 150 characters.")
    return problems


@transaction.atomic
def person_apply(
    record: PersonRecord,
    *,
    user=None,
    managers: dict | None = None,
    refresh_search: bool = True,
):
    """Create or update the person a record describes; returns (user, created).

    The person is found by `user` when given, else by external id, else by email. A manager
    named by email must exist already (`managers` may hold those looked up in bulk); a
    record that deactivates a person signs them out. A caller applying many records passes
    `refresh_search=False` and refreshes the directory's search vectors once for all of them.
    """
    problems = record_check(record)
    if problems:
        raise ValidationError(problems)
    said = record.said()
    email = record.email.lower()
    if user is None and record.external_id:
        user = User.objects.filter(profile__external_id=record.external_id).first()
    if user is None:
        user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User(username=email[:150], email=email)
        user.set_unusable_password()
    elif user.email.lower() != email:
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise ValidationError(
                [gettext("Another person already uses %(email)s.") % {"email": email}]
            )
        user.email = email
        user.username = email[:150]
    if "given_name" in said:
        user.first_name = said["given_name"][:150]
    if "family_name" in said:
        user.last_name = said["family_name"][:150]
    was_active = user.is_active
    if "active" in said:
        user.is_active = said["active"]
    user.save()

    profile = Profile.objects.filter(user=user).first() or Profile(user=user)
    for name in ("display_name", "job_title", "external_id"):
        if name in said:
            setattr(profile, name, said[name])
    if not profile.display_name and (user.first_name or user.last_name):
        profile.display_name = user.get_full_name()
    if "department" in said:
        profile.department = (
            Department.objects.get_or_create(name=said["department"].strip()[:100])[0]
            if said["department"].strip()
            else None
        )
    if "location" in said:
        profile.location = (
            Location.objects.get_or_create(name=said["location"].strip()[:100])[0]
            if said["location"].strip()
            else None
        )
    if "manager_email" in said:
        manager_email = said["manager_email"].lower()
        if not manager_email:
            profile.manager = None
        else:
            manager = (managers or {}).get(manager_email) or User.objects.filter(
                email__iexact=manager_email
            ).first()
            if manager is None:
                raise ValidationError(
                    [gettext("The manager %(email)s is not known here.") % {"email": manager_email}]
                )
            profile.manager = manager
    for name in ("started_company_on", "started_role_on", "is_people_manager"):
        if name in said:
            setattr(profile, name, said[name])
    profile.save()
    if refresh_search:
        profile_refresh_search(profile_ids=[profile.pk])
    if was_active and not user.is_active:
        person_sign_out(user)
    return user, created


def person_sign_out(user) -> None:
    """End every session of the person at once.

    Django refuses an inactive account at its next request anyway; replacing the password
    hash also invalidates every session (each carries a hash of it), in one write, without
    reading the session store. A person reactivated later signs in through the identity
    provider, or resets their password.
    """
    user.set_unusable_password()
    user.save(update_fields=["password"])


def person_deactivate(user) -> None:
    """Deactivate, keeping everything the person wrote (and anonymous posts anonymous)."""
    person_apply(PersonRecord(email=user.email, active=False), user=user)
