"""`{% sidebar_app_list %}`: the admin sidebar's list of apps, kept per set of rights."""

from django import template

from socialearn import admin_menu

register = template.Library()


@register.simple_tag(takes_context=True)
def sidebar_app_list(context) -> str:
    return admin_menu.sidebar_app_list(context["request"], context["available_apps"])
