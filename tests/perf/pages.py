"""Every page of the URL configuration, filled in with the seeded organisation's biggest
objects and opened as the person who uses it; each page's SQL counted and EXPLAINed once.

    DATABASE_URL=postgres://.../socialearn_bench python tests/perf/pages.py OUT.json

Run with the settings the server runs with (socialearn.settings.production, with testserver
in ALLOWED_HOSTS), so the figures are the site's. Writes
    {"sessions": {role: session key}, "pages": [...], "skipped": [...]}
where each page is {label, path, role, queries, seq_scans}: a sequential scan is reported
when a page's query reads a table of more than SEQ_SCAN_ROWS rows whole.
Opening a page once writes what opening it writes (last activity, a notification read):
the bench database is there for that.
"""

import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialearn.settings.production")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from tests.crawl import routes  # noqa: E402

SEQ_SCAN_ROWS = 10_000
OK = (200, 204)  # 204: the live board's poll when nothing changed
ROLES = ["employee", "manager", "expert", "coordinator", "ld_admin"]

# The person who uses each page, by route name (a prefix ending in ":" names a whole app);
# when that person may not open it, the others are tried in the order of ROLES.
USED_BY = [
    ("insights:", "ld_admin"),
    ("admin:", "ld_admin"),
    ("communities:approvals", "ld_admin"),
    ("communities:cohort", "ld_admin"),
    ("communities:newcomer", "manager"),
    ("communities:edit", "manager"),
    ("communities:members", "manager"),
    ("communities:membership", "manager"),
    ("communities:moderation", "manager"),
    ("mentoring:programme_", "coordinator"),
    ("mentoring:coordinate", "coordinator"),
    ("mentoring:call", "coordinator"),
    ("mentoring:export", "coordinator"),
    ("mentoring:run", "coordinator"),
    ("mentoring:swap", "coordinator"),
    ("mentoring:publish", "coordinator"),
    ("expertqa:board", "expert"),
    ("expertqa:expert", "expert"),
    ("expertqa:create", "expert"),
    ("expertqa:edit", "expert"),
    ("challenges:edit", "ld_admin"),
    ("challenges:step_", "ld_admin"),
    ("challenges:flow", "ld_admin"),
]

# Pages as people open them with a query string, besides each route's plain form.
VARIANTS = {
    # The one search with results, and its suggestions as the header box is typed in: a
    # common word, and a rare one cut short (the planner has no statistics on it).
    "search": ["?q=data", "?q=kube"],
    "search_suggest": ["?q=data", "?q=kube"],
    "people:directory": ["?q=data"],
    "communities:search": ["?q=data"],
    "communities:detail": ["?sort=top"],
    "communities:thread": ["?page=last"],
}

# Pages whose address another page hands out (a signed token): (that page, the pattern).
HANDED_OUT = {
    "expertqa:changes": (
        "expertqa:detail",
        re.compile(r'hx-get="(/sessions/\d+/changes/\?[^"]+)"'),
    ),
}

# Admin pages: the index, each model's list, and the change form of the biggest object of
# each model whose form grows with its children (inlines, many-to-many fields).
ADMIN_PAGE = re.compile(r"^admin:(index|\w+_changelist)$")
ADMIN_CHANGE_FORMS = {
    "admin:expertqa_session_change": "session",
    "admin:challenges_challenge_change": "challenge",
    "admin:challenges_flow_change": "flow",
    "admin:communities_community_change": "community",
    "admin:communities_thread_change": "thread",
    "admin:mentoring_programme_change": "programme",
    "admin:people_topic_change": "topic",
    "admin:auth_user_change": "manager_user",
}
# Sign-in pages, opened signed out.
ANONYMOUS_PAGES = {"account_login", "account_signup", "account_reset_password", "healthz"}


