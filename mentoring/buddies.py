"""Onboarding buddies: a newcomer is offered an experienced volunteer from their location or
department, chosen by the same engine as mentoring matches.

A programme with `onboarding_buddies` on is a buddy scheme: volunteers enrol in it as mentors
(their capacity is how many newcomers they take at once); newcomers, the people whose start
date falls in the onboarding window (the one that invites them to onboarding communities),
are enrolled as protégés by the clock and offered the best buddy at once, with no
coordinator in between. Both accept or decline as for any offered match.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from socialearn.insights.services import activity_record
from socialearn.notifications.services import notify
from socialearn.recipient_languages import each_language

from . import matching, selectors
from .models import Enrolment, Match, Programme
from .services import scoreboard_changed

User = get_user_model()


def _newcomers(programme: Programme, today):
    enrolled = Enrolment.objects.filter(programme=programme, user=OuterRef("pk"))
    return (
        User.objects.filter(
            is_active=True,
            profile__started_company_on__gte=today
            - timedelta(days=settings.ONBOARDING_NEWCOMER_DAYS),
            profile__started_company_on__lte=today,
        )
        .exclude(Exists(enrolled))
        .values_list("pk", flat=True)
    )


def _enrol_newcomers(programme: Programme, today) -> int:
    topic_ids = list(programme.topics.values_list("pk", flat=True))
    newcomers = list(_newcomers(programme, today))
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                programme=programme,
                user_id=user_id,
                role=Enrolment.Role.PROTEGE,
                capacity=1,
                location_preference=Enrolment.LocationPreference.SAME,
            )
            for user_id in newcomers
        ],
        ignore_conflicts=True,
    )
    created = list(
        Enrolment.objects.filter(
            programme=programme, user_id__in=newcomers, role=Enrolment.Role.PROTEGE
        ).select_related("user")
    )
    through = Enrolment.topics.through
    through.objects.bulk_create(
        [through(enrolment_id=e.pk, topic_id=t) for e in created for t in topic_ids],
        ignore_conflicts=True,
    )
    if created:
        scoreboard_changed()
    for enrolment in created:
        activity_record(
            verb="protege_enrolled",
            actor=enrolment.user,
            programme_id=programme.pk,
            topic_ids=topic_ids,
            object_type="enrolment",
            object_id=enrolment.pk,
        )
    return len(created)


def _too_far(mentors, proteges) -> set[tuple[int, int]]:
    """Pairs with neither the location nor the department in common: never buddies."""
    apart = set()
    for m in mentors:
        for p in proteges:
            same_place = m.location_id is not None and m.location_id == p.location_id
            same_team = m.department_id is not None and m.department_id == p.department_id
            if not (same_place or same_team):
                apart.add((m.user_id, p.user_id))
    return apart


@transaction.atomic
def buddies_offer_in(programme: Programme, *, now=None) -> int:
    """Enrol this programme's newcomers and offer each waiting one the best free buddy."""
    now = now or timezone.now()
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _enrol_newcomers(programme, timezone.localdate(now))
    mentors, proteges, _locked, topics = selectors.matching_pool(programme)
    mentors = [m for m in mentors if m.free > 0]  # type: ignore[attr-defined]
    waiting_offer = Match.objects.filter(protege=OuterRef("pk"), status__in=Match.LIVE)
    waiting = {
        e.pk
        for e in Enrolment.objects.filter(pk__in=[p.pk for p in proteges]).exclude(
            Exists(waiting_offer)
        )
    }
    proteges = [p for p in proteges if p.pk in waiting]
    if not mentors or not proteges:
        return 0
    m_people = selectors.engine_people(mentors, topics)
    p_people = selectors.engine_people(proteges, topics)
    excluded = selectors.excluded_pairs(programme) | _too_far(m_people, p_people)
    result = matching.assign(
        m_people, p_people, min_score=programme.minimum_score, excluded=excluded
    )
    names = selectors.engine_names()
    m_by_key = {p.key: p for p in m_people}
    p_by_key = {p.key: p for p in p_people}
    matches = []
    for m_key, p_key, score in result.pairs:
        scored = matching.score_pair(
            m_by_key[m_key], p_by_key[p_key], excluded=excluded, names=names
        )
        matches.append(
            Match(
                programme=programme,
                mentor_id=m_key,
                protege_id=p_key,
                status=Match.Status.OFFERED,
                score=score,
                reasons=list(scored.reasons) if scored else [],
                offered_at=now,
            )
        )
    Match.objects.bulk_create(matches)
    if matches:
        scoreboard_changed()
        by_key = {e.pk: e for e in (*mentors, *proteges)}
        url = reverse("mentoring:mine")
        for ids in each_language(by_key[m.mentor_id].user_id for m in matches):
            notify(
                recipients=ids,
                kind="mentoring_match",
                title=_("A newcomer would like you as their buddy in %(programme)s")
                % {"programme": programme.name},
                body=_("See who they are and why you were matched, then accept or decline."),
                url=url,
                send_email=True,
            )
        for ids in each_language(by_key[m.protege_id].user_id for m in matches):
            notify(
                recipients=ids,
                kind="mentoring_match",
                title=_("Welcome! Meet your onboarding buddy in %(programme)s")
                % {"programme": programme.name},
                body=_("Someone near you volunteered to help you find your feet. Accept to start."),
                url=url,
                send_email=True,
            )
    return len(matches)


def buddies_offer(*, now=None) -> int:
    """Every open buddy scheme, each in its own transaction."""
    today = timezone.localdate(now or timezone.now())
    offered = 0
    for programme in Programme.objects.filter(
        onboarding_buddies=True, enrolment_opens_on__lte=today, enrolment_closes_on__gte=today
    ):
        offered += buddies_offer_in(programme, now=now)
    return offered
