"""What waits for me: each count in the menu and on the home page is the number of items
waiting, for the person they wait for only, and each links to the place to act; the home
page asks a fixed number of queries however much waits."""

import html
import json
import re
from datetime import timedelta
from unittest import mock
from unittest.mock import ANY

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge, Completion, Participant, Step
from communities.models import Flag, Membership, Reply, Thread
from communities.services import community_create, membership_join
from expertqa.models import Question, Session
from mentoring.models import Enrolment, Match, Programme
from socialearn import waiting
from socialearn.waiting import (
    _section_links,
    section_links,
    waiting_changed,
    waiting_for,
    waiting_kinds,
)
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav[^>]*aria-label="Main"[^>]*>(.*?)</nav>', re.DOTALL)


def _badges(html: str) -> list[tuple[str, str, str]]:
    nav = NAV.search(html).group(1)
    wide = nav.split('class="nav-links nav-wide"', 1)[1].split("</ul>", 1)[0]
    return re.findall(
        r'<a href="[^"]*"[^>]*>([^<]+?)</a><a class="badge nav-count" href="([^"]+)">(\d+)', wide
    )


def menu_badges(html: str) -> dict[str, int]:
    """{menu label: waiting count} from the wide menu of a page."""
    return {label: int(n) for label, _url, n in _badges(html)}


def menu_badge_links(page: str) -> dict[str, str]:
    """{menu label: where its waiting badge leads}."""
    return {label: html.unescape(url) for label, url, _n in _badges(page)}


HOME_CARD = re.compile(
    r'<li class="list-row waiting-([\w]+)">.*?<a class="list-row-main" href="([^"]+)"', re.S
)


def assert_links_open(client, urls) -> None:
    """Each place to act opens for the person it waits for (the anchor aside)."""
    urls = [html.unescape(url) for url in urls]
    answers = {url: client.get(url.split("#")[0]).status_code for url in urls}
    assert {u: code for u, code in answers.items() if code != 200} == {}


def by_key(rows) -> dict[str, list]:
    out: dict[str, list] = {}
    for row in rows:
        out.setdefault(row.key, []).append(row)
    return out


def _thread(community, author, status="published", title="A thread"):
    now = timezone.now()
    return Thread.objects.create(
        community=community,
        author=author,
        title=title,
        body="Body",
        status=status,
        created_at=now,
        last_activity_at=now,
    )


def _reply(thread, author, status="published"):
    return Reply.objects.create(
        thread=thread, author=author, body="Body", status=status, created_at=timezone.now()
    )


@pytest.fixture
def manager():
    return UserFactory(profile__display_name="Maria Manager")


def test_nothing_waits_for_a_plain_employee(client):
    employee = UserFactory()
    client.force_login(employee)
    html = client.get(reverse("home")).content.decode()
    assert 'id="waiting"' not in html
    assert menu_badges(html) == {}
    assert waiting_for(employee) == []


