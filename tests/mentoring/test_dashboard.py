"""The home dashboard's mentoring section: an offer to answer first, a pointer otherwise."""

import pytest
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from mentoring import services
from mentoring.models import Match
from mentoring.selectors import match_counts
from tests.factories import UserFactory

from .conftest import MENTOR, PROTEGE

pytestmark = pytest.mark.django_db


def test_an_offer_waiting_for_an_answer_comes_first(client, programme, coordinator, enrol, topics):
    enrol(programme, MENTOR, topics[:1])
    protege = enrol(programme, PROTEGE, topics[:1])
    services.matching_run_start(programme=programme, user=coordinator)
    services.programme_publish(programme=programme, user=coordinator)
    client.force_login(protege.user)

    page = client.get(reverse("home")).content.decode()

    assert page.index("waiting for your answer") < page.index("Your communities")


def test_someone_without_a_match_gets_a_pointer_to_the_programmes(client):
    client.force_login(UserFactory())

    page = client.get(reverse("home")).content.decode()

    assert "No mentoring match yet" in page
    assert reverse("mentoring:home") in page


def test_the_sections_counts_are_the_aggregate_they_stand_for(
    programme, coordinator, enrol, topics
):
    """match_counts is written out in SQL: it counts what this aggregate counts."""
    mentors = [enrol(programme, MENTOR, topics[:1]) for _ in range(3)]
    proteges = [enrol(programme, PROTEGE, topics[:1]) for _ in range(3)]
    services.matching_run_start(programme=programme, user=coordinator)
    services.programme_publish(programme=programme, user=coordinator)
    matches = list(Match.objects.order_by("pk"))
    assert len(matches) == 3
    now = timezone.now()
    Match.objects.filter(pk=matches[0].pk).update(mentor_accepted_at=now)
    Match.objects.filter(pk=matches[1].pk).update(status=Match.Status.ACTIVE)
    Match.objects.filter(pk=matches[2].pk).update(protege_accepted_at=now)

    for person in [e.user for e in mentors + proteges] + [coordinator, UserFactory()]:
        mine = Match.objects.filter(Q(mentor__user=person) | Q(protege__user=person))
        expected = mine.aggregate(
            waiting=Count(
                "id",
                filter=Q(status=Match.Status.OFFERED)
                & (
                    Q(mentor__user=person, mentor_accepted_at__isnull=True)
                    | Q(protege__user=person, protege_accepted_at__isnull=True)
                ),
            ),
            active=Count("id", filter=Q(status=Match.Status.ACTIVE)),
        )
        assert match_counts(person) == expected
    counted = [match_counts(e.user) for e in mentors + proteges]
    assert sum(c["waiting"] for c in counted) == 2
    assert sum(c["active"] for c in counted) == 2
