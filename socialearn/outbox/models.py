from django.db import models
from django.db.models import Q


class Message(models.Model):
    """One thing a committed transaction must still cause: a fan-out, an email, a statement.

    The row is written in the same transaction as its cause, so it exists exactly when the
    cause does. The relay claims due rows with a lease (`locked_by`, `locked_until`): a relay
    that dies leaves its claim to expire and another relay takes the row over. A handler may
    run more than once (a relay can die after the effect and before marking the row done), so
    every handler is idempotent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "waiting"
        FAILED = "failed", "failed, will retry"
        DONE = "done", "done"
        DEAD = "dead", "gave up after too many attempts"

    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    available_at = models.DateTimeField()
    locked_by = models.CharField(max_length=64, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["available_at", "id"],
                name="outbox_message_due",
                condition=Q(status__in=["pending", "failed"]),
            ),
            models.Index(fields=["kind", "status"], name="outbox_message_kind_status"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.FAILED)
