"""Who hears about a session: the community's members, and the topic's followers when the
community is public (a private community's sessions are for its members only)."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from communities.models import Community, Membership
from socialearn.notifications import audiences
from socialearn.notifications.models import TopicFollow


@audiences.register("expertqa_session_audience")
def session_audience(*, session_id: int):
    from .models import Session

    session = Session.objects.select_related("community").get(pk=session_id)
    members = Membership.objects.filter(
        community_id=session.community_id, status=Membership.Status.ACTIVE
    ).values("user_id")
    who = Q(id__in=members)
    if session.community.visibility == Community.Visibility.PUBLIC:
        followers = TopicFollow.objects.filter(
            topic_id=session.topic_id, level=TopicFollow.Level.EVERY
        ).values("user_id")
        who |= Q(id__in=followers)
    return get_user_model().objects.filter(who, is_active=True).values("id")
