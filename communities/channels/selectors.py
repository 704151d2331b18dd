from django.db.models import QuerySet

from .models import Channel, ChannelDelivery

RECENT = 10


def channels_of(community) -> QuerySet[Channel]:
    return Channel.objects.filter(community=community).order_by("name", "id")


def recent_deliveries(community, limit: int = RECENT) -> list[ChannelDelivery]:
    """The latest cards owed to the community's channels, sent or waiting, newest first."""
    return list(
        ChannelDelivery.objects.filter(channel__community=community)
        .select_related("channel")
        .only("id", "key", "card", "created_at", "delivered_at", "channel__name")
        .order_by("-created_at", "-id")[:limit]
    )
