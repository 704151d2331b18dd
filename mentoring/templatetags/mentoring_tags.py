from datetime import date, datetime, time

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.translation import get_language

from ..reasons import reason_text as _reason_text

register = template.Library()


@register.filter
def reason_text(text: str) -> str:
    """A stored matching explanation in the reader's language."""
    return _reason_text(text)


@register.filter
def inline_label(label) -> str:
    """A choice label read mid-sentence: English lowercases it ("a video call"); German
    keeps its nouns capitalised ("ein Videoanruf")."""
    text = str(label)
    return text.lower() if get_language().startswith("en") else text


@register.filter
def date_ago(day) -> str:
    """A past date as "3 weeks, 2 days ago", in the reader's language (naturaltime takes
    only datetimes: the date is read as its midnight in the reader's zone)."""
    if not isinstance(day, date) or isinstance(day, datetime):
        return naturaltime(day)
    midnight = datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())
    return naturaltime(midnight)
