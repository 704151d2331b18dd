import io

import pytest
from django.contrib.auth.models import Group

from challenges.courses import demo
from challenges.courses.models import Course
from socialearn.people.permissions import LD_ADMIN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_course_has_participants_introductions_and_readings_once():
    admin = UserFactory(email="ld-admin@socialearn.local", username="ld-admin@socialearn.local")
    admin.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    demo_user = UserFactory(email="demo@socialearn.local", username="demo@socialearn.local")
    for _ in range(8):
        UserFactory()
    demo.seed_demo(scale=40, stdout=io.StringIO())
    demo.seed_demo(scale=40, stdout=io.StringIO())
    course = Course.objects.get()
    assert course.enrolments.count() == 7
    assert course.enrolments.filter(user=demo_user).exists()
    assert course.intro_thread.replies.count() == 3
    assert course.prereading.items.count() == 3
    assert course.prompts.count() == 2
