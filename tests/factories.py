"""Factories that create data through the services the product uses."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from socialearn.people.models import Department, Location, Profile, Topic

User = get_user_model()


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Location {n}")
    time_zone = "Europe/London"


class UserFactory(factory.django.DjangoModelFactory):
    """A user with a profile. Pass profile__<field>=... to set profile fields."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}@example.com")
    email = factory.LazyAttribute(lambda o: o.username)
    password = factory.django.Password("correct-horse-battery")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if not create:
            return
        expertise = kwargs.pop("expertise", ())
        interests = kwargs.pop("interests", ())
        kwargs.setdefault("display_name", f"{obj.first_name} {obj.last_name}")
        # People of the organisation have been through the first-run setup; the sign-up tests
        # create their new accounts through the product.
        kwargs.setdefault("onboarded_at", timezone.now())
        profile = Profile.objects.create(user=obj, **kwargs)
        if expertise:
            profile.expertise.set(expertise)
        if interests:
            profile.interests.set(interests)
        from socialearn.people.services import profile_refresh_search

        profile_refresh_search(profile_ids=[profile.pk])
