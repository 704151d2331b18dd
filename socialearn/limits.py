"""How much text people may type, shared by models, forms and services.

Every free-text field has a maximum (README, "Limits"). Models hold it as `max_length` plus a
validator that `full_clean()` runs (Django does not enforce `max_length` on a TextField by
itself); forms show it as the `maxlength` attribute and answer with one clear message.
Search vectors read only a bounded prefix of any text, so even a row written past every form
never makes PostgreSQL refuse a tsvector (its limit is 1 MB of lexemes).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.functions import Coalesce, Left, Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext

# Posts people write in communities: threads, replies, tip revisions.
POST_BODY = 20_000
# Markdown written by organisers. Long: session and challenge descriptions, step prompts,
# flow items. Short: community rules, series descriptions, step resources, programme goals.
# A step's thread is its prompt plus its resources, so both together stay under POST_BODY.
DESCRIPTION = 10_000
SHORT_DESCRIPTION = 5_000
# Shorter texts.
EXPERT_QUESTION = 2_000
EXPERT_ANSWER = 10_000
PURPOSE = 1_000
ENROLMENT_GOALS = 2_000
BIO = 4_000
TOPIC_DESCRIPTION = 2_000
MEETING_NOTES = 4_000
MESSAGE = 1_000
ADHOC_MESSAGE = 2_000
DEFERRAL_NOTE = 500
CANCEL_NOTE = 1_000
REASON = 500

# No date outside these ever reaches date arithmetic (forms narrow them further per feature).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)

# At most this many different people @mentioned in one post.
MENTIONS_PER_POST = 50

# Search vectors are built from this many characters of a text at most: far more than any
# form lets through, and small enough that no text makes a tsvector pass 1 MB.
SEARCH_PREFIX = 100_000


def too_long_message(limit: int, length: int) -> str:
    return gettext("Keep it under %(limit)s characters (you wrote %(length)s).") % {
        "limit": number_format(limit, force_grouping=True),
        "length": number_format(length, force_grouping=True),
    }


@deconstructible
class MaxCharsValidator(MaxLengthValidator):
    """Django's max-length check with the message people see on every form."""

    def __call__(self, value):
        length = self.clean(value)
        if self.compare(length, self.limit_value):
            raise ValidationError(
                too_long_message(self.limit_value, length),
                code="max_length",
                params={"limit_value": self.limit_value, "show_value": length, "value": value},
            )


def bounded_text(limit: int, *args, **kwargs) -> models.TextField:
    """A TextField whose maximum `full_clean()` enforces and forms show."""
    return models.TextField(
        *args, max_length=limit, validators=[MaxCharsValidator(limit)], **kwargs
    )


def length_constraint(model: str, field: str, limit: int) -> models.CheckConstraint:
    """The same maximum in the database, for fields some service writes without
    `full_clean()`."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=f"{model}_{field}_length",
        violation_error_message=f"Keep it under {limit:,} characters.",
    )


def search_prefix(field: "str | models.Expression | models.Subquery") -> Left:
    """The text a search vector is built from: the first SEARCH_PREFIX characters, never NULL."""
    return Left(Coalesce(field, models.Value(""), output_field=models.TextField()), SEARCH_PREFIX)