def test_a_manager_sees_held_posts_and_open_flags_of_the_communities_they_manage(client, manager):
    member = UserFactory()
    guild = community_create(created_by=manager, name="Data guild", purpose="Data")
    sales = community_create(created_by=manager, name="Sales craft", purpose="Sales")
    others = community_create(created_by=UserFactory(), name="Not mine", purpose="Other")
    for c in (guild, sales, others):
        membership_join(community=c, user=member)
    _thread(guild, member, status=Thread.Status.HELD)
    _thread(guild, member, status=Thread.Status.PENDING)
    _thread(guild, member, status=Thread.Status.HIDDEN)  # already dealt with
    published = _thread(sales, member)
    _reply(published, member, status="held")
    _reply(published, member)
    Flag.objects.create(thread=published, community=sales, flagged_by=member, reason="Spam")
    Flag.objects.create(
        thread=published,
        community=sales,
        flagged_by=member,
        reason="Old",
        resolved_at=timezone.now(),
    )
    _thread(others, member, status=Thread.Status.HELD)  # someone else's to review
    Flag.objects.create(thread=_thread(others, member), community=others, flagged_by=member)

    rows = by_key(waiting_for(manager))
    # Two in one place: the list of them there; one: the item itself.
    guild_queue = reverse("communities:moderation", args=[guild.slug])
    sales_queue = reverse("communities:moderation", args=[sales.slug])
    assert [(r.place, r.count, r.url) for r in rows["held_threads"]] == [
        ("Data guild", 2, f"{guild_queue}#review")
    ]
    held_reply = Reply.objects.get(status="held")
    assert [(r.place, r.count, r.url) for r in rows["held_replies"]] == [
        ("Sales craft", 1, f"{sales_queue}#held-reply-{held_reply.pk}")
    ]
    open_flag = Flag.objects.get(resolved_at__isnull=True, community=sales)
    assert [(r.place, r.count, r.label, r.url) for r in rows["open_flags"]] == [
        ("Sales craft", 1, "1 open flag", f"{sales_queue}#flag-{open_flag.pk}")
    ]

    client.force_login(manager)
    html = client.get(reverse("home")).content.decode()
    assert menu_badges(html) == {"Communities": 4}
    # Items in two communities: the badge opens the card that lists them by place.
    assert menu_badge_links(html) == {"Communities": reverse("home") + "#waiting"}
    assert "2 threads held for review" in html
    cards = dict(HOME_CARD.findall(html))
    assert cards["open_flags"] == f"{sales_queue}#flag-{open_flag.pk}"
    page = client.get(sales_queue).content.decode()
    assert f'id="flag-{open_flag.pk}"' in page
    assert f'id="held-reply-{held_reply.pk}"' in page
    assert_links_open(client, [*cards.values(), *menu_badge_links(html).values()])

    # Only Sales craft left: the badge opens its queue.
    # (A bulk update sends no save signal: the kept menu counts are forgotten by hand, as a
    # service's save would.)
    Thread.objects.filter(community=guild, status__in=["held", "pending"]).update(status="hidden")
    waiting_changed()
    html = client.get(reverse("home")).content.decode()
    assert menu_badges(html) == {"Communities": 2}
    assert menu_badge_links(html) == {"Communities": sales_queue}
    # And when one item is left, the badge opens that item.
    Reply.objects.filter(pk=held_reply.pk).update(status="published")
    waiting_changed()
    html = client.get(reverse("home")).content.decode()
    assert menu_badge_links(html) == {"Communities": f"{sales_queue}#flag-{open_flag.pk}"}

    # A manager who steps down is no longer asked.
    Membership.objects.filter(user=manager, community=guild).update(role=Membership.Role.MEMBER)
    assert "held_threads" not in by_key(waiting_for(manager))


def test_an_expert_sees_answers_owed_and_answers_due_this_week(client, manager):
    expert = UserFactory()
    community = community_create(created_by=manager, name="Data practice", purpose="Data")
    now = timezone.now()
    today = timezone.localdate()

    def session(title, *, ends_ago=timedelta(hours=1), cancelled=False, experts=(expert,)):
        s = Session.objects.create(
            community=community,
            topic=TopicFactory(),
            title=title,
            starts_at=now - ends_ago - timedelta(hours=1),
            ends_at=now - ends_ago,
            created_by=manager,
            cancelled_at=now if cancelled else None,
        )
        s.experts.set(experts)
        return s

    def ask(s, **fields):
        return Question.objects.create(
            session=s, author=manager, body="Why?", created_at=now, **fields
        )

    closed = session("Closed session")
    ask(closed)  # owed: the window closed unanswered
    ask(closed, answered_at=now)
    ask(closed, status=Question.Status.HIDDEN)
    ask(closed, deferred_to=today - timedelta(days=1))  # owed: the promised date passed
    ask(closed, deferred_to=today + timedelta(days=3))  # due this week
    ask(closed, deferred_to=today + timedelta(days=30))  # not yet
    ask(session("Still open", ends_ago=-timedelta(minutes=30)))  # waiting, not owed
    ask(session("Cancelled", cancelled=True))
    ask(session("Someone else's", experts=[manager]))

    rows = by_key(waiting_for(expert))
    assert [(r.place, r.count, r.label) for r in rows["owed_answers"]] == [
        ("Closed session", 2, "You owe 2 answers")
    ]
    assert [(r.place, r.count) for r in rows["due_answers"]] == [("Closed session", 1)]
    assert rows["owed_answers"][0].url == reverse("expertqa:detail", args=[closed.pk])
    due = Question.objects.get(deferred_to=today + timedelta(days=3))
    assert rows["due_answers"][0].url == (
        reverse("expertqa:detail", args=[closed.pk]) + f"?question={due.pk}#question-{due.pk}"
    )
    # The commitment the session page shows agrees with the count.
    owed = [
        q
        for q in Question.objects.on_board().filter(session=closed)
        if q.commitment() in ("owed", "overdue")
    ]
    assert len(owed) == 2

    client.force_login(expert)
    html = client.get(reverse("home")).content.decode()
    assert menu_badges(html) == {"Expert sessions": 3}
    # Two kinds, one session: the session's page.
    assert menu_badge_links(html) == {
        "Expert sessions": reverse("expertqa:detail", args=[closed.pk])
    }
    assert_links_open(client, [url for _key, url in HOME_CARD.findall(html)])


