from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from socialearn.insights.services import activity_record
from socialearn.limits import search_prefix

from .models import Profile, ProfilePhoto, Topic
from .photos import photo_normalise

User = get_user_model()


def profile_for(user) -> Profile:
    """The person's profile, made if they have none yet. A signed-in request's user carries
    the profile the middleware read (people.middleware), with the user on it: that one, not
    a second read of it (and of the user again, for whoever asks the profile for its user)."""
    kept = Profile.user.field.remote_field  # user.profile, the reverse one-to-one
    if kept.is_cached(user):
        profile = kept.get_cached_value(user)  # None when the person had none: made below
        if isinstance(profile, Profile):
            return profile
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def profile_refresh_search(*, profile_ids: list[int]) -> None:
    """Rebuild the directory's search vector: name and title weigh most, then topics, bio.
    Every change of a person's expertise comes here, so the topics' expert counts
    (selectors.topic_counts) are named afresh here too."""
    from socialearn import generations

    from .selectors import EXPERTISE_GENERATION

    generations.bump(EXPERTISE_GENERATION)
    expertise = (
        Topic.objects.filter(experts=OuterRef("pk"))
        .values("experts")
        .annotate(names=StringAgg("name", " "))
        .values("names")
    )
    Profile.objects.filter(pk__in=profile_ids).update(
        search_vector=SearchVector(search_prefix("display_name"), weight="A", config="simple")
        + SearchVector(search_prefix("job_title"), weight="A", config="english")
        + SearchVector(search_prefix(Subquery(expertise)), weight="B", config="english")
        + SearchVector(search_prefix("bio"), weight="C", config="english")
    )


PROFILE_EDITABLE_FIELDS = {
    "display_name",
    "job_title",
    "department",
    "location",
    "manager",
    "is_people_manager",
    "started_company_on",
    "started_role_on",
    "bio",
    "time_zone",
    "language",
    "email_preference",
    "digest_frequency",
}


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    expertise: Iterable[Topic] | None = None,
    interests: Iterable[Topic] | None = None,
    **fields,
) -> Profile:
    """Change a profile and keep the directory's search in step with it.

    Raises ValidationError (field by field) for bad values, e.g. a role started before the
    person joined the company, or an unknown time zone.
    """
    unknown = set(fields) - PROFILE_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"profile_update() cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean(exclude=["user", "search_vector", "expertise", "interests"])
    profile.save(update_fields=sorted(fields) if fields else None)
    if expertise is not None:
        profile.expertise.set(expertise)
    if interests is not None:
        profile.interests.set(interests)
    profile_refresh_search(profile_ids=[profile.pk])
    activity_record(verb="profile_updated", actor=profile.user)
    return profile


@transaction.atomic
def user_create(
    *, email: str, password: str | None = None, display_name: str = "", **profile_fields
):
    user = User(username=email.lower()[:150], email=email.lower())
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    expertise = profile_fields.pop("expertise", ())
    interests = profile_fields.pop("interests", ())
    profile = Profile.objects.create(user=user, display_name=display_name, **profile_fields)
    if expertise:
        profile.expertise.set(expertise)
    if interests:
        profile.interests.set(interests)
    profile_refresh_search(profile_ids=[profile.pk])
    return user


@transaction.atomic
def profile_photo_set(*, profile: Profile, upload) -> Profile:
    """Replace the person's picture with the upload, resized and stripped of metadata.

    Raises ValidationError (for the form) when the upload is not a readable picture or is too
    big; the old picture then stays."""
    image = photo_normalise(upload)
    now = timezone.now()
    ProfilePhoto.objects.update_or_create(
        profile=profile, defaults={"image": image, "content_type": "image/jpeg", "updated_at": now}
    )
    profile.photo_updated_at = now
    profile.save(update_fields=["photo_updated_at"])
    return profile


@transaction.atomic
def profile_photo_remove(*, profile: Profile) -> Profile:
    """Back to the initials avatar."""
    ProfilePhoto.objects.filter(profile=profile).delete()
    profile.photo_updated_at = None
    profile.save(update_fields=["photo_updated_at"])
    return profile


def profile_onboarded(*, profile: Profile) -> Profile:
    """The person finished (or skipped) the first-run setup: never sent there again."""
    if profile.onboarded_at is None:
        profile.onboarded_at = timezone.now()
        profile.save(update_fields=["onboarded_at"])
    return profile


# --- calendar subscription tokens -------------------------------------------------------------


def calendar_token_hash(token: str) -> str:
    import hashlib

    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_token_create(*, user, now=None) -> str:
    """A new subscription secret for `user`, replacing (revoking) the one they had.

    Returns the token itself, which is kept nowhere: only its hash is stored."""
    import secrets

    from .models import CalendarToken

    now = now or timezone.now()
    CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.create(
        user=user, token_hash=calendar_token_hash(token), hint=token[-4:], created_at=now
    )
    return token


@transaction.atomic
def calendar_token_revoke(*, user, now=None) -> int:
    from .models import CalendarToken

    return CalendarToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )
