"""Named audiences for bulk fan-out.

The core cannot import features, so a feature registers a resolver under a name in its
AppConfig.ready() and fans out with that name; the Celery task resolves it in the worker.
A resolver returns a QuerySet of user ids (``values("id")`` or ``values_list("id")``), so the
fan-out is a single INSERT ... SELECT, never a Python loop over recipients.
"""

from collections.abc import Callable

from django.db.models import QuerySet

AudienceResolver = Callable[..., QuerySet]
_registry: dict[str, AudienceResolver] = {}


def register(name: str) -> Callable[[AudienceResolver], AudienceResolver]:
    def decorator(func: AudienceResolver) -> AudienceResolver:
        _registry[name] = func
        return func

    return decorator


def resolve(name: str, **kwargs) -> QuerySet:
    try:
        resolver = _registry[name]
    except KeyError:
        raise LookupError(f"No audience registered as {name!r}") from None
    return resolver(**kwargs)


@register("topic_followers")
def topic_followers(*, topic_ids: list[int]) -> QuerySet:
    """People who asked to hear at once of what happens on these topics (not digest only)."""
    from .models import TopicFollow

    return (
        TopicFollow.objects.filter(topic_id__in=topic_ids, level=TopicFollow.Level.EVERY)
        .values("user_id")
        .distinct()
    )


@register("users")
def users(*, user_ids: list[int]) -> QuerySet:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(id__in=user_ids, is_active=True).values("id")
