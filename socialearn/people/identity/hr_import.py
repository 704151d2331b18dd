"""HR files: a CSV of people, checked line by line, shown as differences, applied at once.

A dry run reads and writes nothing; applying re-reads the file and writes the whole
difference in one transaction, or nothing when any line is wrong.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from ..models import PeopleImport, Profile
from ..services import profile_refresh_search
from .records import PersonRecord, person_apply, record_check, record_differences

User = get_user_model()

# Column names HR systems use for each field (compared lower-case, spaces as underscores).
COLUMNS = {
    "email": ("email", "work_email", "mail", "username"),
    "given_name": ("given_name", "first_name", "firstname"),
    "family_name": ("family_name", "last_name", "lastname", "surname"),
    "display_name": ("display_name", "name", "full_name"),
    "job_title": ("job_title", "title", "position"),
    "department": ("department", "dept"),
    "location": ("location", "office", "site"),
    "manager_email": ("manager_email", "manager"),
    "started_company_on": ("started_company_on", "hire_date", "company_start_date", "start_date"),
    "started_role_on": ("started_role_on", "role_start_date"),
    "is_people_manager": ("is_people_manager", "team_lead", "people_manager"),
    "external_id": ("external_id", "employee_id", "employee_number"),
}
YES = {"1", "true", "yes", "y"}
NO = {"0", "false", "no", "n", ""}
MAX_ROWS = 100_000
MAX_SHOWN = f"{MAX_ROWS:,}"


@dataclass
class ImportPlan:
    """What a file would do: by line, the problems; by person, the change."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    new: list[tuple[int, PersonRecord]] = field(default_factory=list)
    changed: list[tuple[int, PersonRecord, dict]] = field(default_factory=list)
    unchanged: int = 0
    leaving: list = field(default_factory=list)  # users

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
            "leaving": len(self.leaving),
        }


def _column_index(header: list[str]) -> tuple[dict[str, int], list[str]]:
    found: dict[str, int] = {}
    normalised = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in header]
    for name, aliases in COLUMNS.items():
        for position, heading in enumerate(normalised):
            if heading in aliases:
                found[name] = position
                break
    unknown = [h for h, n in zip(header, normalised, strict=True) if n and not _known(n)]
    return found, unknown


def _known(heading: str) -> bool:
    return any(heading in aliases for aliases in COLUMNS.values())


