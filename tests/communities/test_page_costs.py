"""The community pages cost the same whatever the size of the community: pages of threads
and replies read off indexes (the last page from the end), and the same queries for a few
rows as for many."""

import json

import pytest
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from communities import search as community_search
from communities.models import Reply, Thread
from communities.services import thread_create
from tests.communities.conftest import make_community
from tests.communities.test_queries import _community_with
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _replies_in_order(thread, n, author):
    start = timezone.now()
    Reply.objects.bulk_create(
        Reply(
            thread=thread,
            author=author,
            body=f"Reply {i}",
            body_html=f"<p>Reply number {i:03d}.</p>",
            created_at=start + timezone.timedelta(seconds=i),
        )
        for i in range(n)
    )
    return list(Reply.objects.filter(thread=thread).order_by("created_at", "id"))


def _shown_ids(response) -> list[int]:
    return [reply.pk for reply in response.context["replies"]]


def test_the_last_page_of_a_thread_shows_its_last_replies(client, community, member):
    thread = thread_create(
        community=community, author=member, kind="discussion", title="T", body="B"
    )
    _replies_in_order(thread, 60, member)
    client.force_login(member)
    html = client.get(thread.get_absolute_url(), {"page": "last"}).content.decode()
    assert "Reply number 059." in html
    assert "Reply number 050." in html
    assert "Reply number 049." not in html
    assert "Page 3 of 3" in html


def test_every_page_lists_its_replies_in_reading_order_whichever_end_it_is_read_from(
    client, community, member
):
    thread = thread_create(
        community=community, author=member, kind="discussion", title="T", body="B"
    )
    replies = _replies_in_order(thread, 60, member)
    ids = [r.pk for r in replies]
    client.force_login(member)
    for number in (1, 2, 3):
        shown = _shown_ids(client.get(thread.get_absolute_url(), {"page": number}))
        assert shown == ids[(number - 1) * 25 : number * 25]
    assert _shown_ids(client.get(thread.get_absolute_url(), {"page": 99})) == ids[50:]


def test_a_reply_waiting_for_review_counts_on_its_authors_pages_only(
    client, community, member, manager
):
    thread = thread_create(
        community=community, author=member, kind="discussion", title="T", body="B"
    )
    replies = _replies_in_order(thread, 25, manager)
    Reply.objects.filter(pk=replies[-1].pk).update(author=member, status=Reply.Status.PENDING)
    Reply.objects.filter(pk=replies[0].pk).update(status=Reply.Status.HIDDEN)
    reader = UserFactory()
    client.force_login(member)
    assert client.get(thread.get_absolute_url()).context["page"].paginator.count == 24
    client.force_login(reader)
    assert client.get(thread.get_absolute_url()).context["page"].paginator.count == 23
    client.force_login(manager)
    assert client.get(thread.get_absolute_url()).context["page"].paginator.count == 24


def _queries(client, url) -> int:
    client.get(url)  # what a first request caches (the site) is not the page's cost
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def _page_costs(client, admin_client, community, thread, reader) -> dict:
    client.force_login(reader)
    detail = community.get_absolute_url()
    urls = {
        "detail": detail,
        "top": detail + "?sort=top",
        "unanswered": detail + "?sort=unanswered",
        "latest, page 2": detail + "?sort=latest&page=2",
        "thread": thread.get_absolute_url(),
        "thread, last page": thread.get_absolute_url() + "?page=last",
        "list": reverse("communities:list"),
        "search": reverse("communities:search") + "?q=pivot",
        "rss": reverse("communities:feed_rss", args=[community.slug]),
        "atom": reverse("communities:feed_atom", args=[community.slug]),
    }
    costs = {label: _queries(client, url) for label, url in urls.items()}
    admin_list = reverse("admin:communities_community_changelist")
    costs["admin"] = _queries(admin_client, admin_list)
    return costs


def test_the_community_pages_run_the_same_queries_for_few_rows_and_many(
    client, admin_client, manager, people
):
    few = _community_with(manager, people, 5, 3)
    few_costs = _page_costs(client, admin_client, *few, people[0])
    for n in range(30):
        make_community(manager, name=f"Circle {n}", members=people[:2])
    many = _community_with(manager, people, 45, 140)
    assert _page_costs(client, admin_client, *many, people[0]) == few_costs


