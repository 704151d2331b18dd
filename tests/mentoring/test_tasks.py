"""Big programmes are matched in a real Celery worker; the page polls until it is done."""

import time

import pytest
from django.urls import reverse

from mentoring import services
from mentoring.models import Match, MatchingRun

from .conftest import MENTOR, PROTEGE


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_big_programme_is_matched_by_the_worker(
    celery_worker_process, make_programme, coordinator, enrol, topics, monkeypatch, client
):
    monkeypatch.setattr(services, "INLINE_MATCHING_MAX", 3)
    programme = make_programme()
    for _ in range(2):
        enrol(programme, MENTOR, topics[:1], capacity=1)
        enrol(programme, PROTEGE, topics[:1])
    run = services.matching_run_start(programme=programme, user=coordinator)
    assert run.status == MatchingRun.Status.RUNNING
    client.force_login(coordinator)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status != MatchingRun.Status.RUNNING:
            break
        time.sleep(0.2)
    assert run.status == MatchingRun.Status.DONE
    assert Match.objects.filter(programme=programme, status="proposed").count() == 2
    poll = client.get(
        reverse("mentoring:coordinate", args=[programme.pk]) + "?part=run", HTTP_HX_REQUEST="true"
    )
    assert poll["HX-Refresh"] == "true"
