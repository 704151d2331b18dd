import pytest
from django.urls import reverse

from socialearn.notifications.services import notify, topic_follow
from tests.admin_forms import form_data
from tests.factories import DepartmentFactory, LocationFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "admin:auth_user_changelist",
        "admin:people_topic_changelist",
        "admin:people_profile_changelist",
        "admin:people_department_changelist",
        "admin:people_location_changelist",
        "admin:notifications_notification_changelist",
        "admin:notifications_topicfollow_changelist",
    ],
)
def test_admin_lists_open_with_search_and_filters(admin_client, name):
    topic = TopicFactory(name="Coaching")
    person = UserFactory(
        profile__department=DepartmentFactory(),
        profile__location=LocationFactory(),
        profile__expertise=[topic],
    )
    topic_follow(user=person, topic=topic)
    notify(recipients=[person], kind="test", title="Hello")
    response = admin_client.get(reverse(name), {"q": "co"})
    assert response.status_code == 200


def test_the_topic_list_counts_experts_sorts_by_them_and_shows_a_change_at_once(admin_client):
    """The counts are kept between views: an expertise given or taken away shows at once."""
    from socialearn.people.services import profile_update, user_create

    coaching, design, ux = (TopicFactory(name=n) for n in ("Coaching", "Design", "UX"))
    ann = UserFactory(profile__expertise=[coaching, design])
    UserFactory(profile__expertise=[coaching])
    url = reverse("admin:people_topic_changelist")

    def experts(query: str = "") -> list[tuple[str, int]]:
        response = admin_client.get(url + query)
        assert response.status_code == 200
        return [(t.name, t.n_experts) for t in response.context["cl"].result_list]

    assert experts() == [("Coaching", 2), ("Design", 1), ("UX", 0)]
    assert experts("?o=-4") == [("Coaching", 2), ("Design", 1), ("UX", 0)]
    assert experts("?o=4") == [("UX", 0), ("Design", 1), ("Coaching", 2)]
    profile_update(profile=ann.profile, expertise=[ux])
    assert experts() == [("Coaching", 1), ("Design", 0), ("UX", 1)]
    user_create(email="new@example.com", expertise=[ux])
    assert experts() == [("Coaching", 1), ("Design", 0), ("UX", 2)]
    assert '<td class="field-expert_count">2</td>' in admin_client.get(url).content.decode()


def test_admin_edits_a_person_with_their_profile_inline(admin_client):
    person = UserFactory()
    response = admin_client.get(reverse("admin:auth_user_change", args=[person.pk]))
    assert response.status_code == 200
    assert "profile-0-job_title" in response.text or "id_profile-0-job_title" in response.text


