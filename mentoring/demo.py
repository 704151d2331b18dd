"""Demo data: two programmes with enrolments and matches, made from the people already there."""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from socialearn.insights.models import Activity
from socialearn.people.models import Profile, Topic

from . import services
from .models import COORDINATOR_GROUP, Enrolment, Match, MatchingRun, Programme

User = get_user_model()

BATCH_NAME = "New managers' circle"
SELF_SERVICE_NAME = "Skills exchange"
# Each programme's topics, as the people seed names them (made when missing).
BATCH_TOPICS = ["Leadership", "Giving feedback", "Coaching", "Conflict resolution"]
SELF_SERVICE_TOPICS = [
    "Public speaking",
    "Excel modelling",
    "Python",
    "Data analysis",
    "Writing for the web",
]
# From this many people on, enrolment has a long tail: the new managers' circle takes a third
# of the people managers newest in their role as protégés and the third longest in it as
# mentors, and about one person in twelve joins the skills exchange; everyone else stays out.
LONG_TAIL_FROM = 40


def _topics(names: list[str]) -> list[Topic]:
    found = {t.name: t for t in Topic.objects.filter(name__in=names)}
    return [found.get(name) or Topic.objects.get_or_create(name=name)[0] for name in names]


def _split(pool: list[Profile]) -> tuple[list, list, list, list]:
    """(batch mentors, batch protégés, exchange mentors, exchange protégés)."""
    managers = sorted(
        (p for p in pool if p.is_people_manager),
        key=lambda p: (p.started_role_on or dt.date.min, p.pk),
    )
    if len(pool) < LONG_TAIL_FROM or len(managers) < 6:
        n_mentors = max(2, len(pool) // 4)
        mentors, proteges = pool[:n_mentors], pool[n_mentors:]
        cut = len(proteges) * 2 // 3
        return mentors, proteges[:cut], mentors[: len(mentors) // 2], proteges[cut:]
    third = len(managers) // 3
    others = [p for p in pool if not p.is_people_manager]
    exchange = others[: max(4, len(pool) // 12)]
    n_mentors = max(1, len(exchange) // 3)
    return managers[:third], managers[-third:], exchange[:n_mentors], exchange[n_mentors:]


def _enrol_many(programme: Programme, profiles: list[Profile], role: str, topics, rng) -> None:
    rows = []
    for profile in profiles:
        rows.append(
            Enrolment(
                programme=programme,
                user_id=profile.user_id,
                role=role,
                capacity=rng.randint(1, 3) if role == Enrolment.Role.MENTOR else 1,
                location_preference=rng.choice(["any", "any", "same", "different"]),
                prefer_other_department=rng.random() < 0.3,
                goals=(
                    "Pass on what I learnt the hard way."
                    if role == Enrolment.Role.MENTOR
                    else "Learn from someone who has been there."
                ),
            )
        )
    created = Enrolment.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Enrolment.objects.filter(
            programme=programme, role=role, user_id__in=[p.user_id for p in profiles]
        )
    )
    through = Enrolment.topics.through
    links, activities = [], []
    verb = "mentor_enrolled" if role == Enrolment.Role.MENTOR else "protege_enrolled"
    for enrolment in created:
        chosen = rng.sample(topics, k=min(len(topics), rng.randint(1, 2)))
        links += [through(enrolment_id=enrolment.pk, topic_id=t.pk) for t in chosen]
        activities.append(
            Activity(
                verb=verb,
                actor_id=enrolment.user_id,
                occurred_at=enrolment.created_at,
                programme_id=programme.pk,
                topic_ids=sorted(t.pk for t in chosen),
                object_type="enrolment",
                object_id=enrolment.pk,
            )
        )
    through.objects.bulk_create(links, ignore_conflicts=True)
    Activity.objects.bulk_create(activities)


def seed_demo(*, scale: int, stdout) -> None:
    """Idempotent: programmes that already exist are left as they are."""
    if Programme.objects.filter(name__in=[BATCH_NAME, SELF_SERVICE_NAME]).exists():
        stdout.write("mentoring: demo programmes already there")
        return
    # A demo programme of a few hundred people, whatever the size of the organisation: the
    # large-scale matching figures come from tests/perf/bench_mentoring.py, not from here.
    profiles = list(
        Profile.objects.select_related("user").order_by("id")[: max(6, min(scale, 400))]
    )
    if len(profiles) < 6:
        stdout.write("mentoring: too few people to seed programmes")
        return
    rng = random.Random(5)  # noqa: S311 - demo data
    # The demo's coordinator account runs the demo programmes (coordinating is per programme).
    coordinator = (
        User.objects.filter(groups__name=COORDINATOR_GROUP).order_by("id").first()
        or profiles[0].user
    )
    group, _ = Group.objects.get_or_create(name=COORDINATOR_GROUP)
    coordinator.groups.add(group)
    today = timezone.localdate()
    batch_topics, exchange_topics = _topics(BATCH_TOPICS), _topics(SELF_SERVICE_TOPICS)
    with transaction.atomic():
        batch = services.programme_create(
            created_by=coordinator,
            topics=batch_topics,
            name=BATCH_NAME,
            goals="Help people who have led a team for under a year find their feet, "
            "with a mentor who has done it for a few years.",
            commitment="An hour every two weeks",
            commitment_weeks=12,
            rhythm="every two weeks",
            enrolment_opens_on=today - dt.timedelta(days=14),
            enrolment_closes_on=today + dt.timedelta(days=30),
            default_mentor_capacity=2,
            minimum_score=20,
        )
        selfserve = services.programme_create(
            created_by=coordinator,
            topics=exchange_topics,
            name=SELF_SERVICE_NAME,
            goals="Pick a colleague to learn a skill from, across departments.",
            commitment="Thirty minutes a week",
            commitment_weeks=8,
            enrolment_opens_on=today - dt.timedelta(days=7),
            enrolment_closes_on=today + dt.timedelta(days=60),
            matching_mode=Programme.MatchingMode.SELF_SERVICE,
            offline_unrecorded=True,
        )
        pool = [p for p in profiles if p.user_id != coordinator.pk]
        rng.shuffle(pool)
        batch_mentors, batch_proteges, exchange_mentors, exchange_proteges = _split(pool)
        _enrol_many(batch, batch_mentors, Enrolment.Role.MENTOR, batch_topics, rng)
        _enrol_many(batch, batch_proteges, Enrolment.Role.PROTEGE, batch_topics, rng)
        _enrol_many(selfserve, exchange_mentors, Enrolment.Role.MENTOR, exchange_topics, rng)
        _enrol_many(selfserve, exchange_proteges, Enrolment.Role.PROTEGE, exchange_topics, rng)
    run = MatchingRun.objects.create(programme=batch, started_by=coordinator)
    services.matching_run_execute(run_id=run.pk)
    services.programme_publish(programme=batch, user=coordinator)
    offered = list(
        Match.objects.filter(programme=batch, status=Match.Status.OFFERED).select_related(
            "mentor__user", "protege__user"
        )
    )
    accepted = 0
    for match in offered[: len(offered) // 2]:
        services.match_accept(match=match, user=match.protege.user)
        services.match_accept(match=match, user=match.mentor.user)
        accepted += 1
    stdout.write(
        f"mentoring: 2 programmes, {Enrolment.objects.count()} enrolments, "
        f"{len(offered)} matches published, {accepted} accepted"
    )
