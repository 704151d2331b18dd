"""SCIM 2.0 provisioning as Entra ID and Okta drive it: the standard sequence, replayed."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from communities.models import Thread
from socialearn.people.identity.scim_auth import (
    provisioning_token_create,
    provisioning_token_revoke,
)
from socialearn.people.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
SCIM = "application/scim+json"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@pytest.fixture
def token():
    _, clear = provisioning_token_create(name="Entra ID", created_by=None)
    return clear


@pytest.fixture
def idp(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def send(client, method, path, body=None):
    data = json.dumps(body) if body is not None else None
    response = getattr(client, method)(f"/scim/v2/{path}", data=data, content_type=SCIM)
    payload = json.loads(response.content) if response.content else None
    return response.status_code, payload


NEW_PERSON = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
    "externalId": "E-1001",
    "userName": "amara.okafor@example.com",
    "name": {"givenName": "Amara", "familyName": "Okafor"},
    "displayName": "Amara Okafor",
    "title": "Data Engineer",
    "emails": [{"value": "amara.okafor@example.com", "primary": True, "type": "work"}],
    "addresses": [{"type": "work", "locality": "London"}],
    "active": True,
    ENTERPRISE: {"department": "Data Platform", "employeeNumber": "E-1001"},
}


def test_the_sequence_an_identity_provider_sends_leaves_the_database_as_expected(idp):
    manager = UserFactory(email="lead@example.com", username="lead@example.com")

    # 1. Is the person there? (Entra asks before creating.)
    status, found = send(idp, "get", 'Users?filter=userName eq "amara.okafor@example.com"')
    assert status == 200
    assert found["totalResults"] == 0

    # 2. Create.
    status, created = send(idp, "post", "Users", NEW_PERSON)
    assert status == 201
    person = User.objects.get(email="amara.okafor@example.com")
    assert created["id"] == str(person.pk)
    profile = Profile.objects.get(user=person)
    assert (person.first_name, person.last_name) == ("Amara", "Okafor")
    assert profile.display_name == "Amara Okafor"
    assert profile.job_title == "Data Engineer"
    assert profile.department.name == "Data Platform"
    assert profile.location.name == "London"
    assert profile.external_id == "E-1001"
    assert not person.has_usable_password()

    # 3. Get by id and by filter.
    status, fetched = send(idp, "get", f"Users/{person.pk}")
    assert status == 200
    assert fetched["userName"] == "amara.okafor@example.com"
    assert fetched[ENTERPRISE]["department"] == "Data Platform"
    status, found = send(idp, "get", 'Users?filter=userName eq "amara.okafor@example.com"')
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == str(person.pk)

    # 4. Patch: a new title and a manager (Entra's shape: replace with paths).
    status, _ = send(
        idp,
        "patch",
        f"Users/{person.pk}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Replace", "path": "title", "value": "Senior Data Engineer"},
                {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": str(manager.pk)},
            ],
        },
    )
    assert status == 200
    profile.refresh_from_db()
    assert profile.job_title == "Senior Data Engineer"
    assert profile.manager == manager

    # 5. Patch without a path (Okta's shape), then deactivate.
    status, _ = send(
        idp,
        "patch",
        f"Users/{person.pk}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        },
    )
    assert status == 200
    person.refresh_from_db()
    assert person.is_active is False


def test_deactivation_signs_the_person_out_and_keeps_what_they_wrote(idp, client):
    from communities.services import community_create, thread_create

    person = UserFactory(email="leaving@example.com", username="leaving@example.com")
    community = community_create(name="Data", purpose="Data", created_by=person)
    thread = thread_create(
        community=community,
        author=person,
        kind="discussion",
        title="How we test pipelines",
        body="Like this.",
    )
    client.force_login(person)
    assert client.get("/").status_code == 200

    status, _ = send(idp, "delete", f"Users/{person.pk}")

    assert status == 204
    person.refresh_from_db()
    assert person.is_active is False
    assert Thread.objects.filter(pk=thread.pk, author=person).exists()
    response = client.get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    directory = Client()
    directory.force_login(UserFactory())
    assert "leaving@example.com" not in directory.get("/people/?q=leaving").text


def test_groups_are_created_and_filled(idp):
    a = UserFactory()
    b = UserFactory()
    status, group = send(
        idp,
        "post",
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Data guild",
            "members": [{"value": str(a.pk)}],
        },
    )
    assert status == 201
    status, _ = send(
        idp,
        "patch",
        f"Groups/{group['id']}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": str(b.pk)}]}],
        },
    )
    assert status == 200
    assert set(Group.objects.get(name="Data guild").user_set.all()) == {a, b}
    status, _ = send(
        idp,
        "patch",
        f"Groups/{group['id']}",
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "remove", "path": f'members[value eq "{a.pk}"]'}],
        },
    )
    assert status == 200
    assert set(Group.objects.get(name="Data guild").user_set.all()) == {b}


def test_a_wrong_or_revoked_token_gets_401(token):
    status, _ = send(Client(HTTP_AUTHORIZATION="Bearer not-a-token"), "get", "Users")
    assert status == 401
    status, _ = send(Client(), "get", "Users")
    assert status == 401
    from socialearn.people.models import ProvisioningToken

    provisioning_token_revoke(ProvisioningToken.objects.get())
    status, _ = send(Client(HTTP_AUTHORIZATION=f"Bearer {token}"), "get", "Users")
    assert status == 401


def test_a_signed_in_session_opens_nothing_even_for_a_superuser():
    root = UserFactory(is_superuser=True, is_staff=True)
    browser = Client()
    browser.force_login(root)
    for path in ("Users", "Groups", f"Users/{root.pk}", "ServiceProviderConfig"):
        status, _ = send(browser, "get", path)
        assert status == 401, path


def test_bad_input_gets_a_scim_error_not_a_500(idp):
    status, error = send(idp, "post", "Users", {**NEW_PERSON, "emails": [], "userName": "nope"})
    assert status == 400
    assert "email" in error["detail"]
    send(idp, "post", "Users", NEW_PERSON)
    status, _ = send(idp, "post", "Users", NEW_PERSON)
    assert status == 409
    status, _ = send(idp, "get", 'Users?filter=userName eq "x" and (')
    assert status == 400
    status, _ = send(idp, "get", "Users/999999")
    assert status == 404


def test_lists_are_paged_with_a_database_count_in_a_fixed_number_of_queries(idp):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def listed(people: int, groups: int) -> tuple[int, dict]:
        for _ in range(people):
            UserFactory().groups.add(Group.objects.get_or_create(name="Guild")[0])
        with CaptureQueriesContext(connection) as queries:
            status, page = send(idp, "get", "Users?startIndex=1&count=100")
        assert status == 200
        return len(queries), page

    few, page = listed(2, 1)
    many, page = listed(40, 1)
    assert few == many
    assert page["totalResults"] == User.objects.count() == 42
    status, page = send(idp, "get", "Users?startIndex=11&count=10")
    assert page["itemsPerPage"] == 10
    assert page["startIndex"] == 11


def test_the_token_is_stored_only_as_a_hash(token):
    from socialearn.people.models import ProvisioningToken

    stored = ProvisioningToken.objects.get()
    assert token not in (stored.token_hash, stored.hint, stored.name)
    assert stored.hint == token[-4:]


def test_an_identity_provider_needs_no_csrf_token_but_a_browser_gets_nothing(token):
    provider = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")
    status, _ = send(provider, "post", "Users", NEW_PERSON)
    assert status == 201
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(UserFactory(is_superuser=True, is_staff=True))
    status, _ = send(browser, "post", "Users", {**NEW_PERSON, "userName": "x@example.com"})
    assert status == 401
