"""Do nudges work? Per rule: nudges sent, and the share followed by the asked action.

Computed from the activity record alone: a nudge is a `nudged` row whose extra holds its
rule and the verbs that count as following it, and whose id columns say what it was about
(a challenge, a thread, a programme...). It was followed when the same person did one of
those verbs on the same thing within 48 hours. One query for the whole period.
"""

from datetime import date, datetime, timedelta

from django.db import connection
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from socialearn.nudges import registry

from .charts import bar_chart, line_chart
from .figures import Period
from .models import Activity

FOLLOW_WINDOW = timedelta(hours=48)
SUBJECT_COLUMNS = (
    "community_id",
    "programme_id",
    "session_id",
    "challenge_id",
    "thread_id",
    "object_id",
)


def _sql() -> str:
    table = Activity._meta.db_table
    same_subject = "\n".join(f"AND (n.{c} IS NULL OR a.{c} = n.{c})" for c in SUBJECT_COLUMNS)
    return f"""
        SELECT n.extra->>'rule' AS rule,
               date_trunc('week', n.occurred_at AT TIME ZONE %(tz)s)::date AS week,
               count(*) AS sent,
               count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM {table} a
                   WHERE a.actor_id = n.actor_id
                     AND a.occurred_at > n.occurred_at
                     AND a.occurred_at <= n.occurred_at + %(window)s::interval
                     AND a.verb IN (SELECT jsonb_array_elements_text(n.extra->'follow'))
                     {same_subject}
               )) AS followed
        FROM {table} n
        WHERE n.verb = 'nudged' AND n.occurred_at >= %(start)s AND n.occurred_at < %(end)s
        GROUP BY 1, 2
        ORDER BY 1, 2
    """  # noqa: S608 - the table and column names are ours; values are parameters


def conversion_rows(period: Period) -> list[dict]:
    """One row per rule and week: {"rule", "week", "sent", "followed"}."""
    params: dict[str, str | datetime] = {
        "tz": period.tz,
        "window": f"{int(FOLLOW_WINDOW.total_seconds())} seconds",
        "start": period.start,
        "end": period.end,
    }
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        return [
            {"rule": rule, "week": week, "sent": sent, "followed": followed}
            for rule, week, sent, followed in cursor.fetchall()
        ]


def _weeks(period: Period) -> list[date]:
    first = period.start.date() - timedelta(days=period.start.weekday())
    last = (period.end - timedelta(microseconds=1)).date()
    weeks = []
    while first <= last:
        weeks.append(first)
        first += timedelta(days=7)
    return weeks


def conversion(period: Period) -> dict:
    """The nudges page: per rule totals, a weekly chart and a share-followed chart."""
    rows = conversion_rows(period)
    labels = registry.labels()
    per_rule: dict[str, dict] = {}
    for row in rows:
        total = per_rule.setdefault(
            row["rule"],
            {
                "rule": row["rule"],
                "label": str(labels.get(row["rule"], row["rule"])),
                "sent": 0,
                "followed": 0,
            },
        )
        total["sent"] += row["sent"]
        total["followed"] += row["followed"]
    for name, label in labels.items():
        per_rule.setdefault(name, {"rule": name, "label": str(label), "sent": 0, "followed": 0})
    rules = sorted(per_rule.values(), key=lambda r: (-r["sent"], r["label"]))
    for rule in rules:
        rule["share"] = round(100 * rule["followed"] / rule["sent"]) if rule["sent"] else None
    weeks = _weeks(period)
    sent = {week: 0 for week in weeks}
    followed = {week: 0 for week in weeks}
    for row in rows:
        if row["week"] in sent:
            sent[row["week"]] += row["sent"]
            followed[row["week"]] += row["followed"]
    return {
        "rules": rules,
        "total_sent": sum(r["sent"] for r in rules),
        "total_followed": sum(r["followed"] for r in rules),
        "weekly_chart": line_chart(
            title=_("Nudges sent and followed within 48 hours, per week"),
            labels=[date_format(week, "MONTH_DAY_FORMAT") for week in weeks],
            series=[
                (_("Sent"), [sent[w] for w in weeks]),
                (_("Followed"), [followed[w] for w in weeks]),
            ],
            slug="nudges-weekly",
        ),
        "share_chart": bar_chart(
            title=_("Share followed within 48 hours (%)"),
            items=[(r["label"], r["share"]) for r in rules if r["share"] is not None],
            slug="nudges-share",
            unit="%",
            label_width=250,
        ),
    }
