"""The nudge engine: one run evaluates every rule and sends what is due, set-based.

A run costs a fixed number of queries whatever the number of people: one per rule (the
rule's own), one for everyone's time zone, switched-off rules and recent nudge days, one for
the causes already nudged, and one statement that records the nudges and their activity
rows. Delivery (the inbox line and the email) is an outbox message written in the same
transaction, so a nudge is delivered exactly when it was recorded.

Guarantees, in order: a rule the person switched off never nudges them; nothing is sent
outside the rule's local hours (it waits for the next run inside them); the same cause never
nudges a person twice; and at most one nudge a local day goes to a person, the rule of
highest priority first. The last two are unique constraints, so two runs at once cannot
break them either.
"""

import json
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import Truncator

from socialearn.insights.models import Activity
from socialearn.outbox.services import message_add

from . import handlers, registry
from .models import Nudge, NudgePreference

User = get_user_model()

SUBJECT_FIELDS = (
    "community_id",
    "programme_id",
    "session_id",
    "challenge_id",
    "thread_id",
    "object_id",
)


@dataclass(frozen=True)
class Person:
    tz: zoneinfo.ZoneInfo
    switched_off: frozenset[str]
    nudged_days: frozenset


@lru_cache(maxsize=512)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _people(person_ids: list[int], now: datetime) -> dict[int, Person]:
    """Active people among `person_ids`: zone, rules switched off, days already nudged."""
    sql = f"""
        SELECT u.id,
               COALESCE(NULLIF(p.time_zone, ''), NULLIF(l.time_zone, ''), %s),
               ARRAY(SELECT np.rule FROM {NudgePreference._meta.db_table} np
                     WHERE np.person_id = u.id AND NOT np.enabled),
               ARRAY(SELECT n.local_day FROM {Nudge._meta.db_table} n
                     WHERE n.person_id = u.id AND n.local_day >= %s)
        FROM {User._meta.db_table} u
        LEFT JOIN people_profile p ON p.user_id = u.id
        LEFT JOIN people_location l ON l.id = p.location_id
        WHERE u.id = ANY(%s) AND u.is_active
    """  # noqa: S608 - table names are ours; values are parameters
    since = (now - timedelta(days=2)).date()
    with connection.cursor() as cursor:
        cursor.execute(sql, [settings.TIME_ZONE, since, person_ids])
        return {
            row[0]: Person(
                tz=_zone(row[1]), switched_off=frozenset(row[2]), nudged_days=frozenset(row[3])
            )
            for row in cursor.fetchall()
        }


def _already_nudged(pairs: list[tuple[str, int, str]]) -> set[tuple[str, int, str]]:
    """Which (rule, person, cause) were nudged before, in one index-backed query."""
    if not pairs:
        return set()
    rules, people, causes = (list(column) for column in zip(*pairs, strict=True))
    sql = f"""
        SELECT n.rule, n.person_id, n.cause FROM {Nudge._meta.db_table} n
        JOIN unnest(%s::text[], %s::int[], %s::text[]) AS c(rule, person_id, cause)
          ON n.rule = c.rule AND n.person_id = c.person_id AND n.cause = c.cause
    """  # noqa: S608 - the table name is ours; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [rules, people, causes])
        return {tuple(row) for row in cursor.fetchall()}


