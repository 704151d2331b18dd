"""The people nudge: a newcomer whose profile is still incomplete after three days.

The people app is core, yet it registers its rule like any feature would, in its own
nudges.py, so the engine holds no knowledge of any rule.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy

from socialearn.nudges.registry import Candidate, Rule, register

from .models import Profile

User = get_user_model()
AFTER = timedelta(days=3)
# Lazy: the engine puts them into words in each reader's language.
FINISH_TITLE = gettext_lazy("Finish your profile so colleagues can find you")
FINISH_BODY = gettext_lazy(
    "Your job title, a few lines about you and the topics you know or want to learn are how "
    "people, experts and mentors find you."
)


def incomplete_profile(now: datetime):
    complete = (
        Profile.objects.filter(user_id=OuterRef("pk"))
        .exclude(Q(display_name="") | Q(job_title="") | Q(bio=""))
        .filter(Q(expertise__isnull=False) | Q(interests__isnull=False))
    )
    rows = (
        User.objects.filter(
            is_active=True,
            date_joined__lte=now - AFTER,
            date_joined__gt=now - timedelta(days=settings.ONBOARDING_NEWCOMER_DAYS),
        )
        .filter(~Exists(complete))
        .values_list("pk", flat=True)
    )
    url = reverse("people:profile_edit")
    for person_id in rows:
        yield Candidate(
            person_id=person_id,
            cause="people:profile",
            title=FINISH_TITLE,
            body=FINISH_BODY,
            url=url,
        )


register(
    Rule(
        name="people.incomplete_profile",
        label=gettext_lazy("My profile is incomplete (newcomers)"),
        description=gettext_lazy(
            "Three days after joining, if my profile still misses its essentials."
        ),
        find=incomplete_profile,
        kind="nudge_incomplete_profile",
        action=gettext_lazy("Finish my profile"),
        follow_verbs=("profile_updated",),
        priority=30,
    )
)
