"""Course cohorts: a roster of emails becomes private communities of people who share interests.

Everything is validated before anything is written, and the writes happen in one
transaction: a roster with one bad line creates nothing.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext as _

from socialearn.people.models import Profile, Topic

from ..grouping import split_into_groups
from ..language import notify_in_their_language
from ..models import Community, Membership
from .communities import community_create

User = get_user_model()

DEFAULT_GROUP_SIZE = 17
MAX_ROSTER_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    line: int
    value: str
    message: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class Cohort:
    community: Community
    member_ids: list[int]


class RosterError(Exception):
    """The roster has bad rows; `errors` lists each one by line number."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass
class Roster:
    rows: list[tuple[int, str]] = field(default_factory=list)  # (line, email as written)
    errors: list[RowError] = field(default_factory=list)
    users: list = field(default_factory=list)  # resolved, in roster order


def _looks_like_header(cells: list[str]) -> bool:
    return not any("@" in cell for cell in cells)


def roster_parse(text: str) -> Roster:
    """Read emails from CSV text: one per row, optional header naming an email column."""
    roster = Roster()
    reader = csv.reader(io.StringIO(text))
    column = 0
    first = True
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if first:
            first = False
            if _looks_like_header(cells):
                for i, cell in enumerate(cells):
                    if "mail" in cell.lower():
                        column = i
                        break
                continue
        value = cells[column] if column < len(cells) else ""
        if not value:
            roster.errors.append(RowError(line, "", _("The email is missing.")))
            continue
        try:
            validate_email(value)
        except ValidationError:
            roster.errors.append(
                RowError(line, value, _("“%(value)s” is not an email address.") % {"value": value})
            )
            continue
        key = value.lower()
        if key in seen:
            roster.errors.append(
                RowError(
                    line,
                    value,
                    _("Duplicate: %(value)s is already on line %(line)s.")
                    % {"value": value, "line": seen[key]},
                )
            )
            continue
        seen[key] = line
        roster.rows.append((line, value))
        if len(roster.rows) > MAX_ROSTER_ROWS:
            roster.errors.append(
                RowError(
                    line,
                    value,
                    _("A roster holds at most %(count)s people.") % {"count": MAX_ROSTER_ROWS},
                )
            )
            break
    return roster


def roster_validate(text: str) -> Roster:
    """Parse the roster and find each person (one query). Fills `errors` for bad rows."""
    roster = roster_parse(text)
    emails = [email.lower() for _line, email in roster.rows]
    found: dict[str, list] = defaultdict(list)
    for user in (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails, is_active=True)
        .order_by("id")
    ):
        found[user.email_lower].append(user)
    for line, email in roster.rows:
        matches = found.get(email.lower(), [])
        if not matches:
            roster.errors.append(
                RowError(line, email, _("Nobody here has the email %(email)s.") % {"email": email})
            )
        elif len(matches) > 1:
            roster.errors.append(
                RowError(
                    line,
                    email,
                    _("Several people have the email %(email)s; ask an admin.") % {"email": email},
                )
            )
        else:
            roster.users.append(matches[0])
    if not roster.rows and not roster.errors:
        roster.errors.append(RowError(1, "", _("The roster lists nobody.")))
    roster.errors.sort(key=lambda e: e.line)
    return roster


@transaction.atomic
def cohorts_create(
    *,
    created_by,
    course_name: str,
    roster_text: str,
    group_size: int = DEFAULT_GROUP_SIZE,
) -> list[Cohort]:
    """Split the roster into groups by shared interests; one private cohort per group.

    Raises RosterError (nothing written) when any row is bad. Participants are invited
    (Membership status "invited") and notified; the L&D admin who uploads manages each cohort.
    """
    course_name = course_name.strip()
    if not course_name:
        raise ValidationError(_("Give the course a name."))
    if group_size < 2:
        raise ValidationError(_("Groups need at least 2 people."))
    roster = roster_validate(roster_text)
    if roster.errors:
        raise RosterError(roster.errors)

    user_ids = [user.pk for user in roster.users]
    interests: dict[int, set[int]] = {uid: set() for uid in user_ids}
    for user_id, topic_id in Profile.interests.through.objects.filter(
        profile__user_id__in=user_ids
    ).values_list("profile__user_id", "topic_id"):
        interests[user_id].add(topic_id)
    groups = split_into_groups([(uid, interests[uid]) for uid in user_ids], group_size)
    topics = Topic.objects.in_bulk({g.main_topic for g in groups if g.main_topic is not None})

    names_used: dict[str, int] = defaultdict(int)
    cohorts = []
    for number, group in enumerate(groups, start=1):
        member_ids = [int(uid) for uid in group.members]  # type: ignore[call-overload]
        topic = topics.get(group.main_topic)
        group_name = topic.name if topic else _("group %(number)s") % {"number": number}
        base = f"{course_name} · {group_name}"
        names_used[base] += 1
        name = base if names_used[base] == 1 else f"{base} ({names_used[base]})"
        if topic:
            purpose = _(
                "Course cohort of %(course)s: %(count)s participants, "
                "%(interested)s of whom are interested in %(topic)s."
            ) % {
                "course": course_name,
                "count": len(group.members),
                "interested": group.main_topic_count,
                "topic": topic.name,
            }
        else:
            purpose = _("Course cohort of %(course)s: %(count)s participants.") % {
                "course": course_name,
                "count": len(group.members),
            }
        community = community_create(
            created_by=created_by,
            name=name[:120],
            purpose=purpose,
            kind=Community.Kind.COHORT,
            visibility=Community.Visibility.PRIVATE,
            topics=[topic] if topic else [],
        )
        Membership.objects.bulk_create(
            [
                Membership(community=community, user_id=uid, status=Membership.Status.INVITED)
                for uid in member_ids
                if uid != getattr(created_by, "pk", None)
            ],
            ignore_conflicts=True,
        )

        def texts(name: str = name, purpose: str = purpose) -> dict:
            return {
                "title": _("You are in a cohort of %(course)s: %(name)s")
                % {"course": course_name, "name": name},
                "body": purpose,
            }

        notify_in_their_language(
            recipients=member_ids,
            kind="community_invitation",
            texts=texts,
            url=reverse("communities:invitations"),
            dedupe_key=f"cohort-invite:{community.pk}",
            exclude_user_ids=[created_by.pk] if created_by else [],
        )
        cohorts.append(Cohort(community=community, member_ids=member_ids))
    return cohorts