def _date(value: str, label: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{label} “{value}” is not a date like 2024-03-31.") from None


def _flag(value: str, label: str) -> bool:
    lowered = value.strip().lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    raise ValueError(f"{label} “{value}” should be yes or no.")


def parse_people_csv(text: str) -> tuple[list[tuple[int, PersonRecord]], list[tuple[int, str]]]:
    """Records by line number (the header is line 1), and the lines that cannot be read."""
    errors: list[tuple[int, str]] = []
    rows: list[tuple[int, PersonRecord]] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        return [], [(1, gettext("The file is empty."))]
    columns, unknown = _column_index(header)
    if "email" not in columns:
        return [], [(1, gettext("There is no email column (one of: email, work_email, mail)."))]
    if unknown:
        errors.append(
            (1, gettext("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
        )
    seen: dict[str, int] = {}
    for number, cells in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            errors.append(
                (
                    number,
                    gettext("The file has more than %(max)s people.") % {"max": f"{MAX_ROWS:,}"},
                )
            )
            break
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(header):
            cells += [""] * (len(header) - len(cells))

        try:
            values: dict = {}
            for name in COLUMNS:
                if name not in columns:
                    continue
                raw = cells[columns[name]].strip()
                if name in ("started_company_on", "started_role_on"):
                    values[name] = _date(raw, name.replace("_", " "))
                elif name == "is_people_manager":
                    values[name] = _flag(raw, "team lead")
                elif name in ("email", "manager_email"):
                    values[name] = raw.lower()
                else:
                    values[name] = raw
            record = PersonRecord(**values)
        except ValueError as error:
            errors.append((number, str(error)))
            continue
        problems = record_check(record)
        if record.email in seen:
            problems.append(f"{record.email} is also on line {seen[record.email]}.")
        seen.setdefault(record.email, number)
        for problem in problems:
            errors.append((number, problem))
        if not problems:
            rows.append((number, record))
    return rows, errors


def import_plan(text: str, *, deactivate_missing: bool = False) -> ImportPlan:
    """The difference a file would make, read in a fixed number of queries."""
    rows, errors = parse_people_csv(text)
    plan = ImportPlan(errors=errors)
    emails = {r.email for _, r in rows}
    external = {r.external_id for _, r in rows if r.external_id}
    people = list(
        User.objects.filter(
            Q(email__in=emails) | Q(profile__external_id__in=external)
        ).select_related("profile__department", "profile__location", "profile__manager")
    )
    by_email = {u.email.lower(): u for u in people}
    by_external = {
        u.profile.external_id: u for u in people if hasattr(u, "profile") and u.profile.external_id
    }
    managers_named = {r.manager_email for _, r in rows if r.manager_email}
    known_managers = set(
        User.objects.filter(email__in=managers_named - emails).values_list("email", flat=True)
    )
    for number, record in rows:
        if record.manager_email and record.manager_email not in emails | known_managers:
            plan.errors.append(
                (
                    number,
                    gettext("The manager %(email)s is not known here.")
                    % {"email": record.manager_email},
                )
            )
            continue
        user = (record.external_id and by_external.get(record.external_id)) or by_email.get(
            record.email
        )
        if user is None:
            plan.new.append((number, record))
            continue
        changes = record_differences(user, record)
        if changes:
            plan.changed.append((number, record, changes))
        else:
            plan.unchanged += 1
    if deactivate_missing and rows:
        listed = {u.pk for u in by_email.values()} | {u.pk for u in by_external.values()}
        plan.leaving = list(
            User.objects.filter(is_active=True, is_superuser=False)
            .exclude(pk__in=listed)
            .select_related("profile")
            .order_by("email")
        )
    plan.errors.sort()
    return plan


@transaction.atomic
def people_import_apply(people_import: PeopleImport) -> ImportPlan:
    """Apply the file: every difference, or nothing when any line is wrong."""
    people_import = PeopleImport.objects.select_for_update().get(pk=people_import.pk)
    if people_import.applied_at is not None:
        raise ValidationError(gettext("This file was applied already."))
    plan = import_plan(people_import.content, deactivate_missing=people_import.deactivate_missing)
    if not plan.ok:
        raise ValidationError(
            [
                gettext("Line %(number)s: %(message)s") % {"number": number, "message": message}
                for number, message in plan.errors[:50]
            ]
        )
    records = [r for _, r in plan.new] + [r for _, r, _ in plan.changed]
    # Everyone first, then managers: a manager may be a new person further down the file.
    # The directory's search vectors are rebuilt once for everyone at the end, in one query.
    applied = [
        person_apply(
            PersonRecord(**{**record.said(), "manager_email": None}), refresh_search=False
        )[0]
        for record in records
    ]
    managers = {
        u.email: u
        for u in User.objects.filter(
            email__in={r.manager_email for r in records if r.manager_email}
        )
    }
    for record in records:
        if record.manager_email is not None:
            person_apply(
                PersonRecord(email=record.email, manager_email=record.manager_email),
                managers=managers,
                refresh_search=False,
            )
    for user in plan.leaving:
        person_apply(PersonRecord(email=user.email, active=False), user=user, refresh_search=False)
    if applied:
        profile_refresh_search(
            profile_ids=list(
                Profile.objects.filter(user__in=[u.pk for u in applied]).values_list(
                    "pk", flat=True
                )
            )
        )
    people_import.applied_at = timezone.now()
    people_import.summary = plan.summary()
    people_import.save(update_fields=["applied_at", "summary"])
    return plan


def people_import_create(*, uploaded_by, filename: str, content: str, deactivate_missing: bool):
    return PeopleImport.objects.create(
        uploaded_by=uploaded_by,
        filename=filename[:255],
        content=content,
        deactivate_missing=deactivate_missing,
    )
