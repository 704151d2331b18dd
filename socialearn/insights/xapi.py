"""xAPI statements for a learning record store (LRS), built from activity rows.

Verbs come from the ADL vocabulary (http://adlnet.gov/expapi/verbs/...) and, where ADL has
none (joining, leaving, liking, accepting), from the Activity Streams vocabulary that the xAPI
registry lists. Objects get stable IRIs under settings.SITE_URL, so every statement about
the same thread or community names the same activity.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass

from django.conf import settings

from .models import Activity

XAPI_VERSION = "1.0.3"
ADL = "http://adlnet.gov/expapi/verbs/"
ACTIVITY_STREAMS = "http://activitystrea.ms/schema/1.0/"

V = Activity.Verb
VERB_IRIS: dict[str, tuple[str, str]] = {
    # verb -> (IRI, English display)
    V.JOINED: (ACTIVITY_STREAMS + "join", "joined"),
    V.LEFT: (ACTIVITY_STREAMS + "leave", "left"),
    V.POSTED: (ADL + "shared", "shared"),
    V.REPLIED: (ADL + "commented", "commented"),
    V.REACTED: (ACTIVITY_STREAMS + "like", "liked"),
    V.ANSWER_ACCEPTED: (ADL + "answered", "answered"),
    V.HELP_REQUESTED: (ADL + "asked", "asked"),
    V.WELCOMED: (ADL + "commented", "commented"),
    V.VIEWED: (ADL + "experienced", "experienced"),
    V.SESSION_QUESTION_ASKED: (ADL + "asked", "asked"),
    V.SESSION_ANSWERED: (ADL + "answered", "answered"),
    V.SESSION_DEFERRED: (ADL + "responded", "responded"),
    V.MENTOR_ENROLLED: (ADL + "registered", "registered"),
    V.PROTEGE_ENROLLED: (ADL + "registered", "registered"),
    V.MATCH_ACCEPTED: (ACTIVITY_STREAMS + "accept", "accepted"),
    V.MATCH_COMPLETED: (ADL + "completed", "completed"),
    V.STEP_COMPLETED: (ADL + "completed", "completed"),
    V.CHALLENGE_JOINED: (ADL + "registered", "registered"),
    V.FLOW_ITEM_POSTED: (ADL + "shared", "shared"),
    # Features' own verbs, named as strings: the core imports no feature.
    "course_enrolled": (ADL + "registered", "registered"),
    "course_completed": (ADL + "completed", "completed"),
}
COMPLETION_VERBS = {V.STEP_COMPLETED, V.MATCH_COMPLETED, "course_completed"}
# A question is asked, an answer to a question is answered, whatever the thread verb says.
QUESTION_VERBS = {V.POSTED: (ADL + "asked", "asked"), V.REPLIED: (ADL + "answered", "answered")}

ACTIVITY_TYPE = "http://adlnet.gov/expapi/activities/"


def is_configured() -> bool:
    return bool(getattr(settings, "XAPI_ENDPOINT", ""))


def site_iri(*parts: object) -> str:
    base = settings.SITE_URL.rstrip("/")
    return base + "/xapi/" + "/".join(str(p) for p in parts)


def _object_for(activity: Activity) -> dict:
    """The thing the statement is about, named by a stable IRI."""
    if activity.challenge_id and activity.object_id and activity.verb == V.STEP_COMPLETED:
        iri, kind, name = (
            site_iri("challenge", activity.challenge_id, "step", activity.object_id),
            "interaction",
            activity.extra.get("step_title") or f"Challenge step {activity.object_id}",
        )
    elif activity.object_type == "course" and activity.object_id:
        iri, kind, name = (
            site_iri("course", activity.object_id),
            "course",
            activity.extra.get("title") or f"Course {activity.object_id}",
        )
    elif activity.thread_id:
        iri, kind, name = (
            site_iri("thread", activity.thread_id),
            "question" if activity.is_question else "interaction",
            activity.extra.get("title") or f"Thread {activity.thread_id}",
        )
    elif activity.session_id:
        if activity.object_id:
            iri = site_iri("session", activity.session_id, "question", activity.object_id)
            kind = "question"
        else:
            iri, kind = site_iri("session", activity.session_id), "meeting"
        name = f"Expert session {activity.session_id}"
    elif activity.programme_id:
        iri, kind, name = (
            site_iri("programme", activity.programme_id),
            "course",
            f"Mentoring programme {activity.programme_id}",
        )
    elif activity.challenge_id:
        iri, kind, name = (
            site_iri("challenge", activity.challenge_id),
            "course",
            f"Challenge {activity.challenge_id}",
        )
    elif activity.community_id:
        iri, kind, name = (
            site_iri("community", activity.community_id),
            "course",
            f"Community {activity.community_id}",
        )
    else:
        iri, kind, name = site_iri("activity", activity.pk), "interaction", activity.verb
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {"type": ACTIVITY_TYPE + kind, "name": {"en-GB": str(name)[:200]}},
    }


def _agent(user) -> dict | None:
    if user is None:
        return None
    agent: dict = {"objectType": "Agent"}
    name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    if name:
        agent["name"] = name
    if user.email:
        agent["mbox"] = f"mailto:{user.email}"
    else:
        agent["account"] = {"homePage": settings.SITE_URL.rstrip("/"), "name": str(user.pk)}
    return agent


def statement_for(activity: Activity, *, statement_id: uuid.UUID) -> dict | None:
    """The xAPI statement for one activity, or None when nobody acted (e.g. the clock)."""
    actor = _agent(activity.actor)
    if actor is None:
        return None
    iri, display = VERB_IRIS.get(activity.verb, (ADL + "interacted", "interacted"))
    if activity.is_question and activity.verb in QUESTION_VERBS:
        iri, display = QUESTION_VERBS[activity.verb]
    statement: dict = {
        "id": str(statement_id),
        "actor": actor,
        "verb": {"id": iri, "display": {"en-GB": display}},
        "object": _object_for(activity),
        "timestamp": activity.occurred_at.isoformat(),
        "context": {"platform": "socialearn", "language": "en-GB"},
    }
    grouping = []
    if activity.community_id and statement["object"]["id"] != site_iri(
        "community", activity.community_id
    ):
        grouping.append(
            {"objectType": "Activity", "id": site_iri("community", activity.community_id)}
        )
    if activity.challenge_id and activity.verb == V.STEP_COMPLETED:
        grouping.append(
            {"objectType": "Activity", "id": site_iri("challenge", activity.challenge_id)}
        )
    if grouping:
        statement["context"]["contextActivities"] = {"grouping": grouping}
    if activity.verb == V.ANSWER_ACCEPTED:
        statement["result"] = {"success": True}
    if activity.verb in COMPLETION_VERBS:
        statement["result"] = {"completion": True}
    return statement


@dataclass
class SendResult:
    ok: bool
    error: str = ""


def post_statements(statements: list[dict], *, timeout: float = 15.0) -> SendResult:
    """POST one batch to {endpoint}/statements. The LRS stores all of it or none of it."""
    url = settings.XAPI_ENDPOINT.rstrip("/") + "/statements"
    if not url.startswith(("http://", "https://")):
        return SendResult(False, f"XAPI_ENDPOINT must be an http(s) URL, not {url!r}")
    body = json.dumps(statements).encode()
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Experience-API-Version", XAPI_VERSION)
    if settings.XAPI_USERNAME or settings.XAPI_PASSWORD:
        token = base64.b64encode(
            f"{settings.XAPI_USERNAME}:{settings.XAPI_PASSWORD}".encode()
        ).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return SendResult(200 <= response.status < 300)
    except urllib.error.HTTPError as error:
        detail = error.read()[:500].decode(errors="replace")
        return SendResult(False, f"HTTP {error.code}: {detail}".strip())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return SendResult(False, f"{type(error).__name__}: {error}")
