"""The nudge engine: one run evaluates every rule and sends what is due, set-based.

A run costs a fixed number of queries whatever the number of people: one per rule (the
rule's own), one for everyone's time zone, switched-off rules and recent nudge days, one for
the causes already nudged, and one statement that records the nudges. Delivery (the inbox
line, the email and the `nudged` activity row conversion figures start from) is an outbox
message written in the same transaction, so a nudge is delivered exactly when it was
recorded, and once.

Guarantees, in order: a rule the person switched off never nudges them; nothing is sent
outside the rule's local hours (it waits for the next run inside them); the same cause never
nudges a person twice; and at most one nudge a local day goes to a person, the rule of
highest priority first. The last two are unique constraints, so two runs at once cannot
break them either.
"""

import json
import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone, translation

from socialearn.insights.models import Activity
from socialearn.notifications.services import NotificationItem, notify_each
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


class Person(NamedTuple):
    """A person as the run sees them: their wall clock now, rules off, days nudged."""

    local: datetime
    switched_off: frozenset[str]
    nudged_days: frozenset
    language: str


NOTHING: frozenset = frozenset()


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
                     WHERE n.person_id = u.id AND n.local_day >= %s),
               COALESCE(NULLIF(p.language, ''), %s)
        FROM {User._meta.db_table} u
        LEFT JOIN people_profile p ON p.user_id = u.id
        LEFT JOIN people_location l ON l.id = p.location_id
        WHERE u.id = ANY(%s::int[]) AND u.is_active
    """  # noqa: S608 - table names are ours; values are parameters
    since = (now - timedelta(days=2)).date()
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [settings.TIME_ZONE, since, settings.LANGUAGE_CODE, _int_array(person_ids)]
        )
        return {
            row[0]: Person(
                local=now.astimezone(_zone(row[1])),
                switched_off=frozenset(row[2]) if row[2] else NOTHING,
                nudged_days=frozenset(row[3]) if row[3] else NOTHING,
                language=row[4],
            )
            for row in cursor.fetchall()
        }


def _int_array(values: Iterable[int]) -> str:
    """A PostgreSQL array literal: tens of thousands of ids bind as one short string, where
    binding a list adapts each element in Python."""
    return "{" + ",".join(str(int(v)) for v in values) + "}"


def _already_nudged(pairs: list[tuple[str, int, str]]) -> set[tuple[str, int, str]]:
    """Which (rule, person, cause) were nudged before, in one index-backed query."""
    if not pairs:
        return set()
    sql = f"""
        SELECT n.rule, n.person_id, n.cause FROM {Nudge._meta.db_table} n
        JOIN jsonb_to_recordset(%s::jsonb) AS c(rule text, person_id int, cause text)
          ON n.rule = c.rule AND n.person_id = c.person_id AND n.cause = c.cause
    """  # noqa: S608 - the table name is ours; values are parameters
    rows = json.dumps([{"rule": r, "person_id": p, "cause": c} for r, p, c in pairs])
    with connection.cursor() as cursor:
        cursor.execute(sql, [rows])
        return {tuple(row) for row in cursor.fetchall()}


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _words(candidate: registry.Candidate, language: str) -> tuple[str, str]:
    """The nudge's title and body in its reader's language (a rule gives them as
    translated_later texts, put into words here)."""
    with translation.override(language):
        return str(candidate.title), str(candidate.body)


def _record(chosen: list[tuple[registry.Rule, registry.Candidate, date, str]], now) -> list:
    """Insert the nudges in one statement; return the new (id, rule) pairs.

    ON CONFLICT DO NOTHING: a nudge a concurrent run already sent (same cause, or the
    person's nudge of the day) is skipped. The rows travel as one JSON document: binding
    tens of thousands of values one by one costs more than the insert itself.
    """
    rows = []
    for rule, candidate, day, language in chosen:
        title, body = _words(candidate, language)
        rows.append(
            {
                "person_id": candidate.person_id,
                "rule": rule.name,
                "cause": candidate.cause[:120],
                "local_day": day.isoformat(),
                "title": _fit(title, 255),
                "body": body,
                "url": candidate.url[:500],
                "kind": rule.kind,
                "subject": candidate.subject or {},
            }
        )
    sql = f"""
        INSERT INTO {Nudge._meta.db_table}
            (person_id, rule, cause, local_day, sent_at, title, body, url, kind, subject)
        SELECT person_id, rule, cause, local_day, %s, title, body, url, kind,
               COALESCE(subject, '{{}}'::jsonb)
        FROM jsonb_to_recordset(%s::jsonb) AS c(
            person_id int, rule text, cause text, local_day date, title text, body text,
            url text, kind text, subject jsonb)
        ON CONFLICT DO NOTHING
        RETURNING id, rule
    """  # noqa: S608 - the table name is ours; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, json.dumps(rows)])
        return sorted((row[0], row[1]) for row in cursor.fetchall())


def nudges_deliver(*, ids: list[int], now: datetime | None = None) -> int:
    """Deliver recorded nudges: an inbox line and an email each, and the `nudged` activity
    row that conversion figures start from. Run by the outbox relay; idempotent (a nudge
    delivered once is stamped and skipped after)."""
    now = now or timezone.now()
    follow = {rule.name: list(rule.follow_verbs) for rule in registry.rules()}
    subject = ", ".join(f"(d.subject->>'{name}')::bigint" for name in SUBJECT_FIELDS)
    sql = f"""
        WITH d AS (
            UPDATE {Nudge._meta.db_table} SET delivered_at = %s
            WHERE id = ANY(%s::int[]) AND delivered_at IS NULL
            RETURNING id, person_id, rule, cause, kind, title, body, url, subject, sent_at
        ),
        act AS (
            INSERT INTO {Activity._meta.db_table}
                (occurred_at, verb, actor_id, topic_ids, object_type, is_question, extra,
                 {", ".join(SUBJECT_FIELDS)})
            SELECT d.sent_at, 'nudged', d.person_id, '[]'::jsonb, 'nudge', false,
                   jsonb_build_object(
                       'rule', d.rule, 'nudge', d.id,
                       'follow', COALESCE(%s::jsonb -> d.rule, '[]'::jsonb)
                   ),
                   {subject}
            FROM d
        )
        SELECT person_id, kind, title, body, url, cause FROM d
    """  # noqa: S608 - table and column names are ours; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, _int_array(ids), json.dumps(follow)])
        delivered = cursor.fetchall()
    notify_each(
        items=(
            NotificationItem(
                recipient_id=person_id,
                kind=kind,
                title=title,
                body=body,
                url=url,
                dedupe_key=cause,
            )
            for person_id, kind, title, body, url, cause in delivered
        ),
        send_email=True,
    )
    return len(delivered)


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
        chosen: list[tuple[registry.Rule, registry.Candidate, date, str]] = []
        served: set[int] = set()
        for rule, candidate in found:
            person = people.get(candidate.person_id)
            if person is None or candidate.person_id in served:
                continue
            if rule.name in person.switched_off:
                continue
            if (rule.name, candidate.person_id, candidate.cause[:120]) in done:
                continue
            local = person.local
            if not rule.in_hours(local) or local.date() in person.nudged_days:
                continue
            served.add(candidate.person_id)
            chosen.append((rule, candidate, local.date(), person.language))
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
