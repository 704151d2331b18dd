import pytest

from socialearn.nudges.models import NudgePreference
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_person_switches_a_nudge_off_beside_their_notification_settings(new_page):
    person = UserFactory()
    page = new_page(person, width=390, height=844)
    page.goto("/people/me/edit/")
    page.get_by_label("My mentoring pair has not met for weeks").uncheck()
    page.get_by_role("button", name="Save nudge settings").click()
    page.get_by_text("Your nudge settings are saved.").wait_for()
    assert page.url.endswith("/people/me/edit/")
    assert not page.get_by_label("My mentoring pair has not met for weeks").is_checked()
    assert page.get_by_label("A challenge step I have not done yet").is_checked()
    off = NudgePreference.objects.filter(person=person, enabled=False)
    assert list(off.values_list("rule", flat=True)) == ["mentoring.stalled"]