def pick_world() -> dict:
    """The objects that stress each page: the biggest, the longest, the busiest."""
    from challenges.models import Challenge, Flow
    from communities.models import Community, Membership, Reply, Thread
    from expertqa.models import Question, Series, Session
    from mentoring.models import AdhocRequest, Enrolment, Match, Programme
    from socialearn.people.models import Topic

    User = get_user_model()
    community = (
        Community.objects.filter(status="active", visibility="public")
        .annotate(n=Count("memberships", filter=Q(memberships__status="active")))
        .order_by("-n", "pk")
        .first()
    )
    manager_membership = (
        Membership.objects.filter(community=community, role="manager", status="active")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    thread = (
        Thread.objects.filter(status="published", community__visibility="public")
        .order_by("-reply_count", "pk")
        .first()
    )
    # The live session with the most questions: the all-hands that seed_demo keeps open at
    # both sizes (expertqa/bulk_demo.py), so its board and the poll it hands out
    # (expertqa:changes) compare; any session when none is open.
    now = timezone.now()
    live = Q(starts_at__lte=now, ends_at__gt=now, cancelled_at__isnull=True)
    session = (
        Session.objects.filter(live).annotate(n=Count("questions")).order_by("-n", "pk").first()
        or Session.objects.annotate(n=Count("questions")).order_by("-n", "pk").first()
    )
    programme = Programme.objects.annotate(n=Count("enrolments")).order_by("-n", "pk").first()
    challenge = (
        Challenge.objects.filter(is_template=False)
        .annotate(n=Count("participants"))
        .order_by("-n", "pk")
        .first()
    )
    flow = Flow.objects.annotate(n=Count("items")).order_by("-n", "pk").first()
    employee = User.objects.get(email="demo@socialearn.local")
    mine = Q(protege__user=employee) | Q(mentor__user=employee)
    match = (
        Match.objects.filter(mine).order_by("pk").first()
        or Match.objects.filter(programme=programme).order_by("pk").first()
    )
    newcomer = (
        Membership.objects.filter(community=community, status="active", role="member")
        .order_by("-joined_at", "pk")
        .first()
    )
    users = {
        "employee": employee,
        "manager": manager_membership.user,
        # The expert who also moderates the session when there is one, so its edit page
        # opens at both sizes.
        "expert": session.experts.filter(pk=session.moderator_id).first()
        or session.experts.order_by("pk").first(),
        "coordinator": User.objects.get(email="coordinator@socialearn.local"),
        "ld_admin": User.objects.get(email="ld-admin@socialearn.local"),
    }
    return {
        "users": users,
        "community": community,
        "membership": newcomer or manager_membership,
        "thread": thread,
        "reply": Reply.objects.filter(thread=thread).order_by("pk").first(),
        "session": session,
        "question": Question.objects.filter(session=session).order_by("pk").first(),
        "series": Series.objects.order_by("pk").first(),
        "programme": programme,
        "match": match,
        "mentor": Enrolment.objects.filter(programme=programme, role="mentor").first(),
        "adhoc": AdhocRequest.objects.filter(user=employee).order_by("pk").first()
        or AdhocRequest.objects.order_by("pk").first(),
        "challenge": challenge,
        "step": challenge.steps.order_by("position").first() if challenge else None,
        "flow": flow,
        "item": flow.items.order_by("pk").first() if flow else None,
        "topic": Topic.objects.annotate(n=Count("experts")).order_by("-n", "pk").first(),
    }


def _pk(obj):
    return obj.pk if obj is not None else 0


def kwargs_for(name: str, params: tuple[str, ...], w: dict, role: str) -> dict:
    ns, _, short = name.partition(":")
    user = w["users"][role] if role in w["users"] else None
    values = {}
    if ns == "communities":
        thread_pages = "thread_id" in params
        values = {
            "slug": (w["thread"].community.slug if thread_pages else w["community"].slug),
            "thread_id": _pk(w["thread"]),
            "reply_id": _pk(w["reply"]),
            "membership_id": _pk(w["membership"]),
            "user_id": w["membership"].user_id if w["membership"] else 0,
        }
    elif ns == "people":
        values = {"slug": w["topic"].slug, "user_id": w["users"]["manager"].pk}
    elif ns == "notifications":
        from socialearn.notifications.models import Notification

        own = Notification.objects.filter(recipient=user).order_by("-pk").first()
        values = {"notification_id": _pk(own), "slug": w["topic"].slug}
    elif ns == "insights":
        values = {"kind": "communities", "object_id": w["community"].pk, "table": "summary"}
    elif ns == "mentoring":
        if short in ("match", "lock", "accept", "decline", "complete", "meeting_add"):
            values = {"pk": _pk(w["match"])}
        elif short in ("availability", "withdraw"):
            values = {"pk": _pk(w["mentor"])}
        elif short.startswith("adhoc"):
            values = {"pk": _pk(w["adhoc"])}
        else:
            values = {"pk": w["programme"].pk, "role": "protege", "mentor_id": _pk(w["mentor"])}
    elif ns == "expertqa":
        if short in ("vote", "answer", "defer", "moderate"):
            values = {"pk": _pk(w["question"]), "action": "hide"}
        elif short == "series":
            values = {"slug": w["series"].slug if w["series"] else "none"}
        elif short == "expert":
            values = {"user_id": w["users"]["expert"].pk}
        else:
            values = {"pk": w["session"].pk}
    elif ns == "challenges":
        if short.startswith("flow"):
            values = {"pk": _pk(w["flow"]), "item_pk": _pk(w["item"])}
        else:
            values = {"pk": _pk(w["challenge"]), "step_pk": _pk(w["step"])}
    elif ns == "admin" and name in ADMIN_CHANGE_FORMS:
        key = ADMIN_CHANGE_FORMS[name]
        obj = w["users"]["manager"] if key == "manager_user" else w[key]
        values = {"object_id": _pk(obj)}
    return {p: values.get(p, 0) for p in params}


def candidate_pages() -> list[tuple]:
    """(route, roles to try) for every named page, POST-only ones included (found later)."""
    pages = []
    for route in routes():
        name = route.name
        if not name:
            continue
        if (
            name.startswith("admin:")
            and not ADMIN_PAGE.match(name)
            and name not in ADMIN_CHANGE_FORMS
        ):
            continue
        if name.startswith("account") or name.startswith("socialaccount"):
            if name not in ANONYMOUS_PAGES:
                continue
        if name in ANONYMOUS_PAGES:
            roles = ["anonymous"]
        else:
            preferred = next((r for prefix, r in USED_BY if name.startswith(prefix)), "employee")
            roles = [preferred] + [r for r in ROLES if r != preferred]
        pages.append((route, roles))
    return pages


def explain(sql: str, sizes: dict[str, float]) -> list[dict]:
    """Sequential scans over big tables in the plan of one query."""
    if not sql.lstrip().upper().startswith(("SELECT", "WITH", "UPDATE", "DELETE")):
        return []
    with connection.cursor() as cursor:
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        except Exception:  # a statement that cannot be explained out of its context
            return []
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []
    stack = [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        stack.extend(node.get("Plans", []))
        table = node.get("Relation Name")
        if node["Node Type"] == "Seq Scan" and sizes.get(table, 0) > SEQ_SCAN_ROWS:
            found.append({"table": table, "rows": int(sizes[table]), "sql": sql[:300]})
    return found


def table_sizes() -> dict[str, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace"
        )
        return dict(cursor.fetchall())


def main(out: str) -> int:
    w = pick_world()
    clients = {"anonymous": Client()}
    sessions = {}
    for role in ROLES:
        client = Client()
        client.force_login(w["users"][role])
        clients[role] = client
        sessions[role] = client.cookies["sessionid"].value
    sizes = table_sizes()
    pages, skipped = [], []
    for route, roles in candidate_pages():
        label = name = route.name
        tried = []
        for role in roles:
            try:
                path = reverse(name, kwargs=kwargs_for(name, route.params, w, role) or None)
            except NoReverseMatch:
                tried.append(f"{role}: no URL")
                break
            if name in HANDED_OUT:
                source, pattern = HANDED_OUT[name]
                html = clients[role].get(reverse(source, kwargs={"pk": w["session"].pk}))
                found = pattern.search(html.content.decode())
                path = found.group(1).replace("&amp;", "&") if found else path
            status = clients[role].get(path).status_code
            tried.append(f"{role}: {status}")
            if status == 405:
                break  # POST only
            if status not in OK:
                continue
            for suffix in ["", *VARIANTS.get(name, [])]:
                url = path + suffix
                began = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    clients[role].get(url)
                took = (time.perf_counter() - began) * 1000
                scans = []
                for query in captured.captured_queries:
                    scans.extend(explain(query["sql"], sizes))
                pages.append(
                    {
                        "label": label + suffix,
                        "path": url,
                        "role": role,
                        "queries": len(captured.captured_queries),
                        "ms": round(took, 1),
                        "slowest": sorted(
                            ((float(q["time"]), q["sql"][:200]) for q in captured.captured_queries),
                            reverse=True,
                        )[:2],
                        "seq_scans": scans,
                    }
                )
            break
        else:
            skipped.append({"label": label, "tried": tried})
            continue
        if tried and not tried[-1].endswith(tuple(str(code) for code in OK)):
            skipped.append({"label": label, "tried": tried})
    Path(out).write_text(json.dumps({"sessions": sessions, "pages": pages, "skipped": skipped}))
    print(f"{len(pages)} pages, {len(skipped)} skipped (POST only or not for anyone)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