def test_a_coordinator_sees_proposals_to_publish_and_stalled_offers(client):
    coordinator = UserFactory()
    today = timezone.localdate()
    programme = Programme.objects.create(
        name="New managers",
        goals="Find your feet",
        commitment="An hour",
        enrolment_opens_on=today,
        enrolment_closes_on=today + timedelta(days=30),
    )
    programme.coordinators.add(coordinator)
    elsewhere = Programme.objects.create(
        name="Elsewhere",
        goals="x",
        commitment="x",
        enrolment_opens_on=today,
        enrolment_closes_on=today + timedelta(days=30),
    )

    def match(prog, **fields):
        mentor = Enrolment.objects.create(programme=prog, user=UserFactory(), role="mentor")
        protege = Enrolment.objects.create(programme=prog, user=UserFactory(), role="protege")
        return Match.objects.create(programme=prog, mentor=mentor, protege=protege, **fields)

    match(programme)
    match(programme)
    match(programme, status="offered", offered_at=timezone.now() - timedelta(days=10))
    match(programme, status="offered", offered_at=timezone.now() - timedelta(days=1))
    match(programme, status="active")
    match(elsewhere)

    rows = by_key(waiting_for(coordinator))
    assert [(r.place, r.count) for r in rows["proposals_to_publish"]] == [("New managers", 2)]
    assert [(r.place, r.count) for r in rows["unanswered_offers"]] == [("New managers", 1)]
    assert rows["unanswered_offers"][0].url == reverse("mentoring:coordinate", args=[programme.pk])
    client.force_login(coordinator)
    html = client.get(reverse("home")).content.decode()
    assert menu_badges(html) == {"Mentoring": 3}
    assert menu_badge_links(html) == {
        "Mentoring": reverse("mentoring:coordinate", args=[programme.pk])
    }
    assert_links_open(client, menu_badge_links(html).values())


def test_a_participant_sees_todays_step_until_it_is_done(client, manager):
    person = UserFactory()
    community = community_create(created_by=manager, name="Feedback", purpose="Practise")
    membership_join(community=community, user=person)
    challenge = Challenge.objects.create(
        title="Thirty days of feedback",
        community=community,
        cadence=Challenge.Cadence.DAILY,
        length_value=30,
        length_unit=Challenge.LengthUnit.DAYS,
        start_date=timezone.localdate() - timedelta(days=1),
        status=Challenge.Status.PUBLISHED,
    )
    now = timezone.now()
    steps = [
        Step.objects.create(
            challenge=challenge,
            position=n,
            title=f"Step {n}",
            prompt="p",
            day_offset=n - 1,
            posted_at=now if n < 3 else None,
        )
        for n in (1, 2, 3)
    ]
    Participant.objects.create(challenge=challenge, user=person, joined_at=now)

    rows = waiting_for(person)
    assert [(r.key, r.place, r.url) for r in rows] == [
        ("todays_step", challenge.title, reverse("challenges:participant", args=[challenge.pk]))
    ]
    client.force_login(person)
    assert menu_badges(client.get(reverse("home")).content.decode()) == {"Challenges": 1}

    Completion.objects.create(
        step=steps[1], user=person, challenge=challenge, via="done", completed_at=now
    )
    assert waiting_for(person) == []
    # Someone who left the challenge is not asked either.
    Completion.objects.all().delete()
    Participant.objects.filter(user=person).update(left_at=now)
    assert waiting_for(person) == []


def test_home_asks_the_same_number_of_queries_however_much_waits(client, manager):
    member = UserFactory()
    client.force_login(manager)

    def add_guilds(n: int, posts: int) -> None:
        for _ in range(n):
            c = community_create(
                created_by=manager, name=f"Guild {Thread.objects.count()}", purpose="p"
            )
            membership_join(community=c, user=member)
            for _ in range(posts):
                t = _thread(c, member, status=Thread.Status.HELD)
                Flag.objects.create(thread=t, community=c, flagged_by=member, reason="x")

    def home_queries() -> tuple[int, str]:
        client.get(reverse("home"))  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("home")).content.decode()
        return len(queries), html

    add_guilds(1, 1)
    few, html = home_queries()
    assert html.count('class="list-row waiting-') == 2
    add_guilds(6, 5)
    many, html = home_queries()
    assert html.count('class="list-row waiting-') == 14
    assert many == few


