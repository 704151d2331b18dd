"""How posts name their authors in notifications and activity rows: an anonymous post
names nobody, in either.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialearn.people.models import person_name

ANONYMOUS = _("Anonymous")


def _person_name(user) -> str:
    return gettext("Someone") if user is None else person_name(user)


def _post_author_name(post) -> str:
    """The name notifications show: never the author of an anonymous post."""
    return str(ANONYMOUS) if post.is_anonymous else _person_name(post.author)


def _known(post):
    """The author to record in activity rows: nobody for an anonymous post, because
    insights figures and exports must never name its author."""
    return None if post.is_anonymous else post.author