@pytest.fixture
def people():
    return UserFactory.create_batch(4)


def _plan_nodes(sql: str, *, analyze: bool = False) -> list[dict]:
    """Every node of the query's plan (EXPLAIN, with ANALYZE its actual rows too)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({'ANALYZE, ' if analyze else ''}FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes, stack = [], [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        stack.extend(node.get("Plans", []))
        nodes.append(node)
    return nodes


def _plan_indexes(sql: str) -> set[str]:
    found = set()
    for node in _plan_nodes(sql):
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "communities_thread":
            found.add("seq scan")
        if node.get("Index Name"):
            found.add(node["Index Name"])
    return found


def _seed_threads(community_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO communities_thread (community_id, kind, title, body, body_html, url, "
            "is_anonymous, status, is_locked, is_pinned, is_system, posted_late, created_at, "
            "last_activity_at, reply_count, reaction_count, help_departments, help_reached, "
            "hold_reason) "
            "SELECT %s, (ARRAY['question', 'discussion', 'tip', 'help'])[g %% 4 + 1], "
            "'Thread ' || g, '', '', '', false, 'published', false, g %% 500 = 0, false, false, "
            "now() - g * interval '1 minute', now() - g * interval '1 minute', g %% 7, g %% 5, "
            "0, 0, '' FROM generate_series(1, 20000) g",
            [community_id],
        )


@pytest.mark.parametrize(
    ("sort", "index"),
    [
        ("latest", "thread_community_latest"),
        ("top", "thread_community_top"),
        ("unanswered", "thread_community_unanswered"),
    ],
)
def test_each_order_of_the_community_page_walks_its_own_index(client, manager, member, sort, index):
    """20,000 threads in each of two communities: a page in any order reads 20 index entries,
    it does not sort the community's threads."""
    community = make_community(manager, members=[member], name="Seeded")
    other = make_community(manager, name="Other")
    for pk in (community.pk, other.pk):
        _seed_threads(pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE communities_thread")
    client.force_login(member)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(community.get_absolute_url(), {"sort": sort})
    assert response.status_code == 200
    listing = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "communities_thread"' in q["sql"] and "ORDER BY" in q["sql"]
    ]
    assert len(listing) == 1
    used = _plan_indexes(listing[0])
    assert index in used
    assert "seq scan" not in used


def test_titles_only_alike_are_looked_for_when_the_words_find_too_few(
    monkeypatch, member, community
):
    from socialearn.people import search

    monkeypatch.setattr(community_search, "CANDIDATES", 3)
    for n in range(3):
        thread_create(
            community=community,
            author=member,
            kind="discussion",
            title=f"Negotation tips {n}",
            body="",
        )
    alike = thread_create(
        community=community,
        author=member,
        kind="discussion",
        title="Negotiation tips for a first job offer",
        body="",
    )

    def titles() -> list[str]:
        return [
            h.title for h in search.search(member, "negotation tips", kind="threads")[1][0].hits
        ]

    assert len(titles()) == 3
    assert not any("job offer" in t for t in titles())
    Thread.objects.exclude(pk=alike.pk).delete()
    assert ["job offer" in t for t in titles()] == [True]


def test_the_search_walks_tips_among_tips_only(member, community):
    """A common word in 20,000 threads of which a quarter are tips: the tips' candidates come
    from the tips' own index, not a walk of every thread by activity."""
    from socialearn.people import search

    _seed_threads(community.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE communities_thread SET search_vector = to_tsvector('english', title || ' data')"
        )
        cursor.execute("ANALYZE communities_thread")
    with CaptureQueriesContext(connection) as captured:
        hits = search.search(member, "data", kind="tips")[1][0].hits
    assert len(hits) == 5
    (sql,) = [q["sql"] for q in captured.captured_queries if "communities_thread" in q["sql"]]
    used = _plan_indexes(sql)
    assert "thread_tips_recent" in used
    assert "seq scan" not in used


