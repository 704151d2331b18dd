"""The chosen days of the figures: bounded to the organisation's data, with a message."""

import pytest
from django.urls import reverse
from django.utils import timezone

from socialearn.insights.services import scope_upsert

from .conftest import person

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("insights:overview")


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            "0001-01-01",
            "0001-01-02",
            "Figures start on 2 Mar 2026: choose days from 2 Mar 2025 on.",
        ),
        ("2026-03-02", "9999-12-31", "Choose days up to today: there are no figures yet."),
        ("0001-01-01", "9999-12-31", "Choose days up to today"),
        ("2020-01-01", "2020-12-31", "Figures start on 2 Mar 2026"),
    ],
)
def test_days_outside_the_organisations_data_get_a_message_on_the_page(
    client, lnd_admin, record, start, end, message
):
    record("posted", person("ann"), "2026-03-02 12:00")
    client.force_login(lnd_admin)
    response = client.get(OVERVIEW, {"period": "custom", "start": start, "end": end})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "the last 30 days" in html


def test_days_within_the_data_and_its_margin_are_fine(client, lnd_admin, record):
    record("posted", person("ann"), "2026-03-02 12:00")
    client.force_login(lnd_admin)
    response = client.get(
        OVERVIEW, {"period": "custom", "start": "2025-06-01", "end": "2026-03-31"}
    )
    assert "1 Jun 2025 – 31 Mar 2026" in response.content.decode()


def test_without_any_activity_the_year_before_today_can_be_chosen(client, lnd_admin):
    client.force_login(lnd_admin)
    today = timezone.localdate()
    response = client.get(
        OVERVIEW, {"period": "custom", "start": "1900-01-01", "end": today.isoformat()}
    )
    assert "Choose days from" in response.content.decode()


@pytest.mark.parametrize("export", ["organisation", "scope"])
def test_an_export_of_impossible_days_answers_with_the_reason(client, lnd_admin, export):
    scope_upsert(kind="community", object_id=1, name="Data")
    client.force_login(lnd_admin)
    url = (
        reverse("insights:export", args=["summary"])
        if export == "organisation"
        else reverse("insights:scope_export", args=["communities", 1, "summary"])
    )
    response = client.get(url, {"period": "custom", "start": "0001-01-01", "end": "9999-12-31"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "No export: Choose days up to today" in response.content.decode()
