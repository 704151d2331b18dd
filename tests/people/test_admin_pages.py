"""Every admin page L&D opens, for every registered model: the changelist, the add form and
the change form of one object load with the same number of queries with few and with many
rows, as a superuser and as an L&D admin, and lists name people, never show an email as a
person's name (an email appears only in a column of its own)."""

import re
from io import StringIO

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

pytestmark = pytest.mark.django_db

# No admin page may need more than this, whatever the size of its lists.
MAX_QUERIES = 30

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
CELL = re.compile(r'<t[hd] class="field-([\w-]+)[^"]*"[^>]*>(.*?)</t[hd]>', re.DOTALL)


def _pages() -> list[tuple[str, str]]:
    """(label, url) for each model's changelist, add form and first object's change form."""
    pages = []
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        try:
            pages.append(
                (f"{model._meta.label} list", reverse("admin:{}_{}_changelist".format(*info)))
            )
            pages.append((f"{model._meta.label} add", reverse("admin:{}_{}_add".format(*info))))
        except NoReverseMatch:
            continue
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            url = reverse("admin:{}_{}_change".format(*info), args=[first.pk])
            pages.append((f"{model._meta.label} change", url))
    return pages


def _measure(client, pages) -> dict[str, tuple[int, int, str]]:
    seen = {}
    for label, url in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        text = response.content.decode("utf-8", "replace") if response.status_code == 200 else ""
        seen[label] = (response.status_code, len(queries), text)
    return seen


def _emails_shown_as_names(text: str) -> list[tuple[str, str]]:
    """List cells holding an email outside an email column."""
    return [
        (column, EMAIL.search(cell).group(0))
        for column, cell in CELL.findall(text)
        if EMAIL.search(cell) and not column.endswith("email")
    ]


def test_every_admin_page_runs_a_fixed_number_of_queries_and_names_people(client, admin_people):
    pages = _pages()
    few = {}
    for role, user in admin_people.items():
        client.force_login(user)
        few[role] = _measure(client, pages)
    # Many more rows of every kind: a whole demo organisation on top.
    call_command("seed_demo", scale=80, stdout=StringIO())
    problems = []
    for role, user in admin_people.items():
        client.force_login(user)
        many = _measure(client, pages)
        for label, _url in pages:
            status, before, _ = few[role][label]
            status_after, after, text = many[label]
            if status != status_after:
                problems.append(f"{role} {label}: {status} then {status_after}")
            if status_after != 200:
                continue
            if after > before or after > MAX_QUERIES:
                problems.append(
                    f"{role} {label}: {before} queries with few rows, {after} with many"
                )
            if label.endswith(" list"):
                wrong = _emails_shown_as_names(text)
                if wrong:
                    problems.append(f"{role} {label}: emails as names {wrong[:3]}")
    assert not problems, "\n".join(problems)
    # L&D really opens the pages it works in.
    for label in ("communities.Membership list", "mentoring.Match list", "communities.Flag list"):
        assert few["L&D admin"][label][0] == 200, label


def test_the_community_form_links_to_its_members_instead_of_listing_them(client, admin_people):
    from communities.models import Community, Membership

    community = Community.objects.first()
    client.force_login(admin_people["L&D admin"])
    page = client.get(reverse("admin:communities_community_change", args=[community.pk]))
    assert page.status_code == 200
    count = Membership.objects.filter(community=community).count()
    link = (
        reverse("admin:communities_membership_changelist") + f"?community__id__exact={community.pk}"
    )
    assert link in page.text
    assert f"{count} membership" in page.text
    assert "memberships-TOTAL_FORMS" not in page.text  # no inline
    listed = client.get(link)
    assert listed.status_code == 200
    assert len(listed.context["cl"].result_list) == count


def test_matches_read_as_names_and_are_searchable_by_name(client, admin_people):
    from mentoring.models import Match

    match = Match.objects.select_related("mentor__user__profile", "protege__user__profile").first()
    mentor = match.mentor.user.profile.display_name
    protege = match.protege.user.profile.display_name
    assert str(match) == f"{mentor} mentors {protege}"
    client.force_login(admin_people["L&D admin"])
    found = client.get(reverse("admin:mentoring_match_changelist"), {"q": mentor.split()[0]})
    assert found.status_code == 200
    assert list(found.context["cl"].result_list) == [match]
    assert match.mentor.user.email not in found.text
