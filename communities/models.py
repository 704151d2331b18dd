from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from socialearn import limits
from socialearn.limits import bounded_text
from socialearn.people.models import Department, Location, Topic, person_name


class Community(models.Model):
    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Community of practice")
        ONBOARDING = "onboarding", _("Onboarding community")
        TEAM = "team", _("Team space")
        COHORT = "cohort", _("Course cohort")
        NETWORK = "network", _("Learning network")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: anyone in the organisation can read and join")
        PRIVATE = "private", _("Private: members only, by invitation or approved request")

    class Anonymity(models.TextChoices):
        OFF = "off", _("Off")
        ON = "on", _("On")
        REVIEW = "review", _("On, reviewed by a manager before it appears")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for approval")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PRACTICE)
    purpose = bounded_text(
        limits.PURPOSE, help_text=_("What the community is for, in a sentence or two.")
    )
    rules = bounded_text(limits.SHORT_DESCRIPTION, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="communities")
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    anonymity = models.CharField(max_length=16, choices=Anonymity.choices, default=Anonymity.OFF)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Onboarding communities serve the newcomers of one location or department.
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="communities"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="communities"
    )
    # Empty when the system made the community (an onboarding community, a cohort group).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="communities"
    )
    # Active memberships, kept by the membership services in the same transaction (and
    # recounted nightly): counting 100,000 memberships on every page view was the page's
    # slowest query.
    member_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    # The words the one search finds a community by (its name and purpose), kept by the
    # database: making them on the fly for every community a search reads cost a common word
    # 4-12 ms at 200 communities.
    search_vector = models.GeneratedField(
        expression=SearchVector(
            limits.search_prefix("name"), limits.search_prefix("purpose"), config="english"
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        verbose_name_plural = _("communities")
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["name"], opclasses=["gin_trgm_ops"], name="community_name_trgm"),
            GinIndex(fields=["search_vector"], name="community_search_gin"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("communities:detail", args=[self.slug])

    @property
    def is_private(self) -> bool:
        return self.visibility == self.Visibility.PRIVATE


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Member")
        INVITED = "invited", _("Invited")
        REQUESTED = "requested", _("Asked to join")
        # Kept, not deleted, so nobody is invited again by the clock (onboarding).
        DECLINED = "declined", _("Declined")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="unique_membership"),
        ]
        indexes = [
            models.Index(fields=["community", "status"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{person_name(self.user)} in {self.community} ({self.role}, {self.status})"


class Thread(models.Model):
    class Kind(models.TextChoices):
        DISCUSSION = "discussion", _("Discussion")
        QUESTION = "question", _("Question")
        HELP = "help", _("Help request")
        TIP = "tip", _("How-to tip")
        RESOURCE = "resource", _("Resource")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HELD = "held", _("Held for review (word list)")
        PENDING = "pending", _("Waiting for a manager (anonymous)")
        HIDDEN = "hidden", _("Hidden by a manager")

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="threads")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(max_length=200)
    body = bounded_text(limits.POST_BODY, blank=True)
    body_html = models.TextField(blank=True, editable=False)
    url = models.URLField(blank=True, max_length=500, help_text=_("For resources: the link."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="threads"
    )
    is_anonymous = models.BooleanField(default=False)
    topics = models.ManyToManyField(Topic, blank=True, related_name="threads")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    is_locked = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    accepted_reply = models.OneToOneField(
        "Reply", null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_for"
    )
    # Set when the thread was posted by the clock (a challenge step or a flow item).
    is_system = models.BooleanField(default=False)
    posted_late = models.BooleanField(default=False)
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(db_index=True)
    reply_count = models.PositiveIntegerField(default=0)
    reaction_count = models.PositiveIntegerField(default=0)
    search_vector = SearchVectorField(null=True, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    hold_reason = models.CharField(max_length=200, blank=True, editable=False)
    # Help requests: how far the broadcast reached ("sent to 143 people in 9 departments").
    help_reached = models.PositiveIntegerField(default=0, editable=False)
    help_departments = models.PositiveIntegerField(default=0, editable=False)
    help_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-is_pinned", "-last_activity_at"]
        indexes = [
            models.Index(
                fields=["community", "created_at"],
                condition=~models.Q(status="published"),
                name="thread_moderation_queue",
            ),
            GinIndex(fields=["search_vector"], name="thread_search_gin"),
            # The search's tips: the most recently active tips whose words match, walked among
            # tips only (one thread in six) rather than through every thread by activity.
            # One column: PostgreSQL trusts a multi-column index's order on disk less (three
            # quarters of the column's correlation), and where threads lie in the order of
            # their activity, as on a site, it walked every thread by activity instead.
            models.Index(
                F("last_activity_at").desc(),
                condition=Q(kind="tip", status="published"),
                name="thread_tips_recent",
            ),
            # The one search and "similar questions" find titles with a typo or a prefix.
            GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="thread_title_trgm"),
            models.Index(fields=["community", "status", "-last_activity_at"]),
            # A community's page in each of its orders (selectors.SORTS): a page of threads is
            # a walk of one index, not a sort of every thread of the community.
            models.Index(
                "community",
                F("is_pinned").desc(),
                F("last_activity_at").desc(),
                F("id").desc(),
                name="thread_community_latest",
            ),
            models.Index(
                "community",
                F("is_pinned").desc(),
                (F("reaction_count") + F("reply_count")).desc(),
                F("last_activity_at").desc(),
                F("id").desc(),
                name="thread_community_top",
            ),
            models.Index(
                "community",
                F("is_pinned").desc(),
                "reply_count",
                F("created_at").desc(),
                F("id").desc(),
                condition=Q(kind__in=["question", "help"], accepted_reply__isnull=True),
                name="thread_community_unanswered",
            ),
            # Every thread in the default order (the admin's list): a page is an index range.
            models.Index(
                fields=["-is_pinned", "-last_activity_at", "-id"], name="thread_default_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("communities:thread", args=[self.community.slug, self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Reply(models.Model):
    Status = Thread.Status

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="replies"
    )
    is_anonymous = models.BooleanField(default=False)
    body = bounded_text(limits.POST_BODY)
    body_html = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=16, choices=Thread.Status.choices, default="published")
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    reaction_count = models.PositiveIntegerField(default=0)
    search_vector = SearchVectorField(null=True, editable=False)
    hold_reason = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name_plural = _("replies")
        ordering = ["created_at", "id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="reply_search_gin"),
            # A thread's page of replies in reading order, whatever the visibility filter:
            # without it the planner walked every reply by date looking for one thread's.
            # The moderation queue: held, pending and hidden replies are few among many.
            models.Index(
                fields=["created_at"],
                condition=~models.Q(status="published"),
                name="reply_moderation_queue",
            ),
            models.Index(fields=["thread", "created_at", "id"], name="reply_thread_order"),
            models.Index(fields=["thread", "status", "created_at"]),
            models.Index(
                fields=["author", "thread"], condition=Q(status="published"), name="reply_author"
            ),
        ]

    def __str__(self) -> str:
        return f"Reply {self.pk} to {self.thread_id}"

    def get_absolute_url(self) -> str:
        return f"{self.thread.get_absolute_url()}#reply-{self.pk}"

    @property
    def is_published(self) -> bool:
        return self.status == Thread.Status.PUBLISHED


class Reaction(models.Model):
    """One person's reaction of one kind to a thread or a reply (toggled on and off)."""

    class Kind(models.TextChoices):
        THUMBS_UP = "thumbs_up", "👍"
        IDEA = "idea", "💡"
        THANKS = "thanks", "🙏"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_reactions"
    )
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=True, reply__isnull=False)
                | Q(thread__isnull=False, reply__isnull=True),
                name="reaction_on_one_post",
            ),
            models.UniqueConstraint(
                fields=["user", "thread", "kind"],
                condition=Q(reply__isnull=True),
                name="unique_thread_reaction",
            ),
            models.UniqueConstraint(
                fields=["user", "reply", "kind"],
                condition=Q(thread__isnull=True),
                name="unique_reply_reaction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.get_kind_display()}"


class TipRevision(models.Model):
    """Every version of a how-to tip, so knowledge outlives its author."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = bounded_text(limits.POST_BODY, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["thread", "number"]
        constraints = [
            models.UniqueConstraint(fields=["thread", "number"], name="unique_tip_revision"),
            # Written without full_clean(), from a thread body that passed it.
            limits.length_constraint("tiprevision", "body", limits.POST_BODY),
        ]

    def __str__(self) -> str:
        return f"{self.thread_id} r{self.number}"


class ModerationWord(models.Model):
    """A word or phrase that sends a post to the moderation queue instead of publishing it."""

    word = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]

    def __str__(self) -> str:
        return self.word


class Flag(models.Model):
    """A member's report that a post needs a manager's look: a category and, for "other"
    (optional for the rest), the member's note in `reason`."""

    class Category(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        OFF_TOPIC = "off_topic", _("Off-topic for this community")
        OFFENSIVE = "offensive", _("Offensive or unkind")
        OTHER = "other", _("Something else")

    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="flags")
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.OTHER)
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "resolved_at"])]

    def __str__(self) -> str:
        return f"Flag on {self.thread_id or self.reply_id}: {self.reason[:40]}"


class ModerationAction(models.Model):
    """The moderation log: who did what to which post, why and when."""

    class Action(models.TextChoices):
        HELD = "held", _("held by the word list")
        APPROVE = "approve", _("approved")
        HIDE = "hide", _("hid")
        RESTORE = "restore", _("restored")
        LOCK = "lock", _("locked")
        UNLOCK = "unlock", _("unlocked")
        PIN = "pin", _("pinned")
        UNPIN = "unpin", _("unpinned")
        DISMISS = "dismiss", _("dismissed the flags on")
        FLAG = "flag", _("flagged")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="moderation_actions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.action} at {self.created_at:%Y-%m-%d %H:%M}"


# Team chat channels live in their own package; Django finds models through this module.
from .channels.models import Channel, ChannelDelivery  # noqa: E402, F401
