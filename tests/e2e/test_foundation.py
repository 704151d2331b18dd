"""The first journey: sign in, fill in your profile, follow a topic, find an expert."""

import pytest

from socialearn.notifications.models import TopicFollow
from socialearn.people.models import Profile
from tests.factories import DepartmentFactory, LocationFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_edit_profile_follow_a_topic_and_find_an_expert(new_page):
    negotiation = TopicFactory(name="Negotiation")
    TopicFactory(name="Coaching")
    sales = DepartmentFactory(name="Sales")
    singapore = LocationFactory(name="Singapore", time_zone="Asia/Singapore")
    UserFactory(
        profile__display_name="Kofi Mensah",
        profile__job_title="Key Account Manager",
        profile__department=sales,
        profile__location=singapore,
        profile__expertise=[negotiation],
    )
    UserFactory(profile__display_name="Laura Rossi", profile__job_title="Accountant")
    me = UserFactory(email="dana@example.com", username="dana@example.com")

    page = new_page()
    page.goto("/")
    # Signed out: the real sign-in form.
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Welcome back").wait_for()

    # Edit the profile.
    page.goto("/people/me/edit/")
    page.get_by_label("Name shown to colleagues").fill("Dana Demo")
    page.get_by_label("Job title").fill("Product Designer")
    page.get_by_label("Date you joined the company").fill("2021-09-01")
    page.get_by_label("Date you started your current role").fill("2020-01-01")
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("before you joined the company").wait_for()  # a clear message
    page.get_by_label("Date you started your current role").fill("2023-04-15")
    page.get_by_label("Time zone").select_option("Europe/Paris")
    page.get_by_role("group", name="Topics you want to learn").get_by_label("Negotiation").check()
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Your profile is saved.").wait_for()
    page.get_by_role("heading", name="Dana Demo").wait_for()
    profile = Profile.objects.get(user=me)
    assert profile.job_title == "Product Designer"
    assert profile.time_zone == "Europe/Paris"
    assert list(profile.interests.values_list("name", flat=True)) == ["Negotiation"]

    # Follow a topic from the profile (htmx swaps the button in place).
    page.get_by_role("button", name="Follow Negotiation").click()
    page.get_by_role("button", name="Unfollow Negotiation").wait_for()
    assert TopicFollow.objects.filter(user=me, topic=negotiation).exists()

    # Find an expert.
    page.get_by_role("link", name="People").first.click()
    page.get_by_label("Name, role or skill").fill("negotiation")
    page.get_by_role("button", name="Search").click()
    page.get_by_text("1 person matches").wait_for()
    results = page.locator("#results")
    assert "Kofi Mensah" in results.inner_text()
    assert "Laura Rossi" not in results.inner_text()
    page.get_by_label("Location").select_option(label="Singapore")
    page.get_by_text("1 person matches").wait_for()
    page.get_by_role("link", name="Kofi Mensah").click()
    page.get_by_role("heading", name="Kofi Mensah").wait_for()
    assert "Key Account Manager" in page.content()
