"""Start dates a challenge cannot use and texts too long for it: a form message, never a 500."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges import classics
from challenges.models import Challenge, Step
from tests.crawl import distinct_words

from .conftest import make_challenge

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start_date", "message"),
    [
        ("9999-12-31", "Choose a start date within the next two years"),
        ("2999-06-01", "Choose a start date within the next two years"),
        ("0001-01-01", "Choose a start date from"),
    ],
)
def test_copying_with_a_start_date_out_of_range_gets_a_message(
    client, designer, community, start_date, message
):
    classics.ensure(Challenge, Step)
    template = Challenge.objects.filter(is_template=True).first()
    client.force_login(designer)
    response = client.post(
        reverse("challenges:copy", args=[template.pk]),
        {"title": "Feedback month", "community": community.pk, "start_date": start_date},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Challenge.objects.filter(title="Feedback month").exists()


def test_the_copy_form_tells_the_browser_its_window(client, designer, community):
    classics.ensure(Challenge, Step)
    template = Challenge.objects.filter(is_template=True).first()
    client.force_login(designer)
    page = client.get(reverse("challenges:copy", args=[template.pk])).content.decode()
    assert f'max="{timezone.localdate().year + 2}-' in page


def _edit_data(client, challenge, **changes):
    form = client.get(reverse("challenges:edit", args=[challenge.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(start_date=challenge.start_date.isoformat(), release_time="09:00")
    data.update(changes)
    return data


@pytest.mark.parametrize("start_date", ["9999-12-31", "0001-01-01"])
def test_editing_a_challenge_refuses_a_start_date_out_of_range(
    client, designer, community, start_date
):
    challenge = make_challenge(
        community=community, designer=designer, start=timezone.localdate(), steps=2
    )
    client.force_login(designer)
    url = reverse("challenges:edit", args=[challenge.pk])
    response = client.post(url, _edit_data(client, challenge, start_date=start_date))
    assert response.status_code == 200
    assert "Choose a start date" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.start_date == timezone.localdate()


def test_a_start_date_stored_long_ago_stays_acceptable_on_edit(client, designer, community):
    long_ago = timezone.localdate() - timedelta(days=800)
    challenge = make_challenge(
        community=community, designer=designer, start=long_ago, release_time=time(9), steps=2
    )
    client.force_login(designer)
    url = reverse("challenges:edit", args=[challenge.pk])
    response = client.post(url, _edit_data(client, challenge, title="Renamed"))
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.title == "Renamed"


def test_a_step_prompt_over_its_maximum_gets_the_message(client, designer, community):
    challenge = make_challenge(
        community=community, designer=designer, start=timezone.localdate(), steps=1
    )
    client.force_login(designer)
    prompt = distinct_words(12_345)
    response = client.post(
        reverse("challenges:step_new", args=[challenge.pk]),
        {
            "title": "Too long",
            "prompt": prompt,
            "resources": "",
            "estimated_minutes": 10,
            "day_offset": 0,
        },
    )
    assert response.status_code == 200
    assert "Keep it under 10,000 characters (you wrote 12,345)." in response.content.decode()
    assert challenge.steps.count() == 1
