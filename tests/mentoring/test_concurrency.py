"""Two protégés ask for a mentor's last slot at the same moment: exactly one gets it."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mentoring import services
from mentoring.models import Match

from .conftest import MENTOR, PROTEGE


@pytest.mark.django_db(transaction=True)
def test_the_last_slot_goes_to_exactly_one_of_two_simultaneous_requests(
    make_programme, enrol, topics
):
    programme = make_programme(matching_mode="self_service")
    mentor = enrol(programme, MENTOR, topics[:1], capacity=2)
    first = enrol(programme, PROTEGE, topics[:1])
    services.match_request(protege=first, mentor=mentor, user=first.user)
    rivals = [enrol(programme, PROTEGE, topics[:1]) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ask(protege):
        try:
            barrier.wait(timeout=10)
            services.match_request(protege=protege, mentor=mentor, user=protege.user)
            outcomes.append("granted")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(p,)) for p in rivals]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes)[-1] == "granted"
    assert outcomes.count("granted") == 1
    assert any("no free slot" in o for o in outcomes)
    assert Match.objects.filter(mentor=mentor, status__in=Match.HOLDING_SLOT).count() == 2
