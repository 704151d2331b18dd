"""Stored explanations (a match's reasons, a run's refusals) are shown in the reader's
language: every sentence the engine and the rules write has its template in
mentoring.reasons, so a changed wording there cannot silently stay English."""

import itertools
import re

import pytest

from mentoring import reasons
from mentoring.matching import (
    DIFFERENT,
    LOCK_NO_ROOM,
    LOCK_PROTEGE_TWICE,
    LOCK_REPEATED,
    LOCK_UNKNOWN,
    SAME,
    UNMATCHED_REASONS,
    Names,
    Person,
    excluded_reason,
    score_pair,
)
from mentoring.matching.scores import NO_SHARED_TOPIC
from mentoring.models import Enrolment, ManagesPeople, Programme
from mentoring.services import eligibility_problems

NAMES = Names(
    topics={1: "Leadership", 2: "Coaching"},
    departments={10: "Sales", 11: "Engineering"},
    locations={20: "Paris", 21: "Lyon"},
)


def _shout(text: str) -> str:
    """Capitals outside the placeholders, which a translation keeps as they are."""
    return "".join(
        part if part.startswith("%(") else part.upper() for part in re.split(r"(%\(\w+\)s)", text)
    )


@pytest.fixture
def shouting(monkeypatch):
    """A stand-in catalogue: every translated template and word comes back in capitals."""
    monkeypatch.setattr(reasons, "gettext", _shout)
    monkeypatch.setattr(reasons, "ngettext", lambda one, many, n: _shout(one if n == 1 else many))


def _engine_sentences() -> set[str]:
    found: set[str] = set()
    options = itertools.product(
        [(1,), (1, 2)],  # the mentor's topics
        [1.0, 4.5, None],  # the mentor's years in role
        [SAME, DIFFERENT, "any"],  # the protégé's wish for a location
        [20, 21],  # the mentor's location
        [10, 11],  # the mentor's department
        [True, False],  # the protégé prefers another department
        [True, False],  # both lead a team
    )
    for topics, years, wish, place, department, cross, lead in options:
        mentor = Person(
            key=1,
            user_id=1,
            topic_ids=frozenset(topics),
            years_in_role=years,
            location_id=place,
            department_id=department,
            leads_team=lead,
            location_preference=wish,
        )
        protege = Person(
            key=2,
            user_id=2,
            topic_ids=frozenset((1, 2)),
            years_in_role=2.0,
            location_id=20,
            department_id=10,
            leads_team=lead,
            location_preference=wish,
            prefer_other_department=cross,
        )
        scored = score_pair(mentor, protege, names=NAMES)
        found.update(scored.reasons if scored else ())
        found.update(score_pair(mentor, protege).reasons)  # without names: the fallbacks
    return found


def test_every_sentence_the_engine_writes_has_a_template():
    sentences = _engine_sentences() | set(UNMATCHED_REASONS.values())
    sentences |= {LOCK_NO_ROOM, LOCK_PROTEGE_TWICE, LOCK_REPEATED, LOCK_UNKNOWN, NO_SHARED_TOPIC}
    me = Person(key=1, user_id=1, topic_ids=frozenset((1,)))
    sentences.add(excluded_reason(me, me))
    assert len(sentences) > 15
    assert [s for s in sentences if reasons._one(s) is None] == []


def test_a_stored_reason_is_rendered_from_the_catalogue_with_its_words(shouting):
    assert (
        reasons.reason_text("Both in Paris, as the protégé wished")
        == "BOTH IN Paris, AS THE PROTÉGÉ WISHED"
    )
    assert (
        reasons.reason_text("3 years in role against 0.5 years: experience to pass on")
        == "3 YEARS IN ROLE AGAINST 0.5 YEARS: EXPERIENCE TO PASS ON"
    )
    # A text no template fits (an older wording) is shown as it was stored.
    assert reasons.reason_text("Paired at the offsite") == "Paired at the offsite"


@pytest.mark.django_db
def test_a_coordinators_view_of_someone_no_longer_eligible_translates_sentence_by_sentence(
    shouting,
):
    programme = Programme(
        protege_min_years_in_role=2,
        protege_manages_people=ManagesPeople.MUST,
        protege_min_years_in_company=1,
    )
    problems = eligibility_problems(
        programme=programme, profile=None, role=Enrolment.Role.PROTEGE, third_person=True
    )
    stored = " ".join(problems)  # as a run keeps them
    assert len(problems) == 3
    shown = reasons.reason_text(stored)
    assert shown.startswith("THIS PROGRAMME ASKS HOW LONG PROTÉGÉS HAVE BEEN")
    assert "%(" not in shown
    assert shown.count("THIS PROGRAMME") == 3
    # Inside a refused lock the same sentence has lost its full stop.
    locked = f"Ada is no longer eligible: {problems[1].rstrip('.')}"
    assert reasons.reason_text(locked) == (
        "Ada IS NO LONGER ELIGIBLE: "
        + "THIS PROGRAMME IS FOR PROTÉGÉS WHO LEAD A TEAM; THEIR PROFILE SAYS THEY DO NOT"
    )
