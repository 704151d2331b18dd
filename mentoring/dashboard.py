from .selectors import match_counts


def dashboard_section(request, *, readable=None) -> dict | None:
    user = request.user
    if not user.is_authenticated:
        return None
    counts = match_counts(user)
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
