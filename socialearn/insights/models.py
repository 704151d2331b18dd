from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialearn.outbox.models import Message


class Activity(models.Model):
    """One thing that happened, written by the feature services as it happens.

    Every figure in insights is computed from these rows (plus people), never by importing
    feature models. The ids are plain integers, not foreign keys, so the core depends on no
    feature and a row costs one cheap INSERT.
    """

    class Verb(models.TextChoices):
        JOINED = "joined", _("joined")
        LEFT = "left", _("left")
        POSTED = "posted", _("started a thread")
        REPLIED = "replied", _("replied")
        REACTED = "reacted", _("reacted")
        ANSWER_ACCEPTED = "answer_accepted", _("had an answer accepted")
        HELP_REQUESTED = "help_requested", _("asked for help")
        WELCOMED = "welcomed", _("welcomed a newcomer")
        VIEWED = "viewed", _("viewed")
        SESSION_QUESTION_ASKED = "session_question_asked", _("asked an expert")
        SESSION_ANSWERED = "session_answered", _("answered in a session")
        SESSION_DEFERRED = "session_deferred", _("deferred a session question")
        MENTOR_ENROLLED = "mentor_enrolled", _("enrolled as mentor")
        PROTEGE_ENROLLED = "protege_enrolled", _("enrolled as protégé")
        MATCH_ACCEPTED = "match_accepted", _("accepted a mentoring match")
        MATCH_COMPLETED = "match_completed", _("completed a mentoring match")
        STEP_COMPLETED = "step_completed", _("completed a challenge step")
        CHALLENGE_JOINED = "challenge_joined", _("joined a challenge")
        FLOW_ITEM_POSTED = "flow_item_posted", _("flow item posted")
        MEETING_LOGGED = "meeting_logged", _("logged a mentoring meeting")
        PROFILE_UPDATED = "profile_updated", _("updated their profile")
        # A nudge sent; extra holds its rule and the verbs that count as following it.
        NUDGED = "nudged", _("was nudged")

    occurred_at = models.DateTimeField(db_index=True)
    verb = models.CharField(max_length=32, choices=Verb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    # What the figures group by.
    community_id = models.BigIntegerField(null=True, blank=True)
    topic_ids = models.JSONField(default=list, blank=True)
    programme_id = models.BigIntegerField(null=True, blank=True)
    session_id = models.BigIntegerField(null=True, blank=True)
    challenge_id = models.BigIntegerField(null=True, blank=True)
    # What the event is about (a thread, a reply, a question, a match...), and who it answers.
    thread_id = models.BigIntegerField(null=True, blank=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The person answered, welcomed or matched with, where there is one."),
    )
    is_question = models.BooleanField(default=False)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["community_id", "occurred_at"], name="activity_community_time"),
            models.Index(fields=["programme_id", "occurred_at"], name="activity_programme_time"),
            models.Index(fields=["session_id", "occurred_at"], name="activity_session_time"),
            models.Index(fields=["challenge_id", "occurred_at"], name="activity_challenge_time"),
            models.Index(fields=["actor", "occurred_at"], name="activity_actor_time"),
            # Figures count one verb over a time range: the columns they read are carried in
            # the index so most of them never touch the table.
            models.Index(
                fields=["verb", "occurred_at"],
                name="activity_verb_time",
                include=[
                    "actor",
                    "target_user",
                    "community_id",
                    "programme_id",
                    "session_id",
                    "challenge_id",
                    "thread_id",
                    "object_id",
                    "is_question",
                ],
            ),
            models.Index(fields=["thread_id"], name="activity_thread"),
            # Who was active when, per person and per community, read from the index alone
            # (the health index counts a year of people).
            models.Index(
                fields=["actor", "occurred_at"],
                name="activity_active_actor",
                condition=~models.Q(verb__in=["viewed", "joined", "left"]),
            ),
            models.Index(
                fields=["community_id", "actor", "occurred_at"],
                name="activity_active_community",
                condition=~models.Q(verb__in=["viewed", "joined", "left"])
                & models.Q(community_id__isnull=False),
            ),
            # Who is a member of which community at a date: each person's latest join or
            # leave per community, in the order DISTINCT ON reads it, so the figures walk
            # the index instead of sorting every membership event.
            models.Index(
                fields=["community_id", "actor", "-occurred_at", "-id"],
                name="activity_membership_latest",
                include=["verb"],
                condition=models.Q(verb__in=["joined", "left"])
                & models.Q(community_id__isnull=False),
            ),
            # Everyone who did anything in a period (personas), read from the index alone.
            models.Index(
                fields=["occurred_at"],
                name="activity_time_actor",
                include=["actor", "verb", "target_user", "is_question"],
                condition=models.Q(actor__isnull=False),
            ),
            # First answers: a question's answers, straight from the index.
            models.Index(
                fields=["thread_id", "occurred_at"],
                name="activity_thread_answers",
                include=["actor"],
                condition=models.Q(verb="replied", is_question=True),
            ),
            models.Index(
                fields=["session_id", "object_id", "occurred_at"],
                name="activity_session_answers",
                condition=models.Q(verb="session_answered"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} at {self.occurred_at:%Y-%m-%d %H:%M}"


class Scope(models.Model):
    """A thing figures are reported for (a community, programme, session, challenge), named.

    Features upsert their scopes through services.scope_upsert when they create or rename
    one, so insights can show names and links without importing feature models.
    """

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Community")
        PROGRAMME = "programme", _("Mentoring programme")
        SESSION = "session", _("Expert session")
        CHALLENGE = "challenge", _("Challenge")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.BigIntegerField()
    name = models.CharField(max_length=200)
    url = models.CharField(max_length=500, blank=True)
    is_private = models.BooleanField(default=False)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="unique_insights_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class XapiStatementManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=XAPI_STATEMENT)


XAPI_STATEMENT = "insights.xapi_statement"


class XapiStatement(Message):
    """An xAPI statement in the outbox, waiting for (or accepted by) the learning record store.

    The statement and its id are fixed when the message is written, so a retry sends the very
    same statement and the LRS can recognise it; a message once done is never sent again.
    """

    objects = XapiStatementManager()

    class Meta:
        proxy = True
        verbose_name = "xAPI statement"
        verbose_name_plural = "xAPI outbox"

    @property
    def statement(self) -> dict:
        return self.payload.get("statement", {})

    @property
    def statement_id(self) -> str:
        return self.payload.get("statement_id", "")

    @property
    def activity_id(self) -> int | None:
        return self.payload.get("activity_id")