def test_an_ld_admin_sees_approvals_hr_files_failed_deliveries_and_flags_left_to_them(
    client, manager
):
    from django.contrib.auth.models import Group

    from communities.channels.models import Channel
    from communities.models import Community
    from socialearn.outbox.models import Message
    from socialearn.people.identity.hr_import import people_import_create
    from socialearn.people.permissions import LD_ADMIN, staff_groups_sync

    staff_groups_sync()
    lnd = UserFactory(is_staff=True, profile__display_name="Lee L&D")
    lnd.groups.add(Group.objects.get(name=LD_ADMIN))
    member = UserFactory()
    now = timezone.now()
    proposed = Community.objects.create(
        name="Knitting circle",
        slug="knitting-circle",
        purpose="Yarn",
        status=Community.Status.PROPOSED,
        created_by=member,
    )
    Community.objects.create(name="Open one", slug="open-one", purpose="x", created_by=member)
    upload = people_import_create(
        uploaded_by=lnd, filename="hr.csv", content="email\n", deactivate_missing=False
    )
    applied = people_import_create(
        uploaded_by=lnd, filename="old.csv", content="email\n", deactivate_missing=False
    )
    PeopleImport = type(applied)
    PeopleImport.objects.filter(pk=applied.pk).update(applied_at=now)
    for status in ("dead", "dead", "done", "failed"):
        Message.objects.create(kind="email", status=status, available_at=now, created_at=now)
    guild = community_create(created_by=manager, name="Data guild", purpose="Data")
    mine = community_create(created_by=lnd, name="L&D corner", purpose="Ours")
    for c in (guild, mine):
        membership_join(community=c, user=member)
    Flag.objects.create(thread=_thread(guild, member), community=guild, flagged_by=member)
    # In a community the L&D admin manages: already in their own queue, not counted twice.
    Flag.objects.create(thread=_thread(mine, member), community=mine, flagged_by=member)
    Channel.objects.create(
        community=guild,
        provider="teams",
        name="guild",
        url_encrypted="x",
        url_hint="x",
        created_at=now,
        last_error_at=now,
    )

    rows = by_key(waiting_for(lnd))
    approvals = reverse("communities:approvals")
    assert [(r.place, r.count, r.url) for r in rows["communities_to_approve"]] == [
        ("Knitting circle", 1, f"{approvals}#proposed-{proposed.pk}")
    ]
    assert [(r.place, r.url) for r in rows["hr_imports_unapplied"]] == [
        ("hr.csv", reverse("people:import_review", args=[upload.pk]))
    ]
    assert [(r.count, r.label) for r in rows["outbox_given_up"]] == [
        (2, "2 deliveries failed for good")
    ]
    assert [(r.place, r.count) for r in rows["unmanaged_flags"]] == [("Data guild", 1)]
    assert [(r.place, r.count) for r in rows["open_flags"]] == [("L&D corner", 1)]
    assert "failing_channels" not in rows  # the guild's managers are told
    assert [(r.place, r.count) for r in by_key(waiting_for(manager))["failing_channels"]] == [
        ("Data guild", 1)
    ]
    # Nobody else is handed L&D's work.
    assert waiting_for(member) == []

    client.force_login(lnd)
    html = client.get(reverse("home")).content.decode()
    assert menu_badges(html) == {"Communities": 3, "People": 1, "Insights": 2}
    links = menu_badge_links(html)
    assert links["People"] == reverse("people:import_review", args=[upload.pk])
    assert links["Insights"].startswith(reverse("admin:outbox_message_changelist"))
    assert_links_open(client, [*links.values(), *(u for _k, u in HOME_CARD.findall(html))])


def test_the_menu_counts_are_kept_and_forgotten_when_a_held_post_arrives(client, manager):
    """The menu does not count again on every page; a post held by someone else's write shows
    on the manager's next page, and so does what they just resolved themselves."""
    member = UserFactory()
    guild = community_create(created_by=manager, name="Data guild", purpose="Data")
    membership_join(community=guild, user=member)
    client.force_login(manager)
    assert menu_badges(client.get(reverse("communities:list")).content.decode()) == {}

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("communities:list"))
    assert not [q for q in queries.captured_queries if "communities_flag" in q["sql"]]

    _thread(guild, member, status=Thread.Status.HELD)  # someone else's write
    html = client.get(reverse("communities:list")).content.decode()
    assert menu_badges(html) == {"Communities": 1}

    # Published quietly (a bulk update sends no signal): their own POST forgets their counts.
    Thread.objects.filter(community=guild).update(status=Thread.Status.PUBLISHED)
    client.post(reverse("communities:list"))
    assert menu_badges(client.get(reverse("communities:list")).content.decode()) == {}


