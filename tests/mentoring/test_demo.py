import io

import pytest

from mentoring.demo import seed_demo
from mentoring.models import Enrolment, Match, Programme
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_seed_makes_programmes_and_matches_once():
    UserFactory.create_batch(24)
    out = io.StringIO()
    seed_demo(scale=1, stdout=out)
    assert Programme.objects.count() == 2
    assert Match.objects.filter(status=Match.Status.ACTIVE).exists()
    enrolments = Enrolment.objects.count()
    seed_demo(scale=1, stdout=out)
    assert Programme.objects.count() == 2
    assert Enrolment.objects.count() == enrolments
