from datetime import datetime

from django.utils import timezone

from .models import Activity


def activity_record(
    *,
    verb: str,
    actor=None,
    occurred_at: datetime | None = None,
    community_id: int | None = None,
    topic_ids: list[int] | None = None,
    programme_id: int | None = None,
    session_id: int | None = None,
    challenge_id: int | None = None,
    thread_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    target_user=None,
    is_question: bool = False,
    extra: dict | None = None,
) -> Activity:
    """Record one event. Call it inside the feature service's transaction."""
    return Activity.objects.create(
        verb=verb,
        actor=actor,
        occurred_at=occurred_at or timezone.now(),
        community_id=community_id,
        topic_ids=list(topic_ids or []),
        programme_id=programme_id,
        session_id=session_id,
        challenge_id=challenge_id,
        thread_id=thread_id,
        object_type=object_type,
        object_id=object_id,
        target_user=target_user,
        is_question=is_question,
        extra=extra or {},
    )


def scope_upsert(
    *,
    kind: str,
    object_id: int,
    name: str,
    url: str = "",
    is_private: bool = False,
    extra: dict | None = None,
):
    """Tell insights the name and link of a community / programme / session / challenge."""
    from .models import Scope

    scope, _ = Scope.objects.update_or_create(
        kind=kind,
        object_id=object_id,
        defaults={"name": name, "url": url, "is_private": is_private, "extra": extra or {}},
    )
    return scope
