"""Walking the whole product: a small organisation, its people, and every URL filled in.

Shared by tests/test_no_server_errors.py and tests/test_form_labels.py.
"""

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

MISSING_ID = 999999
MISSING_SLUG = "no-such-slug"


def distinct_words(size: int) -> str:
    """`size` characters of words that are all different (letters only, so each one is its
    own lexeme): what makes PostgreSQL refuse a tsvector built from the whole text."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words, length, n = [], 0, 0
    while length <= size:
        word, k = "", n + 26 * 26 * 26
        while k:
            k, r = divmod(k, 26)
            word += letters[r]
        words.append(word)
        length += len(word) + 1
        n += 1
    text = " ".join(words)[:size]
    return text if not text.endswith(" ") else text[:-1] + "z"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "" for unnamed patterns
    path: str  # the pattern as written, for messages
    params: tuple[str, ...]
    int_params: frozenset[str]
    callback: object

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""

    def url(self, kwargs: dict) -> str | None:
        if self.name:
            try:
                return reverse(self.name, kwargs=kwargs or None)
            except NoReverseMatch:
                return None
        if not self.params and not self.path.startswith("^"):
            return "/" + self.path
        return None


def routes() -> list[Route]:
    """Every URL pattern of the project, with its path parameters."""
    found = []

    def walk(resolver, prefix, namespace, int_params):
        for entry in resolver.url_patterns:
            pattern = entry.pattern
            ints = set(int_params)
            ints |= {
                k
                for k, conv in getattr(pattern, "converters", {}).items()
                if type(conv).__name__ == "IntConverter"
            }
            params = re.findall(r"<(?:\w+:)?(\w+)>", str(pattern))
            params += list(pattern.regex.groupindex)
            if isinstance(entry, URLResolver):
                ns = entry.namespace
                full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
                walk(entry, prefix + str(pattern), full_ns, ints)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                all_params = tuple(dict.fromkeys(_prefix_params(prefix) + params))
                found.append(
                    Route(
                        name=name or "",
                        path=prefix + str(pattern),
                        params=all_params,
                        int_params=frozenset(ints),
                        callback=entry.callback,
                    )
                )

    walk(get_resolver(), "", "", set())
    return found


def _prefix_params(prefix: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", prefix) + re.findall(r"\?P<(\w+)>", prefix)


# --- the organisation -------------------------------------------------------------------------


def build_world() -> dict:
    """The demo organisation at a small scale, plus the few things the demo leaves out
    (a pending request to join, an invitation, a flag, an ad-hoc request, a meeting)."""
    from challenges.models import Challenge, Flow
    from communities import services as community_services
    from communities.models import Community, Membership, Reply, Thread
    from expertqa.models import Question, Series, Session
    from mentoring import services as mentoring_services
    from mentoring.models import Enrolment, Match, Programme
    from socialearn.notifications.models import Notification
    from socialearn.people.models import Topic

    call_command("seed_demo", scale=40, stdout=io.StringIO())
    User = get_user_model()
    ld_admin = User.objects.get(email="ld-admin@socialearn.local")
    coordinator = User.objects.get(email="coordinator@socialearn.local")

    managed = (
        Membership.objects.filter(
            role=Membership.Role.MANAGER,
            status=Membership.Status.ACTIVE,
            user__is_staff=False,
            community__visibility=Community.Visibility.PUBLIC,
        )
        .select_related("community", "user")
        .order_by("pk")
    )
    by_threads = sorted(managed, key=lambda m: -m.community.threads.count())
    community = by_threads[0].community
    manager = by_threads[0].user
    # A private community of practice (a course's own community is a course's).
    private = Community.objects.filter(
        visibility=Community.Visibility.PRIVATE, course__isnull=True
    ).first()

    managers = set(
        Membership.objects.filter(role=Membership.Role.MANAGER).values_list("user_id", flat=True)
    )
    active_match = (
        Match.objects.filter(status=Match.Status.ACTIVE, protege__user__is_staff=False)
        .exclude(protege__user_id__in=managers)
        .select_related("protege__user", "programme")
        .first()
    )
    employee = active_match.protege.user
    community_services.membership_join(community=community, user=employee)
    offered_match = Match.objects.filter(status=Match.Status.OFFERED).first()

    # A request to join the private community and an invitation the employee can answer.
    requested = community_services.membership_self_join(community=private, user=employee)
    invited_to = Community.objects.exclude(pk__in=[community.pk, private.pk]).first()
    community_services.membership_invite(
        community=invited_to,
        invited_by=invited_to.memberships.filter(role="manager").first().user,
        users=[employee],
    )
    thread = (
        Thread.objects.filter(community=community, status="published", replies__isnull=False)
        .order_by("-kind")
        .first()
    )
    reply = Reply.objects.filter(thread=thread).first()
    community_services.flag_create(user=employee, reason="Off topic", thread=thread)
    private_thread = Thread.objects.filter(community=private).first()
    private_reply = Reply.objects.filter(thread__community=private).first()
    member = community.memberships.exclude(user__in=[manager, employee]).first()

    topic = Topic.objects.order_by("name").first()
    programme = active_match.programme
    adhoc = mentoring_services.adhoc_request_create(
        user=manager, topic=topic, message="Could someone show me how to start?"
    )
    mentoring_services.meeting_record(
        match=active_match, user=employee, met_on=timezone.localdate() - timedelta(days=2)
    )
    mentor_enrolment = Enrolment.objects.filter(
        programme=programme, role=Enrolment.Role.MENTOR
    ).first()
    other_programme = Programme.objects.exclude(pk=programme.pk).first() or programme

    session = Session.objects.filter(questions__isnull=False).order_by("-starts_at").first()
    question = Question.objects.filter(session=session).first()
    series = Series.objects.first()
    expert = session.experts.first()

    challenge = Challenge.objects.filter(is_template=False).order_by("-status").first()
    template = Challenge.objects.filter(is_template=True).first() or challenge
    step = challenge.steps.order_by("position").first() if hasattr(challenge, "steps") else None
    from challenges.models import FeedEntry, FlowFeed
    from expertqa.models import TalkProposal

    flow = (
        Flow.objects.filter(course__isnull=True, feeds__isnull=False).first()
        or Flow.objects.filter(course__isnull=True).first()
    )
    item = flow.items.first()
    feed = FlowFeed.objects.filter(flow=flow).first()
    entry = FeedEntry.objects.filter(flow=flow).first()
    network = Community.objects.filter(kind=Community.Kind.NETWORK).first()
    proposal = TalkProposal.objects.order_by("pk").first()
    from challenges.courses.models import Course, GuidePrompt

    course = Course.objects.order_by("pk").first()
    spotlight = GuidePrompt.objects.filter(kind=GuidePrompt.Kind.SPOTLIGHT).order_by("pk").first()

    def notification_of(user):
        return Notification.objects.filter(recipient=user).order_by("pk").first()

    world = {
        "users": {
            "anonymous": None,
            "employee": employee,
            "manager": manager,
            "ld_admin": ld_admin,
            "coordinator": coordinator,
        },
        "community": community,
        "private": private,
        "invited_to": invited_to,
        "thread": thread,
        "reply": reply,
        "private_thread": private_thread,
        "private_reply": private_reply,
        "member": member,
        "requested": requested,
        "manager_membership": by_threads[0],
        "topic": topic,
        "programme": programme,
        "other_programme": other_programme,
        "active_match": active_match,
        "offered_match": offered_match,
        "mentor_enrolment": mentor_enrolment,
        "adhoc": adhoc,
        "session": session,
        "question": question,
        "series": series,
        "expert": expert,
        "challenge": challenge,
        "template": template,
        "step": step,
        "flow": flow,
        "item": item,
        "feed": feed,
        "entry": entry,
        "network": network,
        "proposal": proposal,
        "notification_of": notification_of,
        "course": course,
        "course_item": course.prereading.items.order_by("day_offset").first() if course else None,
        "course_prompt": course.prompts.first() if course else None,
        "spotlight": spotlight,
    }
    return world


# --- filling in path parameters ---------------------------------------------------------------

MENTORING_MATCH = {"match", "lock", "accept", "decline", "complete", "meeting_add"}
EXPERTQA_QUESTION = {"vote", "answer", "defer", "moderate"}


def real_kwargs(route: Route, world: dict, user) -> list[dict]:
    """Path parameters naming objects that exist (a few combinations where it matters)."""
    if not route.params:
        return [{}]
    options = []
    for option in _real_options(route, world, user):
        kwargs = {p: option.get(p, MISSING_ID) for p in route.params}
        if kwargs not in options:
            options.append(kwargs)
    return options


def _real_options(route: Route, world: dict, user) -> list[dict]:
    ns, _, name = route.name.partition(":")
    w = world
    if ns == "communities":
        options = [
            {
                "slug": w["community"].slug,
                "thread_id": w["thread"].pk,
                "reply_id": w["reply"].pk,
                "membership_id": w["manager_membership"].pk,
                "user_id": w["member"].user_id,
            },
            {
                "slug": w["private"].slug,
                "thread_id": w["private_thread"].pk if w["private_thread"] else MISSING_ID,
                "reply_id": w["private_reply"].pk if w["private_reply"] else MISSING_ID,
                "membership_id": w["requested"].pk,
                "user_id": w["users"]["employee"].pk,
            },
        ]
        if name.startswith("invitation"):
            options.append({"slug": w["invited_to"].slug})
        # A reply of one thread named under another thread.
        if "reply_id" in route.params and w["private_reply"]:
            options.append({**options[0], "reply_id": w["private_reply"].pk})
        return options
    if ns == "people":
        return [{"slug": w["topic"].slug, "user_id": w["users"]["manager"].pk}]
    if ns == "notifications":
        own = w["notification_of"](user) if user else None
        other = w["notification_of"](w["users"]["manager"])
        options = [{"notification_id": n.pk} for n in (own, other) if n]
        if "slug" in route.params:
            options = [{"slug": w["topic"].slug}]
        return options
    if ns == "insights":
        scopes = [
            ("communities", w["community"].pk),
            ("communities", w["private"].pk),
            ("programmes", w["programme"].pk),
            ("sessions", w["session"].pk),
            ("challenges", w["challenge"].pk),
        ]
        tables = ["summary", "weekly", "people", "trending-topics", "mentoring", "communities"]
        if name == "export":
            return [{"table": t} for t in tables]
        if name == "scope":
            return [{"kind": k, "object_id": i} for k, i in scopes]
        return [{"kind": k, "object_id": i, "table": t} for k, i in scopes for t in tables[:4]]
    if ns == "mentoring":
        if name in MENTORING_MATCH:
            pks = [w["active_match"].pk] + ([w["offered_match"].pk] if w["offered_match"] else [])
            return [{"pk": pk} for pk in pks]
        if name in ("availability", "withdraw"):
            return [{"pk": w["active_match"].protege_id}, {"pk": w["mentor_enrolment"].pk}]
        if name.startswith("adhoc"):
            return [{"pk": w["adhoc"].pk}]
        if name == "enrol":
            return [
                {"pk": p.pk, "role": role}
                for p in (w["programme"], w["other_programme"])
                for role in ("mentor", "protege", "zzz")
            ]
        if name == "request":
            return [{"pk": w["programme"].pk, "mentor_id": w["mentor_enrolment"].pk}]
        return [{"pk": w["programme"].pk}, {"pk": w["other_programme"].pk}]
    if ns == "expertqa":
        if name in EXPERTQA_QUESTION:
            options = [{"pk": w["question"].pk}]
            if name == "moderate":
                options = [
                    {"pk": w["question"].pk, "action": a} for a in ("hide", "restore", "merge")
                ]
            return options
        if name == "series":
            return [{"slug": w["series"].slug}] if w["series"] else [{"slug": MISSING_SLUG}]
        if name == "expert":
            return [{"user_id": w["expert"].pk}]
        if name in ("network", "propose", "series_new"):
            return [{"slug": w["network"].slug if w["network"] else MISSING_SLUG}]
        if name.startswith("proposal"):
            return [{"pk": w["proposal"].pk if w["proposal"] else MISSING_ID}]
        return [{"pk": w["session"].pk}]
    if ns == "challenges":
        if name == "copy":
            return [{"pk": w["template"].pk}, {"pk": w["challenge"].pk}]
        if name.startswith("flow"):
            return [
                {
                    "pk": w["flow"].pk,
                    "item_pk": w["item"].pk,
                    "feed_pk": w["feed"].pk if w["feed"] else MISSING_ID,
                    "entry_pk": w["entry"].pk if w["entry"] else MISSING_ID,
                }
            ]
        return [{"pk": w["challenge"].pk, "step_pk": w["step"].pk if w["step"] else MISSING_ID}]
    if ns == "courses":
        if name.startswith("challenge_guide"):
            return [{"pk": w["challenge"].pk}]
        if name == "spotlight_remove":
            return [{"pk": w["spotlight"].pk if w["spotlight"] else MISSING_ID}]
        item, prompt = w["course_item"], w["course_prompt"]
        return [
            {
                "pk": w["course"].pk if w["course"] else MISSING_ID,
                "item_pk": item.pk if item else MISSING_ID,
                "prompt_pk": prompt.pk if prompt else MISSING_ID,
            }
        ]
    if ns == "admin":
        return [admin_kwargs(route)]
    # allauth and the like: keys and tokens nobody has.
    return [{p: "abc" for p in route.params}]


def admin_kwargs(route: Route) -> dict:
    kwargs = {}
    model_admin = getattr(route.callback, "model_admin", None)
    for p in route.params:
        if p == "object_id" and model_admin is not None:
            obj = model_admin.model._default_manager.order_by("pk").first()
            kwargs[p] = str(obj.pk) if obj else str(MISSING_ID)
        elif p == "app_label":
            kwargs[p] = "people"
        elif p == "content_type_id":
            kwargs[p] = 1
        else:
            kwargs[p] = "1"
    return kwargs


def missing_kwargs(route: Route, real: list[dict]) -> list[dict]:
    """Path parameters naming nothing: all of them, then each one in turn."""
    if not route.params:
        return []

    def missing(p):
        return MISSING_ID if p in route.int_params else MISSING_SLUG

    options = [{p: missing(p) for p in route.params}]
    if len(route.params) > 1 and real:
        for p in route.params:
            options.append({**real[0], p: missing(p)})
    return options


# --- forms in pages ---------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str
    options: list[str]
    line: int
    labelled: bool = False
    id: str = ""


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field]
    multipart: bool


class FormParser(HTMLParser):
    """The forms of a page and their fields, and whether each visible field has a label."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.loose_fields: list[Field] = []  # fields outside any form (form= attribute)
        self._form: Form | None = None
        self._label_depth = 0
        self._label_for: set[str] = set()
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._all: list[Field] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                action=a.get("action", ""),
                method=a.get("method", "get").lower(),
                fields=[],
                multipart="multipart" in a.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self._label_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            kind = a.get("type", "text").lower() if tag == "input" else tag
            field = Field(
                name=a.get("name", ""),
                kind=kind,
                value=a.get("value", "") if tag == "input" else "",
                options=[],
                line=self.getpos()[0],
                labelled=bool(self._label_depth or a.get("aria-label") or a.get("aria-labelledby")),
                id=a.get("id", ""),
            )
            if tag == "input" and kind in ("checkbox", "radio") and "checked" not in a:
                field.value = ""
            self._all.append(field)
            (self._form.fields if self._form else self.loose_fields).append(field)
            if tag == "select":
                self._select = field
            elif tag == "textarea":
                self._textarea = field
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a or not self._select.value:
                if "selected" in a or len(self._select.options) == 1:
                    self._select.value = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "label":
            self._label_depth = max(0, self._label_depth - 1)
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def unlabelled(self) -> list[Field]:
        hidden = {"hidden", "submit", "button", "reset", "image"}
        return [
            f
            for f in self._all
            if f.kind not in hidden and not f.labelled and not (f.id and f.id in self._label_for)
        ]


def parse_forms(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    parser.close()
    return parser
