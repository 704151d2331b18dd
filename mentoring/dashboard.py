from django.db.models import Count, Q

from .models import Match


def dashboard_section(request, *, readable=None) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    mine = Match.objects.filter(Q(mentor__user=user) | Q(protege__user=user))
    counts = mine.aggregate(
        waiting=Count(
            "id",
            filter=Q(status=Match.Status.OFFERED)
            & (
                Q(mentor__user=user, mentor_accepted_at__isnull=True)
                | Q(protege__user=user, protege_accepted_at__isnull=True)
            ),
        ),
        active=Count("id", filter=Q(status=Match.Status.ACTIVE)),
    )
    if counts["waiting"]:
        order = 5  # an offer waits for this person's answer: first on the page
    elif counts["active"]:
        order = 25
    else:
        order = 95  # nothing running: a pointer to the programmes, last
    return {
        "title": "Mentoring",
        "template": "mentoring/_dashboard.html",
        "context": counts,
        "order": order,
    }
