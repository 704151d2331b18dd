from django import template

from ..reasons import reason_text as _reason_text

register = template.Library()


@register.filter
def reason_text(text: str) -> str:
    """A stored matching explanation in the reader's language."""
    return _reason_text(text)
