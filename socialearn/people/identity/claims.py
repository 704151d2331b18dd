"""The identity provider's claims, mapped onto a person.

`PEOPLE_CLAIM_MAP` (settings) says which claim holds which field; the defaults follow
OpenID Connect's standard claims where there is one, and the names Entra ID and Okta use for
directory attributes where there is not. An empty claim name leaves the field to the person.
"""

from datetime import date

from django.conf import settings

from .records import PersonRecord

DEFAULT_CLAIM_MAP = {
    "email": "email",
    "given_name": "given_name",
    "family_name": "family_name",
    "display_name": "name",
    "job_title": "job_title",
    "department": "department",
    "location": "office_location",
    "manager_email": "manager_email",
    "started_company_on": "employee_hire_date",
    "started_role_on": "role_start_date",
    "is_people_manager": "team_lead",
    "external_id": "employee_id",
}

TRUE_WORDS = {"1", "true", "yes", "y", "on"}


def claim_map() -> dict[str, str]:
    return {**DEFAULT_CLAIM_MAP, **getattr(settings, "PEOPLE_CLAIM_MAP", {})}


def _date(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _flag(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_WORDS


def record_from_claims(claims: dict) -> PersonRecord:
    """A person record from a provider's claims; a claim the provider did not send (or sent
    in a shape we cannot read, such as a malformed date) leaves that field alone."""
    mapping = claim_map()
    values: dict = {}
    for field, claim in mapping.items():
        if not claim or claim not in claims:
            continue
        raw = claims[claim]
        if isinstance(raw, list | tuple):  # SAML attributes come as lists of values
            raw = raw[0] if raw else None
        if field in ("started_company_on", "started_role_on"):
            values[field] = _date(raw)
        elif field == "is_people_manager":
            values[field] = _flag(raw)
        elif raw is not None:
            values[field] = str(raw).strip()
    values["email"] = (values.get("email") or "").lower()
    return PersonRecord(**values)
