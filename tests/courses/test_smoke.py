from django.urls import reverse

from courses import services
from tests.factories import UserFactory


def test_a_course_page_renders_for_everyone_involved(client, course, facilitator):
    person = UserFactory()
    services.course_enrol(course=course, user=person)
    services.course_introduce(course=course, user=person, body="Hello, I am new.")
    for user, names in (
        (person, ["detail"]),
        (
            facilitator,
            [
                "detail",
                "facilitator",
                "guide",
                "edit",
                "roster",
                "reading_new",
                "prompt_new",
                "after",
            ],
        ),
    ):
        client.force_login(user)
        for name in names:
            response = client.get(reverse(f"courses:{name}", args=[course.pk]))
            assert response.status_code == 200, name
    client.force_login(person)
    assert client.get(reverse("courses:list")).status_code == 200