def test_a_completion_forgets_only_its_own_persons_counts(manager):
    from socialearn.waiting import cached_counts, keep_counts

    person, other = UserFactory(), UserFactory()
    keep_counts(person.pk, {"waiting_todays_step": 1})
    keep_counts(other.pk, {"waiting_todays_step": 1})
    community = community_create(created_by=manager, name="Feedback", purpose="Practise")
    challenge = Challenge.objects.create(
        title="Thirty days",
        community=community,
        cadence=Challenge.Cadence.DAILY,
        length_value=30,
        length_unit=Challenge.LengthUnit.DAYS,
        start_date=timezone.localdate(),
        status=Challenge.Status.PUBLISHED,
    )
    step = Step.objects.create(challenge=challenge, position=1, title="S", prompt="p")
    keep_counts(person.pk, {"waiting_todays_step": 1})
    keep_counts(other.pk, {"waiting_todays_step": 1})
    Completion.objects.create(
        step=step, user=person, challenge=challenge, via="done", completed_at=timezone.now()
    )
    assert cached_counts(person.pk) is None
    assert cached_counts(other.pk) == {"waiting_todays_step": 1}


def test_the_menus_links_are_worked_out_once_per_set_of_summaries():
    kinds = waiting_kinds()
    first = {f"waiting_{kinds[0].key}": json.dumps([1, 7, 1, 3])}
    second = {f"waiting_{kinds[0].key}": json.dumps([2, 7, 1, 3])}
    for facts in (first, second, first, {}, second):
        expected = _section_links.__wrapped__(
            tuple(kinds),
            tuple(facts.get(f"waiting_{kind.key}") for kind in kinds),
            "/",
            None,
        )
        assert section_links(facts) == expected
    assert section_links(first)[kinds[0].section][0] == 1
    assert section_links(second)[kinds[0].section][0] == 2  # new counts show at once
    links = section_links(first)
    links.clear()  # a caller's copy: the kept one is untouched
    assert section_links(first)


@pytest.mark.parametrize("kind", waiting_kinds(), ids=lambda kind: kind.key)
@pytest.mark.parametrize("is_superuser", [False, True])
def test_a_kind_says_whether_its_sql_holds_the_time(kind, is_superuser):
    """`reads_clock` is what the kind's SQL does: built at two moments (another day and
    hour), the SQL of a kind that declares no clock is the same, and a kind that declares one
    holds the time. The home page compiles the first kind once for every reader."""
    reader = UserFactory(is_superuser=is_superuser)
    now = timezone.now()

    def built_at(moment):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            return waiting._grouped(kind, reader).query.sql_with_params()

    same = built_at(now) == built_at(now + timedelta(days=1, hours=1))
    assert same is not kind.reads_clock


def test_the_home_cards_queries_compiled_once_give_what_the_orm_gives(manager):
    """A kind depending on the reader's id alone is compiled once per process and run with
    each reader's id; one reading the clock is built for each reader, even when it reads
    only today's date."""
    member = UserFactory()
    guild = community_create(created_by=manager, name="Data guild", purpose="Data")
    sales = community_create(created_by=UserFactory(), name="Sales craft", purpose="Sales")
    for c in (guild, sales):
        membership_join(community=c, user=member)
    _thread(guild, member, status=Thread.Status.HELD, title="One")
    _thread(guild, member, status=Thread.Status.PENDING, title="Two")
    _thread(sales, member, status=Thread.Status.HELD, title="Not hers")
    published = _thread(guild, member)
    _reply(published, member, status="held")
    Flag.objects.create(thread=published, community=guild, flagged_by=member, reason="Spam")

    readers = [manager, member, UserFactory(is_superuser=True)]
    for kind in waiting_kinds():
        for reader in readers:
            assert waiting._groups(kind, reader) == list(waiting._grouped(kind, reader))
    compiled = {kind.key for (kind, _su), c in waiting._compiled.items() if c is not None}
    assert {"held_threads", "held_replies", "open_flags", "todays_step"} <= compiled
    # An answer falling due, an offer going stale, an HR file forgotten: the clock decides.
    assert not {"due_answers", "owed_answers", "unanswered_offers"} & compiled
    held = next(k for k in waiting_kinds() if k.key == "held_threads")
    assert waiting._groups(held, manager) == [
        {"community__slug": guild.slug, "community__name": "Data guild", "n": 2, "first": ANY}
    ]
