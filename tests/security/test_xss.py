"""Every piece of user text is escaped or sanitised wherever it shows: names, titles, topic and
department names, Markdown bodies, search snippets, SVG chart labels, CSV exports and emails."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge, Flow, FlowItem
from communities.digests import digests_send
from communities.models import Community, Thread
from communities.services import community_create, membership_join, reply_create, thread_create
from expertqa.services import question_ask, session_schedule
from mentoring.models import Programme
from socialearn.insights.access import LND_ADMIN_GROUP
from socialearn.notifications.services import notify, topic_follow
from tests.factories import DepartmentFactory, TopicFactory, UserFactory

PAYLOAD = '"><svg onload=alert(1)><script>alert(2)</script><img src=x onerror=alert(3)>'
MARKDOWN = (
    "[click](javascript:alert(4)) <script>alert(5)</script> <img src=x onerror=alert(6)> "
    '<a href="javascript:alert(7)">x</a> <iframe src="https://evil.example"></iframe> xsscheck'
)
DANGEROUS = (
    "<svg onload",
    "<script>alert",
    "<img src=x onerror",
    'href="javascript:',
    "href='javascript:",
    "<iframe",
)


def dangerous(text: str) -> list[str]:
    return [d for d in DANGEROUS if d in text]


@pytest.fixture
def evil(db, celery_eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        topic = TopicFactory(name=f"Topic {PAYLOAD}"[:100])
        department = DepartmentFactory(name=f"Dept {PAYLOAD}"[:100])
        person = UserFactory(
            profile__display_name=f"Eve {PAYLOAD}"[:100],
            profile__department=department,
            email="eve@example.com",
        )
        reader = UserFactory(profile__digest_frequency="daily", email="reader@example.com")
        lnd = UserFactory(email="lnd@example.com", is_staff=True)
        lnd.groups.add(Group.objects.get_or_create(name=LND_ADMIN_GROUP)[0])
        community = community_create(
            created_by=person,
            name=f"Club {PAYLOAD}"[:100],
            purpose=f"Purpose {PAYLOAD}\n\n{MARKDOWN}",
            rules=MARKDOWN,
            topics=[topic],
            anonymity=Community.Anonymity.ON,
        )
        for someone in (reader, lnd):
            membership_join(community=community, user=someone)
        topic_follow(user=reader, topic=topic)
        thread = thread_create(
            community=community,
            author=person,
            kind=Thread.Kind.QUESTION,
            title=f"Title {PAYLOAD}"[:200],
            body=MARKDOWN,
            topics=[topic],
        )
        tip = thread_create(
            community=community,
            author=person,
            kind=Thread.Kind.TIP,
            title=f"Tip {PAYLOAD}"[:200],
            body=MARKDOWN,
            topics=[topic],
        )
        reply_create(thread=thread, author=reader, body=MARKDOWN)
        now = timezone.now()
        session = session_schedule(
            created_by=person,
            title=f"Session {PAYLOAD}"[:200],
            topic=topic,
            community=community,
            experts=[person],
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(minutes=55),
            description=MARKDOWN,
            invite=False,
        )
        question_ask(session=session, author=reader, body=MARKDOWN)
        challenge = Challenge.objects.create(
            title=f"Challenge {PAYLOAD}"[:200],
            description=MARKDOWN,
            description_html="",
            designer=person,
            community=community,
            cadence=Challenge.Cadence.DAILY,
            length_value=30,
            length_unit=Challenge.LengthUnit.DAYS,
            start_date=timezone.localdate(),
            status=Challenge.Status.PUBLISHED,
        )
        from challenges.models import Participant, Step

        Step.objects.create(
            challenge=challenge,
            position=1,
            title=f"Step {PAYLOAD}"[:150],
            prompt=MARKDOWN,
            prompt_html="",
            day_offset=0,
        )
        Participant.objects.create(challenge=challenge, user=reader, joined_at=timezone.now())
        flow = Flow.objects.create(
            name=f"Flow {PAYLOAD}"[:150], community=community, curator=person
        )
        FlowItem.objects.create(flow=flow, position=1, title=f"Item {PAYLOAD}"[:150], body=MARKDOWN)
        programme = Programme.objects.create(
            name=f"Programme {PAYLOAD}"[:150],
            goals=MARKDOWN,
            commitment=f"Commitment {PAYLOAD}"[:200],
            enrolment_opens_on=timezone.localdate() - timedelta(days=1),
            enrolment_closes_on=timezone.localdate() + timedelta(days=10),
            created_by=lnd,
        )
        programme.coordinators.add(lnd)
        notify(recipients=[reader], kind="test", title=f"Note {PAYLOAD}", url="/")
    return {
        "topic": topic,
        "person": person,
        "reader": reader,
        "lnd": lnd,
        "community": community,
        "thread": thread,
        "tip": tip,
        "session": session,
        "challenge": challenge,
        "flow": flow,
        "programme": programme,
    }


def _urls(e):
    c, t = e["community"], e["thread"]
    return [
        reverse("home"),
        reverse("communities:list"),
        reverse("communities:list") + "?q=Club",
        reverse("communities:detail", args=[c.slug]),
        reverse("communities:members", args=[c.slug]),
        reverse("communities:thread", args=[c.slug, t.pk]),
        reverse("communities:revisions", args=[c.slug, e["tip"].pk]),
        reverse("communities:flag", args=[c.slug, t.pk]),
        reverse("communities:edit", args=[c.slug]),
        reverse("communities:moderation", args=[c.slug]),
        reverse("communities:newcomers", args=[c.slug]),
        reverse("communities:search") + "?q=xsscheck",
        reverse("communities:search") + "?q=" + "%3Cscript%3Ealert(9)%3C/script%3E",
        reverse("search") + "?q=xsscheck",
        reverse("search") + "?q=alert",
        reverse("search") + "?q=" + "%3Cscript%3Ealert(9)%3C/script%3E",
        reverse("search_suggest") + "?q=alert",
        reverse("search") + "?q=svg&kind=people",
        reverse("search") + "?q=Eve",
        reverse("search") + "?q=Club",
        reverse("search") + "?q=Session",
        reverse("search") + "?q=Challenge",
        reverse("search") + "?q=Topic",
        reverse("communities:feed_rss", args=[c.slug]),
        reverse("communities:feed_atom", args=[c.slug]),
        reverse("people:directory"),
        reverse("people:directory") + "?q=Eve",
        reverse("people:profile", args=[e["person"].pk]),
        reverse("people:topics"),
        reverse("people:topic", args=[e["topic"].slug]),
        reverse("notifications:inbox"),
        reverse("expertqa:list"),
        reverse("expertqa:detail", args=[e["session"].pk]),
        reverse("expertqa:board", args=[e["session"].pk]),
        reverse("expertqa:expert", args=[e["person"].pk]),
        reverse("challenges:list"),
        reverse("challenges:detail", args=[e["challenge"].pk]),
        reverse("challenges:scoreboard", args=[e["challenge"].pk]),
        reverse("challenges:participant", args=[e["challenge"].pk]),
        reverse("challenges:flows"),
        reverse("challenges:flow", args=[e["flow"].pk]),
        reverse("mentoring:home"),
        reverse("mentoring:programme", args=[e["programme"].pk]),
        reverse("mentoring:coordinate", args=[e["programme"].pk]),
        reverse("insights:overview"),
        reverse("insights:scope", args=["communities", c.pk]),
        reverse("insights:scope", args=["sessions", e["session"].pk]),
        reverse("insights:scope", args=["challenges", e["challenge"].pk]),
        reverse("insights:scope", args=["programmes", e["programme"].pk]),
    ]


@pytest.mark.parametrize("who", ["lnd", "reader"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_user_text_is_escaped_on_every_page(client, evil, who, htmx):
    """Rule (each URL in _urls): a payload in names, titles, topics, departments and Markdown
    never comes out as live HTML, in full pages and htmx partials, charts included."""
    client.force_login(evil[who])
    headers = {"HX-Request": "true"} if htmx else {}
    checked = 0
    for url in _urls(evil):
        response = client.get(url, headers=headers)
        if response.status_code in (302, 403, 404):  # e.g. the board without htmx
            continue
        checked += 1
        assert response.status_code == 200, (url, response.status_code)
        text = response.content.decode()
        if "xml" in response["Content-Type"]:
            # Feeds carry text: markup in a purpose is escaped (&lt;), so only tags count.
            text = text.replace('href="javascript:', "")
        assert dangerous(text) == [], url
    assert checked >= 25


def test_markdown_keeps_safe_links_and_drops_scripts(client, evil):
    """Rule (render_markdown): javascript: links lose their href, tags outside the allowed set
    are dropped, and ordinary links get rel="noopener noreferrer nofollow"."""
    from socialearn.markdown import render_markdown

    html = render_markdown("[ok](https://example.com) " + MARKDOWN)
    assert dangerous(html) == []
    assert 'href="https://example.com"' in html
    assert "nofollow" in html


CSV_EXPORTS = ["trend", "communities", "people", "topics", "trending"]


def test_csv_exports_never_start_a_cell_with_a_formula(client, evil):
    """Rule (insights:export, insights:scope_export, mentoring:export): a cell never starts
    with = + - @ (spreadsheet formula injection)."""
    import csv
    import io

    from mentoring.models import Enrolment, Match

    person, reader, programme = evil["person"], evil["reader"], evil["programme"]
    for user, name in ((person, '=HYPERLINK("http://evil")'), (reader, "@SUM(1+1)")):
        user.profile.display_name = name
        user.profile.save()
    mentor = Enrolment.objects.create(programme=programme, user=person, role="mentor")
    protege = Enrolment.objects.create(programme=programme, user=reader, role="protege")
    Match.objects.create(programme=programme, mentor=mentor, protege=protege, status="active")
    Community.objects.filter(pk=evil["community"].pk).update(name="=cmd|' /C calc'!A0")
    client.force_login(evil["lnd"])
    urls = [reverse("mentoring:export", args=[programme.pk])]
    for table in CSV_EXPORTS:
        urls.append(reverse("insights:export", args=[table]))
        urls.append(
            reverse("insights:scope_export", args=["communities", evil["community"].pk, table])
        )
    checked = 0
    for url in urls:
        response = client.get(url)
        if response.status_code == 404:
            continue
        assert response.status_code == 200, url
        checked += 1
        for row in csv.reader(io.StringIO(response.content.decode())):
            for cell in row:
                assert cell[:1] not in ("=", "+", "@", "\t", "\r"), (url, cell)
                if cell[:1] == "-":
                    assert _number(cell), (url, cell)
    assert checked >= 2


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_digest_email_escapes_titles_and_names(evil, mailoutbox):
    """Rule (email digest): the HTML part escapes thread titles, community and author names."""
    digests_send(frequency="daily", now=timezone.now() + timedelta(minutes=5))
    sent = [m for m in mailoutbox if evil["reader"].email in m.to]
    assert sent
    html = "".join(str(a[0]) for a in sent[0].alternatives)
    assert "Title" in html
    assert dangerous(html) == []


def test_a_line_break_in_a_title_never_reaches_an_email_header(world_for_mail, mailoutbox):
    """Rule (notification emails): a title with a line break (header injection) is sent on
    one line, and does not block the emails queued behind it."""
    from socialearn.notifications.emails import send_pending_notification_emails

    person, other = world_for_mail
    notify(
        recipients=[other],
        kind="mention",
        title="Hello\r\nBcc: victim@example.com",
        url="/",
        send_email=True,
    )
    notify(recipients=[other], kind="mention", title="Second", url="/", send_email=True)
    assert send_pending_notification_emails() == 2
    subjects = [m.subject for m in mailoutbox]
    assert "Second" in subjects
    assert all("\n" not in s and "\r" not in s for s in subjects)
    assert all("victim@example.com" not in m.bcc for m in mailoutbox)


@pytest.fixture
def world_for_mail(db):
    return UserFactory(), UserFactory()


def test_resource_links_accept_only_web_addresses(client, evil):
    """Rule (communities:thread_create): a resource's link must be http(s); a javascript:
    link is refused on the form and nothing is posted."""
    community = evil["community"]
    client.force_login(evil["reader"])
    before = Thread.objects.count()
    response = client.post(
        reverse("communities:thread_create", args=[community.slug]),
        {
            "kind": "resource",
            "title": "A link",
            "body": "See this",
            "url": "javascript:alert(1)",
            "topics": [evil["topic"].pk],
        },
    )
    assert response.status_code == 200
    assert Thread.objects.count() == before


def test_pages_carry_a_strict_content_security_policy(client, evil):
    """Rule (every page): scripts and styles only from the site itself, no inline code, no
    framing."""
    client.force_login(evil["reader"])
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
