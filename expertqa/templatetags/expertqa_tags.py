from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse

from ..selectors import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user) -> str:
    return _person_name(user)


@register.filter
def names(users) -> str:
    return ", ".join(_person_name(u) for u in users)


# Stands for a question's number in an address reversed once (question ids are positive).
_SLOT = 2_147_483_647


@lru_cache(maxsize=64)
def _question_address_parts(name: str, script_prefix: str, *args: str) -> tuple[str, str]:
    before, after = reverse(name, args=[_SLOT, *args]).split(str(_SLOT), 1)
    return before, after


@register.simple_tag
def question_url(name: str, pk: int, *args: str) -> str:
    """`{% url name pk ... %}` for a question on the board, reversed once per address and
    its number put in: the board names the same few addresses for each of its questions."""
    before, after = _question_address_parts(name, get_script_prefix(), *args)
    return f"{before}{int(pk)}{after}"
