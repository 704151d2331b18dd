"""List columns that show people the way L&D reads them: by name, with the email as a
separate column only where someone needs to write to them.

`person_column("mentor__user")` follows the path from a row to a user and shows the user's
display name; pair it with `list_select_related` on "<path>__profile" so a changelist runs a
fixed number of queries. Never point one at a private field (an anonymous author): the
privacy mixin filters names in list_display, not the callables made here.
"""

from django.contrib import admin
from django.db.models.constants import LOOKUP_SEP

from .models import person_name


def _follow(obj, path: str):
    for part in path.split(LOOKUP_SEP):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def person_column(path: str, description: str | None = None):
    @admin.display(
        description=description or path.split(LOOKUP_SEP)[-1].replace("_", " "),
        ordering=f"{path}{LOOKUP_SEP}profile{LOOKUP_SEP}display_name",
    )
    def column(obj):
        user = _follow(obj, path)
        return "—" if user is None else person_name(user)

    column.__name__ = f"{path}_name"
    return column


def email_column(path: str, description: str = "email"):
    @admin.display(description=description, ordering=f"{path}{LOOKUP_SEP}email")
    def column(obj):
        user = _follow(obj, path)
        return "" if user is None else user.email

    # The column's CSS class ends in "email": lists show emails in such columns only.
    column.__name__ = f"{path}_email"
    return column