def test_renaming_a_topic_in_admin_keeps_experts_findable(admin_client):
    from socialearn.people.selectors import people_search

    topic = TopicFactory(name="Old name")
    person = UserFactory(profile__expertise=[topic])
    response = admin_client.post(
        reverse("admin:people_topic_change", args=[topic.pk]),
        {
            "name": "Kubernetes",
            "slug": topic.slug,
            "description": "",
            "parent": "",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert list(people_search(q="kubernetes")) == [person.profile]


# --- the L&D admin's rank ----------------------------------------------------------------


@pytest.fixture
def rights(db):
    """An L&D admin (staff, group "L&D admin"), a plain employee, a superuser, and a group
    above L&D's rank (it holds a permission L&D lacks)."""
    from django.contrib.auth.models import Group, Permission

    from socialearn.people.permissions import COORDINATOR, LD_ADMIN, staff_groups_sync

    staff_groups_sync()

    class R:
        pass

    r = R()
    r.ld_group = Group.objects.get(name=LD_ADMIN)
    r.coordinator_group = Group.objects.get(name=COORDINATOR)
    r.payroll = Group.objects.create(name="Payroll")
    r.payroll.permissions.add(Permission.objects.get(codename="delete_user"))
    r.delete_user = Permission.objects.get(codename="delete_user")
    r.ld = UserFactory(is_staff=True, email="ld@example.com", username="ld@example.com")
    r.ld.groups.add(r.ld_group)
    r.employee = UserFactory(email="emma@example.com", username="emma@example.com")
    r.root = UserFactory(
        is_staff=True, is_superuser=True, email="root@example.com", username="root@example.com"
    )
    return r


def _change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def test_ld_admin_sees_no_superuser_staff_or_permission_fields(client, rights):
    client.force_login(rights.ld)
    response = client.get(_change_url(rights.employee))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert not {"is_superuser", "is_staff", "user_permissions"} & set(form.fields)
    offered = set(form.fields["groups"].queryset)
    assert {rights.ld_group, rights.coordinator_group} <= offered
    assert rights.payroll not in offered


def test_ld_admin_manages_an_employees_account_and_groups_below_rank(client, rights):
    client.force_login(rights.ld)
    data = form_data(client.get(_change_url(rights.employee)))
    data.update(first_name=["Emma"], groups=[str(rights.coordinator_group.pk)])
    response = client.post(_change_url(rights.employee), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    rights.employee.refresh_from_db()
    assert rights.employee.first_name == "Emma"
    assert list(rights.employee.groups.all()) == [rights.coordinator_group]


def test_a_crafted_post_cannot_make_anyone_superuser_staff_or_grant_permissions(client, rights):
    """Rule (user admin, crafted POST): fields the form does not offer are ignored, whoever
    the account, the L&D admin's own included."""
    client.force_login(rights.ld)
    for person in (rights.employee, rights.ld):
        data = form_data(client.get(_change_url(person)))
        data.update(
            is_superuser=["on"],
            is_staff=["on"],
            user_permissions=[str(rights.delete_user.pk)],
        )
        response = client.post(_change_url(person), data)
        assert response.status_code == 302
        person.refresh_from_db()
        assert not person.is_superuser
        assert person.is_staff == (person == rights.ld)
        assert not person.user_permissions.exists()
        assert not person.has_perm("auth.delete_user")


def test_a_crafted_post_cannot_give_a_group_above_the_ld_admins_rank(client, rights):
    client.force_login(rights.ld)
    for person in (rights.employee, rights.ld):
        data = form_data(client.get(_change_url(person)))
        data["groups"] = [str(rights.payroll.pk)]
        response = client.post(_change_url(person), data)
        assert response.status_code == 200  # the form answers with an error
        assert "groups" in response.context["adminform"].form.errors
        assert not person.groups.filter(pk=rights.payroll.pk).exists()


def test_ld_admin_cannot_touch_the_account_or_password_of_someone_with_more_rights(client, rights):
    """Rule (user admin): a superuser's (or a payroll officer's) email, groups and password are
    out of an L&D admin's reach; their profile is not."""
    officer = UserFactory(email="pat@example.com", username="pat@example.com", is_staff=True)
    officer.groups.add(rights.payroll)
    client.force_login(rights.ld)
    for person in (rights.root, officer):
        response = client.get(_change_url(person))
        assert response.status_code == 200
        form = response.context["adminform"].form
        assert not {"email", "username", "groups", "is_active", "password"} & set(form.fields)
        data = form_data(response)
        data.update(
            email=["ld@example.com"],
            is_active=[],
            groups=[str(rights.ld_group.pk)],
            **{"profile-0-job_title": ["Chief"]},
        )
        response = client.post(_change_url(person), data)
        assert response.status_code == 302
        person.refresh_from_db()
        assert person.email != "ld@example.com"
        assert person.is_active
        assert person.profile.job_title == "Chief"

        password_url = reverse("admin:auth_user_password_change", args=[person.pk])
        assert client.get(password_url).status_code == 403
        response = client.post(
            password_url,
            {
                "password1": "taken-over-1234",
                "password2": "taken-over-1234",
                "usable_password": "true",
            },
        )
        assert response.status_code == 403
        person.refresh_from_db()
        assert not person.check_password("taken-over-1234")


def test_ld_admin_may_set_an_employees_password(client, rights):
    client.force_login(rights.ld)
    password_url = reverse("admin:auth_user_password_change", args=[rights.employee.pk])
    response = client.post(
        password_url,
        {"password1": "new-secret-5678", "password2": "new-secret-5678", "usable_password": "true"},
    )
    assert response.status_code == 302
    rights.employee.refresh_from_db()
    assert rights.employee.check_password("new-secret-5678")


def test_superusers_keep_every_right_in_the_user_admin(client, rights):
    client.force_login(rights.root)
    response = client.get(_change_url(rights.employee))
    form = response.context["adminform"].form
    assert {"is_superuser", "is_staff", "user_permissions", "groups"} <= set(form.fields)
    data = form_data(response)
    data.update(is_staff=["on"], groups=[str(rights.payroll.pk)])
    assert client.post(_change_url(rights.employee), data).status_code == 302
    rights.employee.refresh_from_db()
    assert rights.employee.is_staff
    assert rights.employee.groups.filter(pk=rights.payroll.pk).exists()
    password_url = reverse("admin:auth_user_password_change", args=[rights.ld.pk])
    assert client.get(password_url).status_code == 200


def test_group_admin_grants_only_held_permissions_and_never_the_ld_admins_own_group(client, rights):
    """Rule (group admin): even given the right to change groups, an L&D admin edits only groups
    below their rank that they are not in, and adds only permissions they hold."""
    from django.contrib.auth.models import Permission

    rights.ld_group.permissions.add(*Permission.objects.filter(codename="change_group"))
    client.force_login(rights.ld)

    own = reverse("admin:auth_group_change", args=[rights.ld_group.pk])
    response = client.post(own, {"name": "L&D admin", "permissions": [rights.delete_user.pk]})
    assert response.status_code == 403
    assert not rights.ld_group.permissions.filter(pk=rights.delete_user.pk).exists()
    above = reverse("admin:auth_group_change", args=[rights.payroll.pk])
    assert client.post(above, {"name": "Payroll", "permissions": []}).status_code == 403
    assert rights.payroll.permissions.exists()

    lower = reverse("admin:auth_group_change", args=[rights.coordinator_group.pk])
    response = client.get(lower)
    assert rights.delete_user not in set(
        response.context["adminform"].form.fields["permissions"].queryset
    )
    kept = [str(pk) for pk in rights.coordinator_group.permissions.values_list("pk", flat=True)]
    response = client.post(
        lower, {"name": "coordinator", "permissions": [*kept, str(rights.delete_user.pk)]}
    )
    assert response.status_code == 200
    assert "permissions" in response.context["adminform"].form.errors
    assert not rights.coordinator_group.permissions.filter(pk=rights.delete_user.pk).exists()
    response = client.post(lower, {"name": "coordinators", "permissions": kept})
    assert response.status_code == 302


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def _seq_scans(sql: str, tables: set[str]) -> list[str]:
    import json

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return [
        n["Relation Name"]
        for n in _plan_nodes(plan[0]["Plan"])
        if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in tables
    ]


def test_the_account_list_and_its_search_read_indexes_at_organisation_size(admin_client):
    """100,000 accounts (not signed in yet, so without a profile): the list is read newest
    first off the primary key, and a search for part of a name or an email off the trigram
    indexes, never the whole table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from socialearn.people.models import Profile

    wanted = UserFactory(email="zora.quist@example.com", profile__display_name="Zora Quist")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined) "
            "SELECT '!', false, 'seeded' || g, 'Seeded', 'Person ' || g, "
            "'seeded' || g || '@example.com', false, true, now() "
            "FROM generate_series(1, 100000) g"
        )
        cursor.execute("ANALYZE auth_user")
    big = {"auth_user"}
    url = reverse("admin:auth_user_changelist")
    with CaptureQueriesContext(connection) as listing:
        assert admin_client.get(url).status_code == 200
    listed = [q["sql"] for q in listing.captured_queries if 'FROM "auth_user"' in q["sql"]]
    listed = [sql for sql in listed if "ORDER BY" in sql]
    assert listed
    assert not _seq_scans(listed[0], big)

    for term in ["quist", "zora.q"]:
        with CaptureQueriesContext(connection) as searched:
            response = admin_client.get(url, {"q": term})
        assert "Zora Quist" in response.text, term
        queries = [q["sql"] for q in searched.captured_queries if "LIKE" in q["sql"]]
        assert queries
        assert [s for sql in queries for s in _seq_scans(sql, big)] == [], term
    assert Profile.objects.filter(user=wanted).exists()
