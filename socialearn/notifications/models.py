from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socialearn.people.models import Topic, person_name


class TopicFollow(models.Model):
    """A person expressed an interest in a topic.

    At the "every" level they are told at once of each new question, tip, help request and
    session on it; at "digest" level the topic only feeds their email digest. Not following
    at all is having no row ("off")."""

    class Level(models.TextChoices):
        EVERY = "every", _("Every new question, tip and session")
        DIGEST = "digest", _("Only in my email digest")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topic_follows"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows")
    # Also the database's default: bulk loads (seed_demo's COPY, imports) leave it out.
    level = models.CharField(
        max_length=8, choices=Level.choices, default=Level.EVERY, db_default=Level.EVERY
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="unique_topic_follow"),
        ]
        indexes = [models.Index(fields=["topic", "user"])]

    def __str__(self) -> str:
        return f"{person_name(self.user)} follows {self.topic}"


class PersonFollow(models.Model):
    """A person follows another's posts: each new thread they start (never an anonymous
    one) reaches the follower through the fan-out, where the follower may read it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person_follows"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "person"], name="unique_person_follow"),
            models.CheckConstraint(
                condition=~Q(user=models.F("person")), name="person_follow_not_self"
            ),
        ]
        indexes = [models.Index(fields=["person", "user"])]

    def __str__(self) -> str:
        return f"{person_name(self.user)} follows {person_name(self.person)}"


class Notification(models.Model):
    """One line in a person's inbox.

    The text is rendered when the notification is made (actor names already anonymised where
    needed), so the inbox never joins back to feature tables.
    `dedupe_key` makes fan-out idempotent: a retried fan-out inserts nothing twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True, default="")
    send_email = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="unique_notification_per_recipient_and_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        # No recipient: the admin shows this in breadcrumbs and deletion summaries, and a
        # recipient can be the author of an anonymous post.
        return f"{self.kind}: {self.title}"


class EmailOptOut(models.Model):
    """A person asked for no more emails of one kind (one click, from the email itself).

    The inbox line still appears; only the email is left out. The digest is not a kind here:
    unsubscribing from it turns the digest off on the profile, where the person can see it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs"
    )
    kind = models.CharField(max_length=40)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_email_opt_out"),
        ]

    def __str__(self) -> str:
        return f"no {self.kind} emails"
