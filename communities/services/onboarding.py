"""Onboarding communities: newcomers are invited by the clock, and members welcome them.

An invitation is a Membership with status "invited". Declining keeps the row as "declined"
(and leaving an onboarding community does the same), so any row at all means the person was
invited once and the clock never invites them again. The invitation notification carries the
dedupe key ``onboarding-invite:<community id>``.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from socialearn.insights.models import Activity
from socialearn.insights.services import activity_record
from socialearn.people.models import Profile

from ..language import notify_in_their_language
from ..models import Community, Membership
from ..selectors import can_view_community, community_url, newcomer_window_start
from .membership import membership_join

INVITE_KEY = "onboarding-invite:{community_id}"


@dataclass
class InviteResult:
    invited: int
    communities: int


def onboarding_community_for(*, location_id, department_id, communities) -> Community | None:
    """The onboarding community of the location, failing that of the department."""
    by_location: dict[int, Community] = {}
    by_department: dict[int, Community] = {}
    for community in communities:  # ordered by id: the oldest one wins a tie
        if community.location_id:
            by_location.setdefault(community.location_id, community)
        elif community.department_id:
            by_department.setdefault(community.department_id, community)
    return by_location.get(location_id) or by_department.get(department_id)


@transaction.atomic
def newcomers_invite(*, today=None) -> InviteResult:
    """Invite everyone who started recently to their onboarding community. Safe to rerun.

    A fixed number of queries whatever the number of newcomers: the candidates, their
    memberships (members, invitees and those who declined or left), one bulk insert, then
    one notification insert per community.
    """
    today = today or timezone.localdate()
    communities = list(
        Community.objects.filter(
            kind=Community.Kind.ONBOARDING, status=Community.Status.ACTIVE
        ).order_by("id")
    )
    if not communities:
        return InviteResult(invited=0, communities=0)
    location_ids = {c.location_id for c in communities if c.location_id}
    department_ids = {c.department_id for c in communities if c.department_id}
    candidates = list(
        Profile.objects.filter(
            user__is_active=True,
            started_company_on__gte=newcomer_window_start(),
            started_company_on__lte=today,
        )
        .filter(Q(location_id__in=location_ids) | Q(department_id__in=department_ids))
        .values_list("user_id", "location_id", "department_id")
    )
    wanted: dict[int, list[int]] = {}  # community id -> user ids
    for user_id, location_id, department_id in candidates:
        community = onboarding_community_for(
            location_id=location_id, department_id=department_id, communities=communities
        )
        if community is not None:
            wanted.setdefault(community.pk, []).append(user_id)
    if not wanted:
        return InviteResult(invited=0, communities=0)

    user_ids = {uid for ids in wanted.values() for uid in ids}
    existing = set(
        Membership.objects.filter(community_id__in=wanted, user_id__in=user_ids).values_list(
            "community_id", "user_id"
        )
    )
    rows = [
        Membership(community_id=cid, user_id=uid, status=Membership.Status.INVITED)
        for cid, ids in wanted.items()
        for uid in ids
        if (cid, uid) not in existing
    ]
    # ignore_conflicts: a second run racing this one inserts nothing twice.
    Membership.objects.bulk_create(rows, ignore_conflicts=True)
    by_community: dict[int, list[int]] = {}
    for row in rows:
        by_community.setdefault(row.community_id, []).append(row.user_id)
    names = {c.pk: c for c in communities}
    for cid, ids in by_community.items():
        community = names[cid]

        def texts(community=community) -> dict:
            return {
                "title": _("Welcome aboard! You are invited to %(community)s")
                % {"community": community.name},
                "body": community.purpose,
            }

        notify_in_their_language(
            recipients=ids,
            kind="community_invitation",
            texts=texts,
            url=reverse("communities:invitations")
            if community.is_private
            else community_url(community),
            dedupe_key=INVITE_KEY.format(community_id=cid),
        )
    return InviteResult(invited=len(rows), communities=len(by_community))


def _invitation(*, community: Community, user) -> Membership:
    membership = Membership.objects.filter(
        community=community, user=user, status=Membership.Status.INVITED
    ).first()
    if membership is None:
        raise ValidationError(_("There is no open invitation to this community for you."))
    return membership


@transaction.atomic
def invitation_accept(*, community: Community, user) -> Membership:
    _invitation(community=community, user=user)
    return membership_join(community=community, user=user)


@transaction.atomic
def invitation_decline(*, community: Community, user) -> Membership:
    """The row stays, marked declined: the person is not invited again by the clock, and
    can still join later (a private community lets them in as if invited)."""
    membership = _invitation(community=community, user=user)
    membership.status = Membership.Status.DECLINED
    membership.save(update_fields=["status"])
    return membership


@transaction.atomic
def newcomer_welcome(*, community: Community, welcomer, newcomer) -> bool:
    """A member welcomes a newcomer: the newcomer hears about it. Returns False if done before."""
    if welcomer.pk == newcomer.pk:
        raise ValidationError(_("You cannot welcome yourself."))
    if not can_view_community(welcomer, community):
        raise ValidationError(_("You cannot see this community."))
    is_newcomer = Membership.objects.filter(
        community=community,
        user=newcomer,
        status__in=[Membership.Status.ACTIVE, Membership.Status.INVITED],
        user__profile__started_company_on__gte=newcomer_window_start(),
    ).exists()
    if not is_newcomer:
        raise ValidationError(_("This person is not a newcomer of this community."))
    already = Activity.objects.filter(
        verb=Activity.Verb.WELCOMED,
        actor=welcomer,
        target_user=newcomer,
        community_id=community.pk,
    ).exists()
    if already:
        return False
    activity_record(
        verb=Activity.Verb.WELCOMED,
        actor=welcomer,
        community_id=community.pk,
        object_type="community",
        object_id=community.pk,
        target_user=newcomer,
    )
    profile = getattr(welcomer, "profile", None)
    name = profile.name if profile else welcomer.get_username()
    notify_in_their_language(
        recipients=[newcomer],
        kind="newcomer_welcomed",
        texts=lambda: {
            "title": _("%(person)s welcomes you to %(community)s")
            % {"person": name, "community": community.name}
        },
        url=community_url(community),
        dedupe_key=f"welcome:{community.pk}:{welcomer.pk}",
    )
    return True
