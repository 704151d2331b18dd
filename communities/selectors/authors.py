"""The names pages show for people and for the authors of posts: anonymous stays anonymous."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialearn.people.models import person_name as people_person_name

ANONYMOUS = _("Anonymous")
FORMER_MEMBER = _("Former member")


def person_name(user) -> str:
    """Never the email: see people.models.person_name."""
    return people_person_name(user)


def author_display(post, viewer=None, *, manager: bool = False) -> str:
    """The name to show for a post's author. Anonymous posts say "Anonymous" to everyone,
    the author included; managers learn who wrote them from `anonymous_author_for_manager`."""
    if post.is_anonymous:
        return str(ANONYMOUS)
    return person_name(post.author)


def anonymous_author_for_manager(post, *, manager: bool) -> str:
    if post.is_anonymous and manager:
        return person_name(post.author)
    return ""


def author_name(thread) -> str:
    """The name to show to everyone who is not a manager: anonymous stays anonymous."""
    if thread.is_anonymous:
        return str(ANONYMOUS)
    if thread.author is None:
        return str(FORMER_MEMBER)
    profile = getattr(thread.author, "profile", None)
    return (
        (profile.display_name if profile else "")
        or thread.author.get_full_name()
        or gettext("Member")
    )
