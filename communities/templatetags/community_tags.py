"""Template helpers for community pages that other apps' tags cannot give."""

from django import template
from django.utils.safestring import SafeString

from socialearn.people.templatetags.people_tags import person_chip_html

register = template.Library()


@register.simple_tag
def chip(person, anonymous=False) -> SafeString:
    """The person chip as a value, for a sentence translated as a whole:

    {% chip c.created_by as author %}
    {% blocktranslate %}proposed by {{ author }}{% endblocktranslate %}
    """
    return person_chip_html(person, anonymous=anonymous)
