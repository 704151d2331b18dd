"""Creating, proposing, approving and changing communities."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialearn.insights.services import scope_upsert
from socialearn.people.permissions import is_lnd_admin

from .. import permissions
from ..language import notify_in_their_language
from ..models import Community, Membership
from .membership import membership_join
from .roles import _require_manager


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "community"
    slug, n = base, 2
    while Community.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _scope_upsert(community: Community) -> None:
    scope_upsert(
        kind="community",
        object_id=community.pk,
        name=community.name,
        url=community.get_absolute_url(),
        is_private=community.is_private,
    )


@transaction.atomic
def community_create(
    *,
    created_by,
    name: str,
    purpose: str,
    kind: str = Community.Kind.PRACTICE,
    visibility: str = Community.Visibility.PUBLIC,
    anonymity: str = Community.Anonymity.OFF,
    topics: Iterable = (),
    status: str = Community.Status.ACTIVE,
    location=None,
    department=None,
    rules: str = "",
) -> Community:
    community = Community(
        name=name,
        slug=_unique_slug(name),
        purpose=purpose,
        rules=rules,
        kind=kind,
        visibility=visibility,
        anonymity=anonymity,
        status=status,
        location=location,
        department=department,
        created_by=created_by,
    )
    community.full_clean()
    community.save()
    community.topics.set(list(topics))
    _scope_upsert(community)
    if created_by is not None:
        membership_join(community=community, user=created_by, role=Membership.Role.MANAGER)
    return community


_LND_ONLY_KIND_MESSAGE = gettext_lazy(
    "Onboarding communities and course cohorts are set up by L&D admins. "
    "Choose another kind, or ask L&D."
)


@transaction.atomic
def community_propose(
    *,
    created_by,
    name: str,
    purpose: str,
    kind: str = Community.Kind.PRACTICE,
    visibility: str = Community.Visibility.PUBLIC,
    anonymity: str = Community.Anonymity.OFF,
    topics: Iterable = (),
    rules: str = "",
) -> Community:
    """Anyone may propose a community; it waits for an L&D admin when approval is required.
    Onboarding communities and course cohorts are L&D's alone."""
    if not (purpose or "").strip():
        raise ValidationError({"purpose": _("Say what the community is for.")})
    if not permissions.can_create_kind(created_by, kind):
        raise ValidationError({"kind": _LND_ONLY_KIND_MESSAGE})
    needs_approval = settings.COMMUNITY_APPROVAL_REQUIRED and not is_lnd_admin(created_by)
    return community_create(
        created_by=created_by,
        name=name,
        purpose=purpose,
        kind=kind,
        visibility=visibility,
        anonymity=anonymity,
        topics=topics,
        rules=rules,
        status=Community.Status.PROPOSED if needs_approval else Community.Status.ACTIVE,
    )


@transaction.atomic
def community_approve(*, community: Community, approved_by) -> Community:
    if not permissions.can_approve_communities(approved_by):
        raise PermissionDenied(_("Only L&D admins approve communities."))
    if community.status != Community.Status.PROPOSED:
        raise ValidationError(_("This community is not waiting for approval."))
    community.status = Community.Status.ACTIVE
    community.save(update_fields=["status"])
    if community.created_by_id:
        notify_in_their_language(
            recipients=[community.created_by_id],
            kind="community_approved",
            texts=lambda: {
                "title": _("Your community %(name)s is open") % {"name": community.name}
            },
            url=community.get_absolute_url(),
            dedupe_key=f"community-approved:{community.pk}",
        )
    return community


@transaction.atomic
def community_update(*, community: Community, updated_by, **fields) -> Community:
    _require_manager(community, updated_by)
    topics = fields.pop("topics", None)
    allowed = {"name", "purpose", "rules", "kind", "visibility", "anonymity"}
    changed = []
    for key, value in fields.items():
        if key not in allowed:
            raise ValidationError(f"{key} cannot be changed here.")
        if key == "kind" and value != community.kind:
            if not permissions.can_create_kind(updated_by, value):
                raise ValidationError({"kind": _LND_ONLY_KIND_MESSAGE})
        if getattr(community, key) != value:
            setattr(community, key, value)
            changed.append(key)
    community.full_clean()
    if changed:
        community.save(update_fields=changed)
    if topics is not None:
        community.topics.set(list(topics))
    if {"name", "visibility"} & set(changed):
        _scope_upsert(community)
    return community
