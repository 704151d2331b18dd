"""The admin's menu of apps and models, built once per set of rights instead of per request.

Every admin page lists the apps and models the person may see (the index and the sidebar of
every list and form): about 60 models, each asked for its four permissions and two URLs, then
rendered to some 40 kB of HTML. That was about a quarter of a changelist's time. What the
menu shows depends only on the person's rights (superuser status, active, the
permissions they hold directly or through groups: no ModelAdmin of the project decides a
model-level right on anything else), the language (apps are sorted by their translated name)
and the URL prefix; the sidebar also marks the app and model of the page. So both are kept
in the worker's memory under those, and a change of rights is a new key.
"""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.translation import get_language, gettext_lazy

# Keys kept at most (rights × languages × pages' apps and models); past it, start afresh.
MAX_KEPT = 512

_app_lists: dict[tuple, list] = {}
_sidebars: dict[tuple, str] = {}


def rights_key(request) -> tuple:
    """What the menu's permission checks read (`User.has_module_perms` / `has_perm`): active,
    superuser and the permissions held. Staff status is not among them: the admin's own door
    (`AdminSite.has_permission`) reads it before any page with a menu is served."""
    user = request.user
    held = frozenset() if user.is_superuser else frozenset(user.get_all_permissions())
    return (
        user.is_active,
        user.is_superuser,
        held,
        get_language(),
        get_script_prefix(),
    )


def _keep(store: dict, key: tuple, value):
    if len(store) >= MAX_KEPT:
        store.clear()
    store[key] = value
    return value


class MenuKeepingAdminSite(admin.AdminSite):
    site_header = gettext_lazy("socialearn administration")
    site_title = gettext_lazy("socialearn administration")

    def get_app_list(self, request, app_label=None):
        key = (self.name, rights_key(request), app_label)
        found = _app_lists.get(key)
        if found is None:
            found = _keep(_app_lists, key, super().get_app_list(request, app_label))
        return found


class MenuKeepingAdminConfig(AdminConfig):
    default_site = "socialearn.admin_menu.MenuKeepingAdminSite"


def sidebar_app_list(request, available_apps) -> str:
    """admin/app_list.html as the sidebar renders it (no change links) for this request."""
    path = quote(request.path, safe="/")  # what the template's `urlencode` compares with
    current = tuple(app["app_url"] for app in available_apps if app["app_url"] in path)
    current += tuple(
        model["admin_url"]
        for app in available_apps
        for model in app["models"]
        if model.get("admin_url") and model["admin_url"] in path
    )
    key = (rights_key(request), current)
    html = _sidebars.get(key)
    if html is None:
        context = {"app_list": available_apps, "show_changelinks": False, "request": request}
        html = _keep(_sidebars, key, render_to_string("admin/app_list.html", context))
    return html
