"""Who sees a session's figures in insights: its moderator, its experts and the managers of
its community (L&D admins see everything already)."""

from socialearn.insights import access


@access.register("session")
def session_figures(user, object_id: int) -> bool:
    from .models import Session
    from .permissions import is_community_manager

    session = Session.objects.select_related("community").filter(pk=object_id).first()
    if session is None:
        return False
    if session.moderator_id == user.pk or session.experts.filter(pk=user.pk).exists():
        return True
    return is_community_manager(user, session.community)
