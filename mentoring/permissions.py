"""Who may do what in mentoring. Views, selectors and services ask these functions; nothing
here reads staff status (that only opens the Django admin).

- Every employee reads the recruitment scoreboard and the programmes, enrols as mentor or
  protégé, asks a mentor directly in a self-service programme, asks for an ad-hoc mentor and
  volunteers as one.
- A match is seen and answered by its mentor and its protégé only, once it is offered;
  a proposed match stays with the coordinators.
- A programme is coordinated (edited, matched, published, exported as CSV, its matches locked
  and swapped, its calls for volunteers sent) by the coordinators of that programme and by
  L&D admins. Coordinating one programme gives nothing on another.
- Starting a programme is for members of the "coordinator" group and L&D admins; whoever
  starts one becomes its coordinator.
- A request for an ad-hoc mentor is seen by its author, its helper, the willing mentors in
  its topic it was sent to, and by those who may start programmes.
"""

from socialearn.people.permissions import is_coordinator, is_lnd_admin

from .models import AdhocRequest, Match, Programme


def can_create_programmes(user) -> bool:
    return is_coordinator(user)


def can_coordinate(user, programme: Programme) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if is_lnd_admin(user):
        return True
    return programme.coordinators.filter(pk=user.pk).exists()


def can_view_match(user, match: Match) -> bool:
    return match.status != Match.Status.PROPOSED and match.involves(user)


def can_view_adhoc_request(user, ask: AdhocRequest) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.pk in (ask.user_id, ask.helper_id) or can_create_programmes(user):
        return True
    from .selectors import willing_mentor_ids

    return willing_mentor_ids(topic_id=ask.topic_id).filter(pk=user.pk).exists()
