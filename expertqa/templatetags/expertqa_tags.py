from django import template

from ..selectors import person_name as _person_name

register = template.Library()


@register.filter
def person_name(user) -> str:
    return _person_name(user)


@register.filter
def names(users) -> str:
    return ", ".join(_person_name(u) for u in users)
