"""`{% result_list cl %}` as the admin's own tag, its rows written a page at a time
(socialearn/admin_rows.py). Loaded after `admin_list` by templates/admin/change_list.html."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from socialearn import admin_rows

register = template.Library()


@register.tag(name="result_list")
def result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=admin_rows.result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
