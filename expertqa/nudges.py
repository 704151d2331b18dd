"""The expert's nudge: a deferred answer falls due in two days."""

from datetime import datetime, timedelta
from typing import cast

from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialearn.nudges.registry import Candidate, Rule, register
from socialearn.recipient_languages import languages_of

from .models import Question, org_today, question_address

# Two days ahead: the reminder still arrives in time when quiet hours or the daily cap hold
# it back a day.
DEFERRAL_REMINDER_LEAD = timedelta(days=2)


def deferral_due(now: datetime):
    rows = (
        Question.objects.filter(
            status=Question.Status.VISIBLE,
            deferred_to__isnull=False,
            answered_at__isnull=True,
            session__cancelled_at__isnull=True,
            deferred_to__lte=org_today(now) + DEFERRAL_REMINDER_LEAD,
        )
        .annotate(expert_id=Coalesce("deferred_by_id", "session__experts__id"))
        .filter(expert_id__isnull=False)
        .values_list("expert_id", "pk", "session_id", "deferred_to", "body", "deferral_note")
        .distinct()
    )
    rows = list(rows)
    languages = languages_of({row[0] for row in rows})
    for expert_id, question_id, session_id, deferred_to, body, note in rows:
        with translation.override(languages[expert_id]):  # written in the expert's language
            title = _("You promised an answer by %(date)s: %(question)s") % {
                "date": date_format(deferred_to, _("j M")),
                "question": body[:80],
            }
        yield Candidate(
            person_id=expert_id,
            cause=f"expertqa:deferral:{question_id}:{deferred_to.isoformat()}",
            title=title,
            body=note,
            url=question_address(session_id, question_id),
            subject={"session_id": session_id},
        )


register(
    Rule(
        name="expertqa.deferral_due",
        label=cast(str, gettext_lazy("A deferred answer I promised falls due")),
        description=cast(
            str, gettext_lazy("Two days before the date I gave when I deferred a session question.")
        ),
        find=deferral_due,
        kind="expertqa_deferral_due",
        action=cast(str, gettext_lazy("Answer now")),
        follow_verbs=("session_answered",),
        priority=90,
    )
)
