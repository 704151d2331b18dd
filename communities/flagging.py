"""Flagging a post with a reason: spam, off-topic, offensive or something else (with a note).

Builds on `services.flag_create` (the flag, its log line and the managers' notification) and
records the category in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from . import services
from .models import Flag, Reply, Thread


@transaction.atomic
def flag_with_reason(
    *,
    user,
    category: str,
    note: str = "",
    thread: Thread | None = None,
    reply: Reply | None = None,
) -> Flag:
    if category not in Flag.Category.values:
        raise ValidationError({"category": gettext("Choose what is wrong with this post.")})
    note = (note or "").strip()
    if category == Flag.Category.OTHER and not note:
        raise ValidationError(
            {"reason": gettext("Tell the managers what is wrong with this post.")}
        )
    label = str(Flag.Category(category).label)
    flag = services.flag_create(user=user, reason=note or label, thread=thread, reply=reply)
    flag.category = category
    flag.save(update_fields=["category"])
    return flag
