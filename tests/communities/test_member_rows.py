"""The members page writes its rows in Python (`member_rows`), translating, reversing and
writing the token field once a page; each row is, byte for byte, the markup of
communities/_member_row.html, whoever the member is (a manager, with or without a department,
a picture, a name or a profile), whoever reads the page, in every language."""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.template import engines
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from communities.models import Membership
from communities.selectors import members_page
from communities.services import membership_set_role
from socialearn.people.models import Profile
from tests.communities.conftest import make_community
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _members_of_every_kind(manager):
    marked_up = UserFactory(profile__display_name="<b>Bold</b> & co")
    in_department = UserFactory(profile__display_name="Dana Dept")
    Profile.objects.filter(user=in_department).update(
        department=DepartmentFactory(name="R&D <lab>")
    )
    pictured = UserFactory(profile__display_name="Pia Picture")
    Profile.objects.filter(user=pictured).update(photo_updated_at=timezone.now())
    unnamed = UserFactory(first_name="Fran", last_name="Fullname", profile__display_name="")
    promoted = UserFactory(profile__display_name="Otto Other-Manager")
    bare = get_user_model().objects.create_user(username="bare@example.com", email="bare@x.org")
    people = [marked_up, in_department, pictured, unnamed, promoted, bare]
    community = make_community(manager, members=people, name="Every kind")
    membership_set_role(
        membership=Membership.objects.get(community=community, user=promoted),
        changed_by=manager,
        role=Membership.Role.MANAGER,
    )
    return community


def _rows_both_ways(community, reader, *, manages: bool) -> tuple[str, str]:
    members = list(members_page(community))
    context = {
        "viewer": SimpleNamespace(is_manager=manages),
        "community": community,
        "user": reader,
        "csrf_token": "token-of-the-page",
    }
    one_by_one = "".join(
        render_to_string("communities/_member_row.html", {**context, "m": m}) + "  "
        for m in members
    )
    written = (
        engines["django"]
        .from_string("{% load community_tags %}{% member_rows page viewer community %}")
        .render({**context, "page": members})
    )
    return one_by_one, written


@pytest.mark.parametrize("language", ["en-gb", "de"])
@pytest.mark.parametrize("manages", [True, False])
def test_member_rows_are_the_row_templates_markup(manager, language, manages):
    community = _members_of_every_kind(manager)
    with translation.override(language):
        one_by_one, written = _rows_both_ways(community, manager, manages=manages)
    assert written == one_by_one
    assert written.count("<li>") == 7
    assert written.count("<form ") == (6 if manages else 0)


def test_a_manager_is_offered_no_form_for_themselves(manager):
    community = _members_of_every_kind(manager)
    _one_by_one, written = _rows_both_ways(community, manager, manages=True)
    own = reverse("communities:membership_role", args=[community.slug, 0]).replace(
        "/0/", f"/{Membership.objects.get(community=community, user=manager).pk}/"
    )
    assert own not in written
    assert written.count('value="member"') == 1  # the other manager may be made a member


def test_a_member_without_a_profile_costs_no_query_of_its_own(
    client, manager, django_assert_max_num_queries
):
    """Those without a profile yet end the list; their rows read nothing more."""
    User = get_user_model()
    bare = [
        User.objects.create_user(username=f"b{i}@x.org", email=f"b{i}@x.org") for i in range(30)
    ]
    community = make_community(manager, members=bare, name="Bare")
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("communities:members", args=[community.slug])).content.decode()
    assert html.count("New member") == 30
