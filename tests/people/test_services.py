import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from socialearn.people.models import Profile
from socialearn.people.selectors import people_search
from socialearn.people.services import profile_update, user_create
from tests.factories import DepartmentFactory, LocationFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_create_makes_a_searchable_profile():
    topic = TopicFactory(name="Negotiation")
    user = user_create(email="Ada@Example.com", display_name="Ada Lovelace", expertise=[topic])
    assert user.email == "ada@example.com"
    assert not user.has_usable_password()
    assert list(people_search(q="negotiation")) == [user.profile]


def test_profile_update_refreshes_the_directory_search():
    person = UserFactory(profile__display_name="Grace Hopper", profile__job_title="Analyst")
    topic = TopicFactory(name="Compilers")
    assert not people_search(q="compilers").exists()
    profile_update(profile=person.profile, job_title="Staff Engineer", expertise=[topic])
    assert list(people_search(q="compilers")) == [person.profile]
    assert list(people_search(q="staff engineer")) == [person.profile]


def test_search_ranks_a_name_match_above_a_bio_mention():
    named = UserFactory(profile__display_name="Priya Patel", profile__bio="Finance person")
    UserFactory(profile__display_name="Sam Jones", profile__bio="I sit next to Priya")
    results = list(people_search(q="priya"))
    assert results[0] == named.profile
    assert len(results) == 2


def test_search_combines_text_with_topic_department_and_location_filters():
    python = TopicFactory(name="Python")
    eng, sales = DepartmentFactory(name="Engineering"), DepartmentFactory(name="Sales")
    paris = LocationFactory(name="Paris", time_zone="Europe/Paris")
    wanted = UserFactory(
        profile__job_title="Data engineer",
        profile__department=eng,
        profile__location=paris,
        profile__expertise=[python],
    )
    UserFactory(profile__job_title="Data engineer", profile__department=sales)
    UserFactory(profile__job_title="Accountant", profile__department=eng, profile__location=paris)
    found = people_search(q="engineer", topic=python, department=eng, location=paris)
    assert list(found) == [wanted.profile]


def test_role_cannot_start_before_joining_the_company():
    person = UserFactory()
    with pytest.raises(ValidationError) as error:
        profile_update(
            profile=person.profile,
            started_company_on=datetime.date(2022, 1, 10),
            started_role_on=datetime.date(2021, 5, 1),
        )
    assert "started_role_on" in error.value.message_dict


def test_start_dates_cannot_be_in_the_future():
    person = UserFactory()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        profile_update(profile=person.profile, started_company_on=tomorrow)
    assert "started_company_on" in error.value.message_dict


def test_unknown_time_zone_is_refused():
    person = UserFactory()
    with pytest.raises(ValidationError) as error:
        profile_update(profile=person.profile, time_zone="Mars/Olympus_Mons")
    assert "time_zone" in error.value.message_dict
    assert Profile.objects.get(pk=person.profile.pk).time_zone == ""


def test_profile_update_refuses_fields_it_does_not_manage():
    person = UserFactory()
    with pytest.raises(TypeError):
        profile_update(profile=person.profile, user=UserFactory())