def _record(chosen: list[tuple[registry.Rule, registry.Candidate, object]], now) -> list[tuple]:
    """Insert the nudges and their `nudged` activity rows in one statement; return the new
    (id, rule) pairs.

    ON CONFLICT DO NOTHING: a nudge a concurrent run already sent (same cause, or the
    person's nudge of the day) is skipped, and so is its activity row.
    """
    columns: dict[str, list] = {
        "person": [],
        "rule": [],
        "cause": [],
        "day": [],
        "title": [],
        "body": [],
        "url": [],
        "kind": [],
        "extra": [],
        **{name: [] for name in SUBJECT_FIELDS},
    }
    for rule, candidate, day in chosen:
        columns["person"].append(candidate.person_id)
        columns["rule"].append(rule.name)
        columns["cause"].append(candidate.cause[:120])
        columns["day"].append(day)
        columns["title"].append(Truncator(candidate.title).chars(255))
        columns["body"].append(candidate.body)
        columns["url"].append(candidate.url[:500])
        columns["kind"].append(rule.kind)
        columns["extra"].append(json.dumps({"rule": rule.name, "follow": list(rule.follow_verbs)}))
        for name in SUBJECT_FIELDS:
            columns[name].append(candidate.subject.get(name))
    nudges, activities = Nudge._meta.db_table, Activity._meta.db_table
    sql = f"""
        WITH c AS (
            SELECT * FROM unnest(
                %s::int[], %s::text[], %s::text[], %s::date[], %s::text[], %s::text[],
                %s::text[], %s::text[], %s::jsonb[],
                %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[], %s::bigint[]
            ) AS c(person_id, rule, cause, local_day, title, body, url, kind, extra,
                   community_id, programme_id, session_id, challenge_id, thread_id, object_id)
        ),
        ins AS (
            INSERT INTO {nudges}
                (person_id, rule, cause, local_day, sent_at, title, body, url, kind)
            SELECT person_id, rule, cause, local_day, %s, title, body, url, kind FROM c
            ON CONFLICT DO NOTHING
            RETURNING id, person_id, rule, cause
        ),
        act AS (
            INSERT INTO {activities}
                (occurred_at, verb, actor_id, community_id, topic_ids, programme_id,
                 session_id, challenge_id, thread_id, object_type, object_id, is_question,
                 extra)
            SELECT %s, 'nudged', c.person_id, c.community_id, '[]'::jsonb, c.programme_id,
                   c.session_id, c.challenge_id, c.thread_id, 'nudge', c.object_id, false,
                   c.extra || jsonb_build_object('nudge', ins.id)
            FROM ins JOIN c USING (person_id, rule, cause)
        )
        SELECT id, rule FROM ins ORDER BY id
    """  # noqa: S608 - table names are ours; values are parameters
    params = [
        columns["person"],
        columns["rule"],
        columns["cause"],
        columns["day"],
        columns["title"],
        columns["body"],
        columns["url"],
        columns["kind"],
        columns["extra"],
        *(columns[name] for name in SUBJECT_FIELDS),
        now,
        now,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], row[1]) for row in cursor.fetchall()]


def nudges_run(*, now: datetime | None = None, rules: Iterable[str] | None = None) -> dict:
    """Evaluate the rules (all, or those named) and send what is due now.

    Returns {"candidates": n, "sent": n, "<rule>": sent by that rule}. Safe to run twice or
    on two beats at once.
    """
    now = now or timezone.now()
    wanted = None if rules is None else set(rules)
    chosen_rules = [rule for rule in registry.rules() if wanted is None or rule.name in wanted]
    found: list[tuple[registry.Rule, registry.Candidate]] = []
    for rule in chosen_rules:  # highest priority first: the order the cap keeps
        found.extend((rule, candidate) for candidate in rule.find(now))
    result: dict = {"candidates": len(found), "sent": 0}
    if not found:
        return result
    with transaction.atomic():
        people = _people(sorted({c.person_id for _, c in found}), now)
        done = _already_nudged([(r.name, c.person_id, c.cause[:120]) for r, c in found])
        chosen: list[tuple[registry.Rule, registry.Candidate, object]] = []
        served: set[int] = set()
        for rule, candidate in found:
            person = people.get(candidate.person_id)
            if person is None or candidate.person_id in served:
                continue
            if rule.name in person.switched_off:
                continue
            if (rule.name, candidate.person_id, candidate.cause[:120]) in done:
                continue
            local = now.astimezone(person.tz)
            if not rule.in_hours(local) or local.date() in person.nudged_days:
                continue
            served.add(candidate.person_id)
            chosen.append((rule, candidate, local.date()))
        sent = _record(chosen, now) if chosen else []
        ids = [nudge_id for nudge_id, _ in sent]
        if ids:
            message_add(kind=handlers.DELIVER, payload={"ids": ids})
    result["sent"] = len(ids)
    for _, rule_name in sent:
        result[rule_name] = result.get(rule_name, 0) + 1
    return result


@transaction.atomic
def nudge_preferences_set(*, person, enabled: dict[str, bool]) -> None:
    """Switch rules on or off for one person (unknown rule names are ignored)."""
    known = {rule.name for rule in registry.rules()}
    for name, on in enabled.items():
        if name not in known:
            continue
        NudgePreference.objects.update_or_create(
            person=person, rule=name, defaults={"enabled": bool(on)}
        )
