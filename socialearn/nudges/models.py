from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Nudge(models.Model):
    """One nudge sent: a person, the rule and the cause it was sent for.

    Two constraints are the engine's guarantees, held by the database whatever runs at
    once: the same cause never nudges the same person twice, and a person gets at most one
    nudge per local day.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges"
    )
    rule = models.CharField(max_length=60)
    cause = models.CharField(max_length=120)
    local_day = models.DateField(help_text=_("The day in the person's time zone it was sent."))
    sent_at = models.DateTimeField()
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500)
    kind = models.CharField(max_length=40)
    # The ids of what the nudge is about (challenge_id, thread_id...), for conversion figures.
    subject = models.JSONField(default=dict, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "person", "cause"], name="unique_nudge_per_cause"
            ),
            models.UniqueConstraint(fields=["person", "local_day"], name="one_nudge_a_day"),
        ]

    def __str__(self) -> str:
        # No person: the admin and logs show this, and a nudge says what someone has not done.
        return f"{self.rule}: {self.title}"


class NudgePreference(models.Model):
    """A person turned a rule off (or back on). No row: the rule is on."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudge_preferences"
    )
    rule = models.CharField(max_length=60)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "rule"], name="unique_nudge_preference"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {'on' if self.enabled else 'off'}"
