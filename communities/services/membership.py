"""Joining, leaving, invitations, requests to join and members' roles."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from socialearn.insights.services import activity_record

from ..language import notify_in_their_language
from ..models import Community, Membership
from .authors import _person_name
from .roles import _require_manager


def _count_members(community: Community, change: int) -> None:
    """Keep `Community.member_count` with the membership that just became or stopped being
    active, in the caller's transaction."""
    # Never below 0 (the column checks it), should the count have drifted low before a leave.
    kept = Greatest(F("member_count") + change, 0)
    Community.objects.filter(pk=community.pk).update(member_count=kept)
    community.member_count = max((community.member_count or 0) + change, 0)


def member_counts_recount() -> int:
    """Count every community's active members again (nightly: the admin's edits of a
    membership and deleted accounts change them without the services). Returns how many
    communities had drifted."""
    active = (
        Membership.objects.filter(community=OuterRef("pk"), status=Membership.Status.ACTIVE)
        .order_by()
        .values("community")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counted = Coalesce(Subquery(active), 0)
    return (
        Community.objects.annotate(counted=counted)
        .exclude(member_count=F("counted"))
        .update(member_count=counted)
    )


@transaction.atomic
def membership_join(*, community: Community, user, role: str = Membership.Role.MEMBER):
    """Make the person an active member (for private communities call it only after an
    invitation was accepted or a request approved: it does not check)."""
    membership, created = Membership.objects.get_or_create(
        community=community,
        user=user,
        defaults={"role": role, "status": Membership.Status.ACTIVE, "joined_at": timezone.now()},
    )
    if not created and (membership.status != Membership.Status.ACTIVE or membership.role != role):
        was_active = membership.status == Membership.Status.ACTIVE
        if role == Membership.Role.MANAGER:
            membership.role = role
        membership.status = Membership.Status.ACTIVE
        membership.joined_at = membership.joined_at or timezone.now()
        membership.save(update_fields=["role", "status", "joined_at"])
        created = not was_active
    if created:
        _count_members(community, +1)
        activity_record(
            verb="joined",
            actor=user,
            community_id=community.pk,
            object_type="community",
            object_id=community.pk,
        )
    return membership


@transaction.atomic
def membership_self_join(*, community: Community, user) -> Membership:
    """The Join button: public communities at once; private ones accept an invitation or
    become a request a manager approves."""
    existing = Membership.objects.filter(community=community, user=user).first()
    if existing and existing.status == Membership.Status.ACTIVE:
        return existing
    if community.status != Community.Status.ACTIVE:
        raise ValidationError(_("This community is not open yet."))
    was_invited = existing is not None and existing.status in (
        Membership.Status.INVITED,
        Membership.Status.DECLINED,
    )
    if not community.is_private or was_invited:
        return membership_join(community=community, user=user)
    if existing:
        return existing
    membership = Membership.objects.create(
        community=community, user=user, status=Membership.Status.REQUESTED
    )
    managers = community.memberships.filter(
        role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).values_list("user_id", flat=True)
    notify_in_their_language(
        recipients=list(managers),
        kind="membership_requested",
        texts=lambda: {
            "title": _("%(person)s asks to join %(community)s")
            % {"person": _person_name(user), "community": community.name}
        },
        url=f"{community.get_absolute_url()}members/",
        dedupe_key=f"membership-request:{membership.pk}",
    )
    return membership


@transaction.atomic
def membership_leave(*, community: Community, user) -> None:
    membership = Membership.objects.filter(community=community, user=user).first()
    if membership is None:
        return
    if membership.role == Membership.Role.MANAGER and membership.status == "active":
        others = community.memberships.filter(
            role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
        ).exclude(user=user)
        if not others.exists():
            raise ValidationError(_("Name another manager before you leave: you are the last one."))
    was_active = membership.status == Membership.Status.ACTIVE
    if community.kind == Community.Kind.ONBOARDING:
        # Leaving is declining: the row stays so the daily invitation skips them.
        membership.status, membership.role = Membership.Status.DECLINED, Membership.Role.MEMBER
        membership.joined_at = None
        membership.save(update_fields=["status", "role", "joined_at"])
    else:
        membership.delete()
    if was_active:
        _count_members(community, -1)
        activity_record(
            verb="left",
            actor=user,
            community_id=community.pk,
            object_type="community",
            object_id=community.pk,
        )


@transaction.atomic
def membership_invite(*, community: Community, invited_by, users: Iterable) -> int:
    """Managers invite people; the invitation waits in their inbox. Returns how many new."""
    _require_manager(community, invited_by)
    count = 0
    for user in users:
        membership, created = Membership.objects.get_or_create(
            community=community, user=user, defaults={"status": Membership.Status.INVITED}
        )
        if membership.status == Membership.Status.REQUESTED:
            membership_join(community=community, user=user)
            continue
        again = membership.status == Membership.Status.DECLINED
        if again:
            # A manager's own invitation reopens one the person once declined.
            membership.status, membership.joined_at = Membership.Status.INVITED, None
            membership.save(update_fields=["status", "joined_at"])
        elif not created:
            continue
        count += 1
        notify_in_their_language(
            recipients=[user],
            kind="community_invitation",
            texts=lambda: {
                "title": _("%(person)s invites you to %(community)s")
                % {"person": _person_name(invited_by), "community": community.name}
            },
            url=community.get_absolute_url(),
            dedupe_key=f"community-invite:{membership.pk}"
            + (f":{timezone.now().timestamp()}" if again else ""),
        )
    return count


@transaction.atomic
def membership_decide(*, membership: Membership, decided_by, approve: bool) -> None:
    _require_manager(membership.community, decided_by)
    if membership.status != Membership.Status.REQUESTED:
        raise ValidationError(_("This request was already decided."))
    community = membership.community
    if approve:
        membership_join(community=community, user=membership.user)
    else:
        membership.delete()

    def texts() -> dict:
        if approve:
            return {"title": _("Welcome to %(community)s") % {"community": community.name}}
        return {
            "title": _("Your request to join %(community)s was declined")
            % {"community": community.name}
        }

    notify_in_their_language(
        recipients=[membership.user_id],
        kind="membership_decided",
        texts=texts,
        url=community.get_absolute_url() if approve else "",
    )


@transaction.atomic
def membership_set_role(*, membership: Membership, changed_by, role: str) -> Membership:
    _require_manager(membership.community, changed_by)
    if role == Membership.Role.MEMBER and membership.role == Membership.Role.MANAGER:
        others = membership.community.memberships.filter(
            role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
        ).exclude(pk=membership.pk)
        if not others.exists():
            raise ValidationError(_("A community needs at least one manager."))
    membership.role = role
    membership.save(update_fields=["role"])
    return membership
