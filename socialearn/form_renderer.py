"""Forms written out by Jinja2 where Django ships a Jinja2 copy of the template.

Every form field and widget is a template: a profile form with two topic pickers and a few
selects renders some 400 of them, and Django's template language spent most of that page's
time there. Django ships the same markup as Jinja2 templates (django/forms/jinja2), which
render several times faster. Any template without such a copy (the admin's widget wrappers,
a third-party widget) is rendered by the Django templates as before.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property


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
