"""Who may do what with courses and the guide's dashboard. Nothing here reads staff status.

- A course is created by an L&D admin (for the organisation) or by a manager of an active
  community (for that community). The creator manages the course community.
- A course is run (edited, roster, readings, prompts, figures, completion, the guide's
  dashboard) by its facilitators and the managers of its course community.
- The course page is read by the course community's members (participants, facilitators),
  and, for courses people enrol in themselves, by whoever may read the host community (or
  everyone signed in when there is none). Everything inside (introductions, readings,
  prompts, figures) stays with the course community's members, like any private community.
- A challenge's guide dashboard is for the people who design the challenge
  (challenges.permissions.can_design: designer, guide, managers, L&D admins who may read it).
- A spotlight pinned in a thread is taken down by whoever may put one there (the guides of
  its challenge or course) or by a manager of the thread's community.
"""

from django.db.models import Q, QuerySet

from challenges import permissions as challenge_permissions
from challenges.models import Challenge
from communities import permissions as community_permissions
from communities.models import Community, Membership
from socialearn.people.permissions import is_lnd_admin

from .models import Course, GuidePrompt


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def creatable_hosts(user) -> QuerySet[Community]:
    """Communities a person may create a course for: those they manage (active ones)."""
    if not _signed_in(user):
        return Community.objects.none()
    return Community.objects.filter(
        status=Community.Status.ACTIVE,
        memberships__user=user,
        memberships__role=Membership.Role.MANAGER,
        memberships__status=Membership.Status.ACTIVE,
    ).exclude(kind=Community.Kind.COHORT)


def can_create(user) -> bool:
    return _signed_in(user) and (is_lnd_admin(user) or creatable_hosts(user).exists())


def membership(user, course: Course) -> Membership | None:
    if not _signed_in(user):
        return None
    # Kept on the course object for the request (a page asks several times); only an
    # active membership is kept, so enrolling in the same request is seen at once.
    cached = course.__dict__.setdefault("_memberships", {})
    if user.pk in cached:
        return cached[user.pk]
    found = Membership.objects.filter(
        community_id=course.community_id, user=user, status=Membership.Status.ACTIVE
    ).first()
    if found is not None:
        cached[user.pk] = found
    return found


def is_inside(user, course: Course) -> bool:
    """An active member of the course community: a participant or someone who runs it."""
    return membership(user, course) is not None


def can_run(user, course: Course) -> bool:
    m = membership(user, course)
    if m is None:
        return False
    if m.role == Membership.Role.MANAGER:
        return True
    return course.facilitators.filter(pk=user.pk).exists()


def can_view(user, course: Course) -> bool:
    if not _signed_in(user):
        return False
    if is_inside(user, course):
        return True
    if course.enrolment != Course.Enrolment.SELF:
        return False
    host = course.host_community
    return host is None or community_permissions.can_view_community(user, host)


def courses_visible_to(user) -> QuerySet[Course]:
    if not _signed_in(user):
        return Course.objects.none()
    from communities.selectors import compiled_readable

    inside = Q(
        community__memberships__user=user,
        community__memberships__status=Membership.Status.ACTIVE,
    )
    open_to_all = Q(enrolment=Course.Enrolment.SELF) & (
        Q(host_community__isnull=True)
        # The rules' subquery as SQL compiled once (communities_visible_to's own).
        | Q(host_community__in=compiled_readable(user))
    )
    ids = Course.objects.filter(inside).values("pk")
    return Course.objects.filter(Q(pk__in=ids) | open_to_all)


def can_guide_challenge(user, challenge: Challenge) -> bool:
    return (
        not challenge.is_template
        and challenge.community_id is not None
        and challenge_permissions.can_design(user, challenge)
    )


def can_guide(user, *, challenge: Challenge | None = None, course: Course | None = None) -> bool:
    """May use the guide's dashboard of the challenge or the course (and so send prompts)."""
    if challenge is not None:
        return can_guide_challenge(user, challenge)
    return course is not None and can_run(user, course)


def can_remove_spotlight(user, prompt: GuidePrompt) -> bool:
    """`prompt` is a spotlight with its thread's community, challenge and course selected."""
    thread = prompt.spotlight_thread
    if not _signed_in(user) or thread is None:
        return False
    if community_permissions.manages_community(user, thread.community_id):
        return True
    return can_guide(user, challenge=prompt.challenge, course=prompt.course)
