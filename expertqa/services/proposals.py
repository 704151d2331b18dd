"""Learning networks: an employee proposes a talk, the network's managers accept it into a
series (it becomes a session with the speaker as expert) or decline it with a note."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Community
from socialearn.notifications.services import notify

from .. import permissions
from ..models import PROPOSAL_NOTE, Series, Session, TalkProposal
from .sessions import series_create, session_schedule


@transaction.atomic
def proposal_create(
    *,
    community: Community,
    proposer,
    title: str,
    abstract: str,
    topic,
    preferred_slot: str = "",
    duration_minutes: int = 30,
    now: datetime | None = None,
) -> TalkProposal:
    if not permissions.can_propose_talk(proposer, community):
        raise PermissionDenied(_("Talks are proposed in learning networks you can read."))
    proposal = TalkProposal(
        community=community,
        proposer=proposer,
        title=title.strip(),
        abstract=abstract.strip(),
        topic=topic,
        preferred_slot=preferred_slot.strip(),
        duration_minutes=duration_minutes,
        created_at=now or timezone.now(),
    )
    proposal.full_clean(exclude=["session"])
    proposal.save()
    return proposal


def _pending_for_manager(proposal: TalkProposal, by) -> TalkProposal:
    proposal = (
        TalkProposal.objects.select_for_update(of=("self",))
        .select_related("community", "proposer", "topic")
        .get(pk=proposal.pk)
    )
    if not permissions.can_review_proposals(by, proposal.community):
        raise PermissionDenied(_("Only the network's managers decide on proposals."))
    if proposal.status != TalkProposal.Status.PENDING:
        raise ValidationError(_("This proposal was already decided."))
    return proposal


@transaction.atomic
def proposal_accept(
    *,
    proposal: TalkProposal,
    by,
    series: Series | None,
    starts_at: datetime,
    duration_minutes: int | None = None,
    now: datetime | None = None,
) -> Session:
    """Schedule the talk through the session service: the speaker is its expert, so the
    board, the calendar file and the reminders all work as for any session."""
    now = now or timezone.now()
    proposal = _pending_for_manager(proposal, by)
    if series is not None and series.community_id != proposal.community_id:
        raise ValidationError({"series": _("Choose a series of this network.")})
    if starts_at <= now:
        raise ValidationError({"starts_at": _("Choose a start time in the future.")})
    minutes = duration_minutes or proposal.duration_minutes
    session = session_schedule(
        created_by=by,
        title=proposal.title,
        topic=proposal.topic,
        community=proposal.community,
        experts=[proposal.proposer],
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        moderator=by,
        description=proposal.abstract,
        kind=Session.Kind.LUNCH,
        series=series,
    )
    proposal.status = TalkProposal.Status.ACCEPTED
    proposal.decided_at = now
    proposal.decided_by = by
    proposal.session = session
    proposal.save(update_fields=["status", "decided_at", "decided_by", "session"])
    notify(
        recipients=[proposal.proposer],
        kind="talk_accepted",
        title=_("Your talk “%(title)s” is on the programme") % {"title": proposal.title},
        body=_("It is scheduled in %(network)s; you are its expert on the Q&A board.")
        % {"network": proposal.community.name},
        url=session.get_absolute_url(),
        dedupe_key=f"talk-proposal:{proposal.pk}",
        send_email=True,
    )
    return session


@transaction.atomic
def proposal_decline(
    *, proposal: TalkProposal, by, note: str, now: datetime | None = None
) -> TalkProposal:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Tell the speaker why, in a sentence.")})
    if len(note) > PROPOSAL_NOTE:
        raise ValidationError({"note": _("Keep the note under 1,000 characters.")})
    proposal = _pending_for_manager(proposal, by)
    proposal.status = TalkProposal.Status.DECLINED
    proposal.decided_at = now or timezone.now()
    proposal.decided_by = by
    proposal.decision_note = note
    proposal.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    notify(
        recipients=[proposal.proposer],
        kind="talk_declined",
        title=_("Your talk proposal “%(title)s” was declined") % {"title": proposal.title},
        body=note,
        url=proposal.get_absolute_url(),
        dedupe_key=f"talk-proposal:{proposal.pk}",
        send_email=True,
    )
    return proposal


@transaction.atomic
def network_series_create(
    *, community: Community, by, title: str, description: str = "", topic=None
) -> Series:
    """A network's managers start a series from the site (before, only in the admin)."""
    if not permissions.can_review_proposals(by, community):
        raise PermissionDenied(_("Only the network's managers start a series."))
    return series_create(title=title, community=community, description=description, topic=topic)


@transaction.atomic
def session_recording_set(*, session: Session, by, url: str) -> Session:
    if not permissions.can_edit_recording(by, session):
        raise PermissionDenied(_("Only the moderator, the managers or a speaker can."))
    session.recording_url = (url or "").strip()
    session.full_clean(exclude=["thread"])
    session.save(update_fields=["recording_url"])
    return session
