from django import template
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
