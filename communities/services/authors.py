"""How posts name their authors in notifications and activity rows: an anonymous post
names nobody, in either.
"""

ANONYMOUS = "Anonymous"


def _person_name(user) -> str:
    if user is None:
        return "Someone"
    profile = getattr(user, "profile", None)
    return (profile.display_name if profile else "") or user.get_full_name() or user.email


def _post_author_name(post) -> str:
    """The name notifications show: never the author of an anonymous post."""
    return ANONYMOUS if post.is_anonymous else _person_name(post.author)


def _known(post):
    """The author to record in activity rows: nobody for an anonymous post, because
    insights figures and exports must never name its author."""
    return None if post.is_anonymous else post.author
