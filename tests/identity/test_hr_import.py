"""HR files: a dry run changes nothing, applying changes exactly the difference, a bad line
stops everything."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from socialearn.people.identity.hr_import import (
    import_plan,
    people_import_apply,
    people_import_create,
)
from socialearn.people.models import PeopleImport, Profile
from socialearn.people.permissions import LD_ADMIN
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

HEADER = (
    "email,given_name,family_name,job_title,department,location,manager_email,"
    "started_company_on,started_role_on,team_lead,employee_id\n"
)


@pytest.fixture
def organisation():
    sales = DepartmentFactory(name="Sales")
    lead = UserFactory(
        email="lead@example.com",
        username="lead@example.com",
        first_name="Lena",
        last_name="Lead",
        profile__job_title="Head of Sales",
        profile__department=sales,
    )
    stays = UserFactory(
        email="stays@example.com",
        username="stays@example.com",
        first_name="Sam",
        last_name="Stays",
        profile__display_name="Sam Stays",
        profile__job_title="Account Manager",
        profile__department=sales,
        profile__manager=lead,
    )
    leaves = UserFactory(email="leaves@example.com", username="leaves@example.com")
    return lead, stays, leaves


def snapshot() -> list:
    return list(
        Profile.objects.order_by("user__email").values_list(
            "user__email",
            "user__is_active",
            "display_name",
            "job_title",
            "department__name",
            "manager__email",
            "started_company_on",
            "is_people_manager",
        )
    )


FILE = HEADER + (
    "lead@example.com,Lena,Lead,Head of Sales,Sales,,,,,yes,E1\n"
    "stays@example.com,Sam,Stays,Senior Account Manager,Sales,London,lead@example.com,"
    "2019-04-01,2024-01-15,no,E2\n"
    "new@example.com,Nia,New,Sales Analyst,Sales Ops,Austin,stays@example.com,2026-11-02,,no,E3\n"
)


def test_the_dry_run_shows_new_changed_and_leaving_and_changes_nothing(organisation):
    before = snapshot()

    plan = import_plan(FILE, deactivate_missing=True)

    assert plan.ok
    assert [r.email for _, r in plan.new] == ["new@example.com"]
    changed = {r.email: diff for _, r, diff in plan.changed}
    assert changed["stays@example.com"]["job_title"] == (
        "Account Manager",
        "Senior Account Manager",
    )
    assert changed["stays@example.com"]["location"] == ("", "London")
    assert changed["lead@example.com"]["is_people_manager"] == (False, True)
    assert [u.email for u in plan.leaving] == ["leaves@example.com"]
    assert snapshot() == before


def test_applying_changes_exactly_the_difference(organisation):
    lead, stays, leaves = organisation
    untouched_bio = Profile.objects.filter(user=stays).update(bio="Ask me about renewals.")
    upload = people_import_create(
        uploaded_by=None, filename="hr.csv", content=FILE, deactivate_missing=True
    )

    people_import_apply(upload)

    new = Profile.objects.select_related("user", "department", "location", "manager").get(
        user__email="new@example.com"
    )
    assert new.user.get_full_name() == "Nia New"
    assert (new.job_title, new.department.name, new.location.name) == (
        "Sales Analyst",
        "Sales Ops",
        "Austin",
    )
    assert new.manager == stays  # a manager who is in the same file
    assert new.external_id == "E3"
    stays.profile.refresh_from_db()
    assert stays.profile.job_title == "Senior Account Manager"
    assert stays.profile.bio == "Ask me about renewals."
    assert untouched_bio
    assert str(stays.profile.started_role_on) == "2024-01-15"
    lead.profile.refresh_from_db()
    assert lead.profile.is_people_manager is True
    leaves.refresh_from_db()
    assert leaves.is_active is False
    upload.refresh_from_db()
    assert upload.summary == {"new": 1, "changed": 2, "unchanged": 0, "leaving": 1}
    # Applying the same file again changes nothing.
    assert import_plan(FILE, deactivate_missing=True).summary() == {
        "new": 0,
        "changed": 0,
        "unchanged": 3,
        "leaving": 0,
    }


def test_a_bad_line_stops_everything_and_is_reported_by_line(organisation):
    before = snapshot()
    bad = FILE + (
        "not-an-email,X,Y,,,,,,,no,E9\n"
        "late@example.com,L,Ate,,,,,2020-01-01,2019-01-01,no,E10\n"
        "who@example.com,W,Ho,,,,ghost@example.com,,,no,E11\n"
        "odd@example.com,O,Dd,,,,,31/12/2020,,maybe,E12\n"
        "new@example.com,Nia,Again,,,,,,,no,E13\n"
    )
    plan = import_plan(bad)
    lines = {number for number, _ in plan.errors}
    assert lines == {5, 6, 7, 8, 9}
    messages = dict(plan.errors)
    assert "not an email" in messages[5]
    assert "before the person joined" in messages[6]
    assert "ghost@example.com is not known" in messages[7]
    assert "31/12/2020" in messages[8]
    assert "also on line 4" in messages[9]

    upload = people_import_create(
        uploaded_by=None, filename="bad.csv", content=bad, deactivate_missing=True
    )
    with pytest.raises(ValidationError):
        people_import_apply(upload)
    assert snapshot() == before
    assert PeopleImport.objects.get(pk=upload.pk).applied_at is None


def test_a_file_without_an_email_column_is_refused():
    plan = import_plan("name,title\nAna,Engineer\n")
    assert plan.errors == [(1, "There is no email column (one of: email, work_email, mail).")]


def test_the_import_pages_are_for_ld_admins_and_walk_through_check_then_apply(organisation):
    from django.contrib.auth.models import Group

    employee = Client()
    employee.force_login(UserFactory())
    assert employee.get("/people/import/").status_code == 403

    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    browser = Client()
    browser.force_login(admin)
    assert browser.get("/people/import/").status_code == 200

    response = browser.post(
        "/people/import/",
        {"people_file": SimpleUploadedFile("hr.csv", FILE.encode(), "text/csv")},
    )
    assert response.status_code == 302
    review = browser.get(response["Location"])
    assert "new@example.com" in review.text
    assert "Senior Account Manager" in review.text
    assert User.objects.filter(email="new@example.com").exists() is False

    upload = PeopleImport.objects.get()
    applied = browser.post(f"/people/import/{upload.pk}/apply/", follow=True)
    assert "Applied: 1 new, 2 changed, 0 deactivated." in applied.text
    assert User.objects.filter(email="new@example.com").exists()
    again = browser.post(f"/people/import/{upload.pk}/apply/", follow=True)
    assert "applied already" in again.text


def test_a_file_that_is_not_text_gets_a_message_on_the_form():
    from django.contrib.auth.models import Group

    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    browser = Client()
    browser.force_login(admin)
    response = browser.post(
        "/people/import/",
        {"people_file": SimpleUploadedFile("hr.xlsx", b"PK\x03\x04\xff\xfe\x00", "text/csv")},
    )
    assert response.status_code == 200
    assert "not UTF-8 text" in response.text or "not a CSV file" in response.text
    assert PeopleImport.objects.count() == 0


def _import_queries(count: int, offset: int) -> tuple[int, int]:
    """Apply a file of `count` new people; (all queries, search-vector updates)."""
    lines = "".join(
        f"person{offset + n}@example.com,Pat,Person{offset + n},Analyst,Ops,Berlin,,,,no,\n"
        for n in range(count)
    )
    upload = people_import_create(
        uploaded_by=None, filename="hr.csv", content=HEADER + lines, deactivate_missing=False
    )
    with CaptureQueriesContext(connection) as captured:
        people_import_apply(upload)
    refreshes = [q for q in captured.captured_queries if "to_tsvector" in q["sql"].lower()]
    return len(captured), len(refreshes)


def test_an_import_refreshes_the_directory_search_once_for_everyone():
    few, few_refreshes = _import_queries(5, 0)
    many, many_refreshes = _import_queries(50, 100)

    assert few_refreshes == many_refreshes == 1
    # What remains grows with the rows (each person is written), never with a second
    # search rebuild per person: the same cost per row for 5 and for 50.
    per_row = (many - few) / 45
    assert few <= 20 + 5 * per_row
    assert Profile.objects.filter(
        user__email="person149@example.com", search_vector__isnull=False
    ).exists()
    found = Profile.objects.filter(search_vector="person149").values_list("user__email", flat=True)
    assert list(found) == ["person149@example.com"]


def test_the_recent_files_name_their_uploaders_in_a_fixed_number_of_queries(
    organisation, django_assert_num_queries
):
    from django.contrib.auth.models import Group

    lead, stays, _leaves = organisation
    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    browser = Client()
    browser.force_login(admin)
    people_import_create(
        uploaded_by=stays, filename="first.csv", content=FILE, deactivate_missing=False
    )
    browser.get("/people/import/")
    with CaptureQueriesContext(connection) as one_file:
        page = browser.get("/people/import/").text
    assert "first.csv" in page
    assert "Sam Stays" in page  # the display name
    people_import_create(
        uploaded_by=lead, filename="second.csv", content=FILE, deactivate_missing=False
    )
    people_import_create(
        uploaded_by=stays, filename="third.csv", content=FILE, deactivate_missing=False
    )
    with django_assert_num_queries(len(one_file.captured_queries)):
        page = browser.get("/people/import/").text
    assert "Lena Lead" in page  # no display name: the full name
    assert "second.csv" in page
    assert "third.csv" in page
