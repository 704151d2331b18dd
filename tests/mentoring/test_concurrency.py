"""Two protégés ask for a mentor's last slot at the same moment: exactly one gets it."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from mentoring import services
from mentoring.models import Enrolment, Match

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


def _blocked_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


@pytest.mark.parametrize("last_to_answer", ["proteges", "mentor"])
@pytest.mark.django_db(transaction=True)
def test_two_acceptances_for_a_mentors_last_free_slot_start_exactly_one_match(
    make_programme, coordinator, enrol, topics, last_to_answer
):
    """Both final yeses arrive together. The first holds its transaction open until the
    second is either queued behind the mentor's lock (as it must be) or has slipped through;
    then both finish. Without the lock both matches would start."""
    programme = make_programme()
    mentor = enrol(programme, MENTOR, topics[:1], capacity=2)
    proteges = [enrol(programme, PROTEGE, topics[:1]) for _ in range(2)]
    services.matching_run_start(programme=programme, user=coordinator)
    assert services.programme_publish(programme=programme, user=coordinator) == 2
    matches = list(Match.objects.filter(mentor=mentor).select_related("mentor", "protege"))
    assert {m.protege_id for m in matches} == {p.pk for p in proteges}
    # After the offers went out the mentor's capacity was lowered (e.g. in the admin):
    # one free slot is left for two matches waiting for their final yes.
    Enrolment.objects.filter(pk=mentor.pk).update(capacity=1)
    first_side = "mentor" if last_to_answer == "proteges" else "protege"
    for match in matches:
        services.match_accept(match=match, user=getattr(match, first_side).user)
    (first, first_user), (second, second_user) = [
        (match, match.protege.user if last_to_answer == "proteges" else match.mentor.user)
        for match in matches
    ]
    first_in, second_done = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def accept_first():
        try:
            with transaction.atomic():
                services.match_accept(match=first, user=first_user)
                first_in.set()
                deadline = time.monotonic() + 10
                while not second_done.is_set() and not _blocked_on_a_lock():
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.01)
            outcomes["first"] = "started"
        except ValidationError as error:
            outcomes["first"] = " ".join(error.messages)
        finally:
            first_in.set()
            connection.close()

    def accept_second():
        try:
            first_in.wait(timeout=10)
            services.match_accept(match=second, user=second_user)
            outcomes["second"] = "started"
        except ValidationError as error:
            outcomes["second"] = " ".join(error.messages)
        finally:
            second_done.set()
            connection.close()

    threads = [threading.Thread(target=accept_first), threading.Thread(target=accept_second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    name = mentor.user.profile.name
    assert outcomes == {
        "first": "started",
        "second": f"{name} has no free slot left (1 of 1 taken), so this match cannot start.",
    }
    assert Match.objects.filter(mentor=mentor, status=Match.Status.ACTIVE).get().pk == first.pk
    waiting = Match.objects.get(pk=second.pk)
    assert waiting.status == Match.Status.OFFERED
    assert waiting.started_at is None
