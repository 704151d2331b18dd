"""Forms written out by Jinja2 where Django ships a Jinja2 copy of the template.

Every form field and widget is a template: a profile form with two topic pickers and a few
selects renders some 400 of them, and Django's template language spent most of that page's
time there. Django ships the same markup as Jinja2 templates (django/forms/jinja2), which
render several times faster. Any template without such a copy (the admin's widget wrappers,
a third-party widget) is rendered by the Django templates as before.

A field's errors are rendered wherever the field is, most often as an empty list: the admin's
change form of an account asked for 70 empty lists a view. Django's error templates write
nothing for no errors, so an empty list or dict of errors is answered without its template.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property

# Django's templates of ErrorList and ErrorDict (each renders "" when there are no errors).
ERROR_TEMPLATES = frozenset(
    f"django/forms/errors/{kind}/{name}"
    for kind in ("list", "dict")
    for name in ("default.html", "ul.html", "text.txt")
)


class FastFormRenderer(BaseRenderer):
    @cached_property
    def _jinja2(self) -> Jinja2:
        return Jinja2()

    @cached_property
    def _django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self._jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)

    def render(self, template_name, context, request=None):
        if template_name in ERROR_TEMPLATES and not context.get("errors"):
            return ""
        return super().render(template_name, context, request=request)
