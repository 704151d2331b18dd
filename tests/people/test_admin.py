import pytest
from django.urls import reverse

from socialearn.notifications.services import notify, topic_follow
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