def _seed_replies(thread_id: int, n: int, words: str) -> None:
    """`n` published replies, a minute apart, the newest a minute old, each saying `words`."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO communities_reply (thread_id, is_anonymous, body, body_html, status, "
            "created_at, reaction_count, search_vector, hold_reason) "
            "SELECT %s, false, %s, %s, 'published', now() - g * interval '1 minute', 0, "
            "to_tsvector('english', %s), '' FROM generate_series(1, %s) g",
            [thread_id, words, words, words, n],
        )


def _replies_walked(sql: str) -> int:
    """How many replies the query's plan read in the order of their dates (EXPLAIN ANALYZE)."""
    return sum(
        (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node.get("Actual Loops", 1)
        for node in _plan_nodes(sql, analyze=True)
        if node.get("Index Name") == "communities_reply_created_at_a49b6bcd"
    )


def test_a_rare_word_does_not_walk_every_reply(monkeypatch, member, community):
    """20,000 replies say "data"; one old one says "kubernetes". The planner, which has no
    statistics on a word that rare, guesses it in a third of a percent of the replies, more
    than the CANDIDATES it needs, and would walk them all from the newest: the walk stops
    at RECENT_WALK replies, and the rest is looked up without walking the replies by date."""
    from socialearn.people import search

    monkeypatch.setattr(community_search, "CANDIDATES", 3)
    monkeypatch.setattr(community_search, "RECENT_WALK", 2_000)
    thread = thread_create(
        community=community, author=member, kind="discussion", title="Ops", body="B"
    )
    _seed_replies(thread.pk, 20_000, "data pipelines and dashboards")
    _seed_replies(thread.pk, 1, "kubernetes upgrade notes")
    Reply.objects.filter(body__startswith="kubernetes").update(
        created_at=timezone.now() - timezone.timedelta(days=400)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE communities_reply")

    for word, expected in (("kube", ["kubernetes"]), ("data", ["data"] * 3)):
        with CaptureQueriesContext(connection) as captured:
            hits = search.search(member, word, kind="threads")[1][0].hits
        assert [strip_tags(h.excerpt).split()[0] for h in hits][:5] == expected
        (sql,) = [q["sql"] for q in captured.captured_queries if "communities_reply" in q["sql"]]
        assert _replies_walked(sql) <= 2_000


def test_the_candidates_are_the_newest_matches_whether_walked_or_read_off_the_index(
    monkeypatch, member, community
):
    from socialearn.people import search

    monkeypatch.setattr(community_search, "CANDIDATES", 3)
    monkeypatch.setattr(community_search, "RECENT_WALK", 6)
    thread = thread_create(
        community=community, author=member, kind="discussion", title="Ops", body="B"
    )
    now = timezone.now()

    def reply(body: str, minutes_ago: int) -> Reply:
        made = Reply.objects.create(
            thread=thread,
            author=member,
            body=body,
            body_html=f"<p>{body}</p>",
            status="published",
            created_at=now,
        )
        Reply.objects.filter(pk=made.pk).update(
            created_at=now - timezone.timedelta(minutes=minutes_ago),
            search_vector=SearchVector(Value(body), config="english"),
        )
        return made

    def candidates(word: str) -> set[int]:
        terms = search.parse(word)
        rows = community_search._reply_rows(member, terms, excerpts=False)
        return {r["reply_pk"] for r in rows}

    # Walked: the three newest "velocity" replies are among the six newest replies.
    walked = [reply(f"velocity sprint {n}", n) for n in range(1, 4)]
    older = [reply(f"velocity planning {n}", 100 + n) for n in range(3)]
    assert candidates("velocity") == {r.pk for r in walked}
    # Read off the index: six newer replies say something else; "velocity" is found beyond
    # the walk, its three newest all the same.
    for n in range(6):
        reply(f"standup notes {n}", 0)
    assert candidates("velocity") == {r.pk for r in walked}
    Reply.objects.filter(pk__in=[r.pk for r in walked]).delete()
    assert candidates("velocity") == {r.pk for r in older}
