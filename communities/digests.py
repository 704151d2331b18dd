"""The opt-in email digest: what is new in my communities and in the topics I follow.

One email per person, nothing when nothing is new. People are read in batches; each batch
costs a fixed number of queries (the batch of profiles, their memberships, their topic
follows, the candidate threads, the stamp), whatever the number of threads or recipients.
The batch's profiles stay locked (SKIP LOCKED) until their stamp commits, so two runs at
once never email the same person twice, and a rerun finds nothing new since the stamp.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from socialearn.notifications.mail import DIGEST, email_build
from socialearn.notifications.models import TopicFollow
from socialearn.people.models import Profile

from .language import in_language_of
from .models import Community, Membership, Thread
from .selectors import ANONYMOUS, FORMER_MEMBER, thread_url

PERIODS: dict[str, timedelta] = {
    Profile.DigestFrequency.DAILY: timedelta(days=1),
    Profile.DigestFrequency.WEEKLY: timedelta(days=7),
}
BATCH_SIZE = 200
MAX_ITEMS = 40  # per email; the rest is summed up as "and N more"


@dataclass
class DigestItem:
    thread_id: int
    title: str
    kind: str
    community_name: str
    author: str | Promise  # a lazy "Anonymous" is written in the recipient's language
    created_at: datetime
    url: str
    reason: str  # "member" or the followed topic's name
    when: str = ""  # created_at in the recipient's time zone, set when the email is written


def digest_since(profile: Profile, *, now: datetime, period: timedelta) -> datetime:
    """Since the last digest, but never more than two periods back (a digest turned back on)."""
    floor = now - 2 * period
    if profile.last_digest_sent_at and profile.last_digest_sent_at > floor:
        return profile.last_digest_sent_at
    return now - period


def _candidate_threads(*, since, now, community_ids, topic_ids) -> list[dict]:
    """Published threads since `since` in these communities, or public ones on these topics."""
    if not community_ids and not topic_ids:
        return []
    where = Q(community_id__in=community_ids) | Q(
        topics__in=topic_ids, community__visibility=Community.Visibility.PUBLIC
    )
    return list(
        Thread.objects.filter(
            where,
            status=Thread.Status.PUBLISHED,
            community__status=Community.Status.ACTIVE,
            created_at__gt=since,
            created_at__lte=now,
        )
        .values(
            "id",
            "title",
            "kind",
            "created_at",
            "is_anonymous",
            "author_id",
            "author__profile__display_name",
            "author__first_name",
            "author__last_name",
            "community_id",
            "community__name",
            "community__slug",
            "community__visibility",
        )
        .annotate(topic_ids=ArrayAgg("topics__id", distinct=True, default=[]))
        .order_by("-created_at", "-id")
    )


MEMBER = _("Member")


def _author(row: dict) -> str | Promise:
    if row["is_anonymous"]:
        return ANONYMOUS
    if row["author_id"] is None:
        return FORMER_MEMBER
    full = f"{row['author__first_name']} {row['author__last_name']}".strip()
    return row["author__profile__display_name"] or full or MEMBER


def _thread_link(row: dict, urls: dict[int, str]) -> str:
    """Absolute link to a thread, reversed once per batch rather than once per recipient."""
    if row["id"] not in urls:
        urls[row["id"]] = settings.SITE_URL + thread_url(
            slug=row["community__slug"], thread_id=row["id"]
        )
    return urls[row["id"]]


def digest_items_for(
    *,
    user_id: int,
    since: datetime,
    member_of: set[int],
    follows: set[int],
    threads: list[dict],
    topic_names: dict[int, str],
    urls: dict[int, str] | None = None,
) -> list[DigestItem]:
    """What one person's digest lists, from the batch's candidate threads (no queries)."""
    urls = {} if urls is None else urls
    items = []
    for row in threads:
        if row["created_at"] <= since or row["author_id"] == user_id:
            continue
        if row["community_id"] in member_of:
            reason = "member"
        elif row["community__visibility"] == Community.Visibility.PUBLIC:
            shared = sorted(follows.intersection(t for t in row["topic_ids"] if t))
            if not shared:
                continue
            reason = topic_names.get(shared[0], "")
        else:
            continue  # a private community the person is not in: never shown
        items.append(
            DigestItem(
                thread_id=row["id"],
                title=row["title"],
                kind=row["kind"],
                community_name=row["community__name"],
                author=_author(row),
                created_at=row["created_at"],
                url=_thread_link(row, urls),
                reason=reason,
            )
        )
    return items


def _message(profile: Profile, items: list[DigestItem], frequency: str, connection, labels: dict):
    """The person's email, in their language."""
    with in_language_of(profile.user):
        return _message_in_language(profile, items, frequency, connection, labels)


