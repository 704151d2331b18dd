"""The challenge nudge: a participant who has not done today's step, at their local morning."""

from datetime import datetime, time, timedelta
from typing import cast

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities.language import languages_of
from socialearn.nudges.registry import Candidate, Rule, register

from .models import Challenge, Completion, Participant

# A step is "today's" from 12 hours after its release: every participant's local morning
# falls once in the 24 hours that follow, whatever their time zone.
TODAY_FROM = timedelta(hours=12)
TODAY_UNTIL = timedelta(hours=36)


def missed_step(now: datetime):
    step = "challenge__steps"
    rows = (
        Participant.objects.filter(
            left_at__isnull=True,
            user__is_active=True,
            challenge__status=Challenge.Status.PUBLISHED,
            **{
                f"{step}__posted_at__isnull": False,
                f"{step}__release_at__gt": now - TODAY_UNTIL,
                f"{step}__release_at__lte": now - TODAY_FROM,
            },
        )
        .annotate(
            done=Exists(
                Completion.objects.filter(
                    step_id=OuterRef(f"{step}__id"), user_id=OuterRef("user_id")
                )
            ),
            # They did the step before: their streak ends unless they do this one.
            streak=Exists(
                Completion.objects.filter(
                    challenge_id=OuterRef("challenge_id"),
                    user_id=OuterRef("user_id"),
                    step__position=OuterRef(f"{step}__position") - 1,
                )
            ),
        )
        .filter(done=False)
        .values_list(
            "user_id",
            "challenge_id",
            "challenge__title",
            f"{step}__id",
            f"{step}__title",
            f"{step}__estimated_minutes",
            "streak",
        )
    )
    links: dict[int, str] = {}
    found = list(rows)
    languages = languages_of(row[0] for row in found)
    for user_id, challenge_id, challenge, step_id, title, minutes, streak in found:
        if step_id not in links:
            links[step_id] = reverse("challenges:step", args=[challenge_id, step_id])
        with translation.override(languages[user_id]):
            names = {"challenge": challenge, "minutes": minutes}
            if streak:
                body = (
                    gettext(
                        "Your streak breaks unless you do it today. "
                        "%(challenge)s: about %(minutes)s minutes."
                    )
                    % names
                )
            else:
                body = gettext("%(challenge)s: about %(minutes)s minutes.") % names
            heading = gettext("Today's step is waiting: %(step)s") % {"step": title}
        yield Candidate(
            person_id=user_id,
            cause=f"challenges:step:{step_id}",
            title=heading,
            body=body,
            url=links[step_id],
            subject={"challenge_id": challenge_id},
        )


register(
    Rule(
        name="challenges.missed_step",
        label=cast(str, _("A challenge step I have not done yet")),
        description=cast(
            str, _("In my morning, the step of a challenge I take that I have not done.")
        ),
        find=missed_step,
        kind="nudge_challenge_step",
        action=cast(str, _("Do it now")),
        follow_verbs=("step_completed",),
        priority=80,
        starts=time(8, 0),
        ends=time(11, 0),
    )
)
