"""Template helpers for community pages that other apps' tags cannot give."""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from socialearn.people.templatetags.people_tags import person_chip

register = template.Library()


@register.simple_tag
def chip(person, anonymous=False) -> SafeString:
    """The person chip as a value, for a sentence translated as a whole:

    {% chip c.created_by as author %}
    {% blocktranslate %}proposed by {{ author }}{% endblocktranslate %}
    """
    return render_to_string("people/_person_chip.html", person_chip(person, anonymous=anonymous))