def _message_in_language(profile, items, frequency, connection, labels):
    shown = items[:MAX_ITEMS]
    tz = profile.tz
    for item in shown:
        # Dates are formatted once per thread and time zone, not once per email.
        key = (get_language(), tz.key, item.thread_id)
        if key not in labels:
            labels[key] = date_format(
                timezone.localtime(item.created_at, tz), gettext("D j M, H:i")
            )
        item.when = labels[key]
    context = {
        "name": profile.name,
        "frequency": frequency,
        "items": shown,
        "more": len(items) - len(shown),
        "count": len(items),
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("notifications/email/digest_subject.txt", context).strip()
    return email_build(
        to=profile.user.email,
        user_id=profile.user_id,
        kind=DIGEST,
        subject=subject,
        template="notifications/email/digest",
        context=context,
        connection=connection,
    )


def _send_batch(*, frequency: str, after_pk: int, now: datetime, connection) -> tuple[int, int]:
    """Email one batch of people. Returns (emails sent, last profile pk; 0 when done)."""
    period = PERIODS[frequency]
    with transaction.atomic():
        profiles = list(
            Profile.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                digest_frequency=frequency,
                user__is_active=True,
                pk__gt=after_pk,
            )
            .exclude(user__email="")
            .select_related("user", "location")
            .order_by("pk")[:BATCH_SIZE]
        )
        if not profiles:
            return 0, 0
        user_ids = [p.user_id for p in profiles]
        member_of: dict[int, set[int]] = defaultdict(set)
        for user_id, community_id in Membership.objects.filter(
            user_id__in=user_ids, status=Membership.Status.ACTIVE
        ).values_list("user_id", "community_id"):
            member_of[user_id].add(community_id)
        follows: dict[int, set[int]] = defaultdict(set)
        topic_names: dict[int, str] = {}
        for user_id, topic_id, topic_name in TopicFollow.objects.filter(
            user_id__in=user_ids
        ).values_list("user_id", "topic_id", "topic__name"):
            follows[user_id].add(topic_id)
            topic_names[topic_id] = topic_name
        since = {p.pk: digest_since(p, now=now, period=period) for p in profiles}
        threads = _candidate_threads(
            since=min(since.values()),
            now=now,
            community_ids=set().union(*member_of.values()),
            topic_ids=set().union(*follows.values()),
        )
        messages, sent_ids = [], []
        urls: dict[int, str] = {}
        labels: dict[tuple[str, str, int], str] = {}
        for profile in profiles:
            items = digest_items_for(
                user_id=profile.user_id,
                since=since[profile.pk],
                member_of=member_of[profile.user_id],
                follows=follows[profile.user_id],
                threads=threads,
                topic_names=topic_names,
                urls=urls,
            )
            if items:
                messages.append(_message(profile, items, frequency, connection, labels))
                sent_ids.append(profile.pk)
        if messages:
            connection.send_messages(messages)
            Profile.objects.filter(pk__in=sent_ids).update(last_digest_sent_at=now)
        # A short batch was the last one: no need to ask for an empty one.
        return len(messages), profiles[-1].pk if len(profiles) == BATCH_SIZE else 0


def digests_send(*, frequency: str, now: datetime | None = None) -> int:
    """Send the daily or weekly digests. Returns how many emails went out."""
    if frequency not in PERIODS:
        raise ValueError(f"Unknown digest frequency {frequency!r}.")
    now = now or timezone.now()
    sent_total, after_pk = 0, 0
    with get_connection() as connection:
        while True:
            sent, after_pk = _send_batch(
                frequency=frequency, after_pk=after_pk, now=now, connection=connection
            )
            sent_total += sent
            if not after_pk:
                return sent_total
