"""The admin's menu of apps and models is built once per set of rights: a person sees the
models their rights show, the page's model marked, and a change of rights at once."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from socialearn import admin_menu
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    person = UserFactory(is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="view_topic"))
    client.force_login(person)
    return person


def _sidebar(response) -> str:
    page = response.content.decode()
    return page[page.index('<nav class="sticky" id="nav-sidebar"') :].split("</nav>")[0]


def test_the_sidebar_lists_what_the_rights_show_and_marks_the_page(client, staff):
    response = client.get(reverse("admin:people_topic_changelist"))
    sidebar = _sidebar(response)
    assert reverse("admin:people_topic_changelist") in sidebar
    assert reverse("admin:people_department_changelist") not in sidebar
    assert 'class="model-topic current-model"' in sidebar
    assert reverse("admin:people_topic_add") not in sidebar  # may view, not add


def test_a_change_of_rights_shows_in_the_menu_at_once(client, staff):
    client.get(reverse("admin:people_topic_changelist"))
    staff.user_permissions.add(Permission.objects.get(codename="view_department"))
    response = client.get(reverse("admin:people_topic_changelist"))
    assert reverse("admin:people_department_changelist") in _sidebar(response)


def test_the_menu_of_one_set_of_rights_is_built_once(client, staff, monkeypatch):
    built = []
    real = admin_menu.admin.AdminSite.get_app_list

    def counting(self, request, app_label=None):
        built.append(app_label)
        return real(self, request, app_label)

    monkeypatch.setattr(admin_menu.admin.AdminSite, "get_app_list", counting)
    admin_menu._app_lists.clear()
    admin_menu._sidebars.clear()
    first = client.get(reverse("admin:people_topic_changelist"))
    again = client.get(reverse("admin:people_topic_changelist"))
    assert built == [None]
    assert _sidebar(first) == _sidebar(again)


def test_the_admin_carries_the_sites_name_colours_and_icon(client, staff):
    page = client.get(reverse("admin:index")).content.decode()
    assert "socialearn administration" in page
    assert "Django administration" not in page
    assert "css/admin" in page
    assert "favicon" in page
