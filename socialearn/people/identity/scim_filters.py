"""SCIM filters ("userName eq ...") as SQL over Django's user and group tables.

Kept apart from the adapters: django-scim2 reads these while its own adapter classes are
being defined, so they must import nothing that imports those.
"""

from django_scim.filters import GroupFilterQuery, UserFilterQuery


class PersonFilterQuery(UserFilterQuery):
    """Identity providers look people up by userName (the sign-in email here)."""

    attr_map = {
        ("userName", None, None): "email",
        ("emails", "value", None): "email",
        ("name", "familyName", None): "last_name",
        ("familyName", None, None): "last_name",
        ("name", "givenName", None): "first_name",
        ("givenName", None, None): "first_name",
        ("active", None, None): "is_active",
    }


class TeamFilterQuery(GroupFilterQuery):
    attr_map = {("displayName", None, None): "name"}
