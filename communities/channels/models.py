from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.Model):
    """A Teams or Slack channel a community's new posts are sent to, as cards."""

    class Provider(models.TextChoices):
        TEAMS = "teams", "Microsoft Teams"
        SLACK = "slack", "Slack"

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="channels"
    )
    provider = models.CharField(max_length=8, choices=Provider.choices)
    name = models.CharField(_("channel name"), max_length=80)
    # Fernet token of the webhook URL (communities.channels.crypto); never the URL itself.
    url_encrypted = models.TextField()
    # What may be shown of the URL: its host and last four characters.
    url_hint = models.CharField(max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["community", "name", "id"]
        indexes = [models.Index(fields=["community", "id"], name="channel_community_idx")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} · {self.name}"

    @property
    def failing(self) -> bool:
        """The latest attempt failed (no success since the last error)."""
        return self.last_error_at is not None and (
            self.last_success_at is None or self.last_error_at > self.last_success_at
        )


class ChannelDelivery(models.Model):
    """One item (a post, a step, a session) owed to one channel; unique, so sent once.

    `card` holds what the card shows (title, text, link, label), so the relay never reads the
    feature's tables; `delivered_at` is stamped in the transaction that marks the outbox
    message done.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=120)
    card = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("channel deliveries")
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="unique_channel_delivery"),
        ]
        indexes = [
            models.Index(fields=["channel", "-created_at"], name="channel_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → channel {self.channel_id}"
