"""The one search: prefixes, typos, every kind, only what the reader may see, fixed cost."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from challenges.models import Challenge
from communities.models import Community, Thread
from communities.services import answer_accept, reply_create, thread_create
from expertqa.services import answer_create, question_ask, session_schedule
from socialearn.people import search
from tests.communities.conftest import make_community
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


def _titles(user, q, kind=""):
    _, groups = search.search(user, q, kind=kind, limit=20)
    return {g.kind: [str(h.title) for h in g.hits] for g in groups}


def _flat(user, q, kind) -> str:
    return " ".join(_titles(user, q, kind)[kind])


@pytest.fixture
def org(db):
    class Org:
        pass

    o = Org()
    o.topic = TopicFactory(name="Kubernetes", description="Containers at scale")
    o.negotiation = TopicFactory(name="Negotiation")
    o.manager = UserFactory(profile__display_name="Magdalena Okonkwo")
    o.member = UserFactory(profile__display_name="Sam Member")
    o.reader = UserFactory(profile__display_name="Rita Reader")
    o.community = make_community(
        o.manager, name="Platform guild", members=[o.member, o.reader], topics=[o.topic]
    )
    o.thread = thread_create(
        community=o.community,
        author=o.member,
        kind=Thread.Kind.QUESTION,
        title="How do we upgrade Kubernetes clusters?",
        body="We run **opening question** on `kubectl` every quarter.",
        topics=[o.topic],
    )
    o.reply = reply_create(thread=o.thread, author=o.manager, body="Drain the nodes first.")
    answer_accept(thread=o.thread, reply=o.reply, accepted_by=o.member)
    o.tip = thread_create(
        community=o.community,
        author=o.member,
        kind=Thread.Kind.TIP,
        title="Negotiation tips for salary talks",
        body="Anchor high.",
        topics=[o.negotiation],
    )
    return o


def test_a_prefix_finds_threads_topics_and_people(org):
    """Rule: the last word matches as a prefix ("kube" finds Kubernetes, "magda" Magdalena)."""
    found = _titles(org.reader, "kube")
    assert any("Kubernetes" in t for t in found["threads"])
    assert found["topics"] == ["Kubernetes"]
    assert _titles(org.reader, "magda")["people"] == ["Magdalena Okonkwo"]


def test_one_typo_is_forgiven_in_names_and_titles(org):
    """Rule: trigram similarity finds "negotation" and "Magdelena Okonkow"."""
    assert "Negotiation" in _flat(org.reader, "negotation", "tips")
    assert _titles(org.reader, "negotation")["topics"] == ["Negotiation"]
    assert "Kubernetes" in _flat(org.reader, "upgrade kubernetis clusters", "threads")
    assert _titles(org.reader, "Magdelena")["people"] == ["Magdalena Okonkwo"]
    assert _titles(org.reader, "Okonkow")["people"] == ["Magdalena Okonkwo"]


def test_excerpts_are_plain_text_with_the_match_marked(org):
    """Rule: the excerpt is the rendered text without Markdown marks, escaped, the match in
    <mark>; the reader's input never becomes markup."""
    _, groups = search.search(org.reader, "opening", kind="threads")
    hit = groups[0].hits[0]
    assert "<mark>opening</mark>" in hit.excerpt
    assert "**" not in hit.excerpt
    assert "`" not in hit.excerpt
    _, groups = search.search(org.reader, "<script>alert(1)</script> kube")
    assert "<script>" not in str([h.title for g in groups for h in g.hits])


def test_accepted_answers_rank_first(org):
    """Rule: of two equally matching questions, the one with an accepted answer comes first."""
    thread_create(
        community=org.community,
        author=org.reader,
        kind=Thread.Kind.QUESTION,
        title="How do we upgrade Kubernetes clusters safely?",
        body="",
    )
    titles = _titles(org.reader, "upgrade kubernetes", "threads")["threads"]
    assert "<mark>" in titles[0]
    hits = search.search(org.reader, "upgrade kubernetes", kind="threads")[1][0].hits
    assert hits[0].url.endswith(f"/t/{org.thread.pk}/")


def test_hostile_input_is_harmless(org, client):
    """Rule: quotes, operators, backslashes and NUL reach no error and change no query."""
    client.force_login(org.reader)
    for q in ["'", "a & | ! :* (", "\\", "kube:*", "a\x00b", "x" * 500, "   ", "!!!"]:
        assert client.get(reverse("search"), {"q": q}).status_code == 200
        assert client.get(reverse("search_suggest"), {"q": q}).status_code == 200
    assert search.parse("!!!") is None
    assert search.parse("Kube's test:*").tsquery == "'kube' & 's' & 'test':*"


def test_a_community_is_found_by_its_new_words_as_soon_as_they_are_saved(org):
    """The words a community is found by are kept by the database: an edit of its name or
    purpose is searchable at once, and the old words no longer find it."""
    from communities.services import community_update

    assert _titles(org.reader, "guild")["communities"] == ["Platform guild"]
    assert _titles(org.reader, "observability")["communities"] == []
    community_update(
        community=org.community,
        updated_by=org.manager,
        name="Platform crew",
        purpose="Observability and on-call for every team",
    )
    assert _titles(org.reader, "observability")["communities"] == ["Platform crew"]
    assert _titles(org.reader, "guild")["communities"] == []
    excerpt = search.search(org.reader, "observability", kind="communities")[1][0].hits[0].excerpt
    assert "<mark>Observability</mark>" in str(excerpt)


def test_search_page_groups_results_by_kind_and_filters_one_kind(org, client):
    client.force_login(org.reader)
    page = client.get(reverse("search"), {"q": "kube"}).content.decode()
    assert "Threads and replies" in page
    assert "Topics" in page
    assert "Kubernetes" in page
    one = client.get(reverse("search"), {"q": "kube", "kind": "topics"}).content.decode()
    assert "Threads and replies</h2>" not in one
    suggest = client.get(reverse("search_suggest"), {"q": "kube"}, headers={"HX-Request": "true"})
    assert 'role="option"' in suggest.content.decode()
    assert "<html" not in suggest.content.decode()


def test_without_javascript_the_header_box_is_a_get_form(org, client):
    client.force_login(org.reader)
    page = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("search")}"' in page
    assert 'name="q"' in page


def test_communities_search_posts_is_the_one_search_filtered_to_threads(org, client):
    client.force_login(org.reader)
    page = client.get(reverse("communities:search"), {"q": "kube"}).content.decode()
    assert "Kubernetes" in page
    assert 'aria-current="page">Threads and replies' in page


def test_post_hits_name_their_community_and_author_as_lists_do(org):
    """Rule: a thread or reply hit says where it was posted and by whom: the display name,
    "Member" without one, "Former member" once the account is gone. (Read for the hits shown
    only, after ranking: each must still carry its own.)"""
    nameless = UserFactory(profile__display_name="")
    gone = UserFactory(profile__display_name="Gone Author")
    thread_create(
        community=org.community,
        author=nameless,
        kind=Thread.Kind.QUESTION,
        title="Zebra crossings",
        body="Striped.",
    )
    zebra = thread_create(
        community=org.community,
        author=gone,
        kind=Thread.Kind.DISCUSSION,
        title="Zebra habitats",
        body="Savannah.",
    )
    reply_create(thread=zebra, author=org.manager, body="Zebra herds migrate.")
    gone.delete()
    _, groups = search.search(org.reader, "zebra", kind="threads", limit=10)
    # The meta line ends with the post's date: its community and author come before.
    meta = {
        (h.label, h.title.replace("<mark>", "").replace("</mark>", "")): h.meta.rsplit(" · ", 1)[0]
        for h in groups[0].hits
    }
    assert meta == {
        ("", "Zebra crossings"): "Platform guild · Member",
        ("", "Zebra habitats"): "Platform guild · Former member",
        ("Reply", "Zebra habitats"): "Platform guild · Magdalena Okonkwo",
    }


# --- visibility -------------------------------------------------------------------------------


@pytest.fixture
def secrets(org):
    """A private community with everything in it, an anonymous post, a draft challenge."""
    s = type("Secrets", (), {})()
    s.private = make_community(
        org.manager,
        name="Quokka guild",
        members=[org.member],
        visibility=Community.Visibility.PRIVATE,
    )
    s.thread = thread_create(
        community=s.private,
        author=org.member,
        kind=Thread.Kind.QUESTION,
        title="Quokka budget",
        body="Quokka numbers",
    )
    reply_create(thread=s.thread, author=org.manager, body="Quokka answer")
    now = timezone.now()
    s.session = session_schedule(
        created_by=org.manager,
        title="Quokka session",
        topic=org.topic,
        community=s.private,
        experts=[org.manager],
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        description="Quokka agenda",
        invite=False,
    )
    q = question_ask(session=s.session, author=org.member, body="Quokka question?")
    answer_create(question=q, author=org.manager, body="Quokka reply from the expert")
    Challenge.objects.create(
        title="Quokka challenge",
        designer=org.manager,
        community=s.private,
        start_date=timezone.localdate(),
        status=Challenge.Status.PUBLISHED,
    )
    public = make_community(
        org.manager,
        name="Open forum",
        members=[org.member],
        anonymity=Community.Anonymity.ON,
    )
    s.draft = Challenge.objects.create(
        title="Wombat draft challenge",
        designer=org.manager,
        community=public,
        start_date=timezone.localdate() + timedelta(days=3),
        status=Challenge.Status.DRAFT,
    )
    s.anon = thread_create(
        community=public,
        author=org.member,
        kind=Thread.Kind.QUESTION,
        title="Anonymous worry about burnout",
        body="Too many meetings",
        is_anonymous=True,
    )
    return s


def _everything(user, q) -> str:
    _, groups = search.search(user, q, limit=20)
    return " ".join(f"{h.title} {h.excerpt} {h.meta} {h.url}" for g in groups for h in g.hits)


def test_private_communities_and_everything_in_them_stay_hidden(org, secrets):
    """Rule: an outsider finds nothing of a private community (community, threads, replies,
    sessions, answers, challenges); its member finds all of it."""
    assert "Quokka" not in _everything(org.reader, "quokka")
    assert "Quokka" not in _everything(org.reader, "quoka")  # nor with a typo
    seen = _everything(org.member, "quokka")
    for what in ("Quokka guild", "budget", "answer", "Quokka session", "#question-"):
        assert what in seen, what
    assert "/challenges/" in _everything(org.member, "quokka challenge")
    assert "Quokka reply from the <mark>expert</mark>" in _everything(org.member, "expert")


def test_anonymous_authors_are_never_found_or_shown_by_name(org, secrets):
    """Rule: an anonymous post says "Anonymous", and its author's name does not find it."""
    assert "burnout" in _everything(org.reader, "burnout")
    assert "Sam Member" not in _everything(org.reader, "burnout")
    assert "Anonymous" in _everything(org.reader, "burnout")
    assert "burnout" not in _everything(org.reader, "Sam Member")


def test_drafts_are_their_designers_only(org, secrets):
    """Rule: a draft challenge is found by its designer, by nobody else."""
    assert "Wombat" not in _everything(org.member, "wombat")
    assert "Wombat" in _everything(org.manager, "wombat")


def test_hidden_and_held_posts_are_not_found(org, secrets):
    Thread.objects.filter(pk=org.tip.pk).update(status=Thread.Status.HIDDEN)
    assert "salary" not in _everything(org.reader, "salary")


def test_departed_people_are_not_found(org):
    org.manager.is_active = False
    org.manager.save(update_fields=["is_active"])
    assert _titles(org.reader, "magdalena")["people"] == []


# --- cost -------------------------------------------------------------------------------------


def _grow(org, n):
    for i in range(n):
        t = thread_create(
            community=org.community,
            author=org.member,
            kind=Thread.Kind.QUESTION if i % 2 else Thread.Kind.TIP,
            title=f"Kubernetes question {i}",
            body=f"kube body {i}",
        )
        reply_create(thread=t, author=org.manager, body=f"kubernetes reply {i}")
        UserFactory(profile__display_name=f"Kube Person {i}")
        TopicFactory(name=f"Kubernetes {i}")


@pytest.mark.parametrize("n", [1, 12])
def test_search_costs_a_fixed_number_of_queries(org, client, django_assert_max_num_queries, n):
    """Rule: one query per kind at most, whatever the number of hits (page and suggestions)."""
    _grow(org, n)
    client.force_login(org.reader)
    kinds = len(search.providers())
    with django_assert_max_num_queries(kinds + 4):
        response = client.get(reverse("search"), {"q": "kube"})
    assert response.status_code == 200
    # The reader, their profile, one read of their groups (for the rights) and the session.
    with django_assert_max_num_queries(kinds + 4):
        client.get(reverse("search_suggest"), {"q": "kube"}, headers={"HX-Request": "true"})
    with django_assert_max_num_queries(5):
        client.get(reverse("search"), {"q": "kube", "kind": "threads", "page": 2})


# --- each kind's query is compiled once per process --------------------------------------------


def test_whoever_searched_first_each_reader_finds_only_what_they_may_see(org, secrets):
    """Rule: a kind's query is compiled once and run with each reader's own id: a private
    community's member, an outsider, a draft's designer and an L&D admin (whose rights come
    from a group) each still find exactly what they may see, in any order of searching."""
    from django.contrib.auth.models import Group

    from socialearn.people.permissions import LD_ADMIN

    admin = UserFactory(profile__display_name="Lena Admin")
    admin.groups.add(Group.objects.get_or_create(name=LD_ADMIN)[0])
    for _ in range(2):
        assert "Quokka" in _everything(org.member, "quokka")
        assert "Quokka" not in _everything(org.reader, "quokka")
        assert "Quokka" not in _everything(admin, "quokka")
        assert "Wombat" in _everything(admin, "wombat")
        assert "Wombat" in _everything(org.manager, "wombat")
        assert "Wombat" not in _everything(org.member, "wombat")
        assert "Wombat" not in _everything(org.reader, "wombat")


def test_anonymous_is_said_in_the_readers_language_whoever_searched_first(org, secrets):
    from django.utils import translation

    assert " · Anonymous · " in _everything(org.reader, "burnout")
    with translation.override("de"):
        german = _everything(org.reader, "burnout")
    assert " · Anonym · " in german
    assert " · Anonymous · " not in german
    assert "Sam Member" not in german


def test_suggestions_make_no_excerpts_and_keep_the_marked_titles(org):
    """The header box shows titles only: no excerpt is made for it."""
    _, groups = search.search(org.reader, "opening", kind="threads", excerpts=False)
    (hit,) = groups[0].hits
    assert hit.excerpt == ""
    _, groups = search.search(org.reader, "kube", excerpts=False)
    titles = [str(h.title) for g in groups for h in g.hits]
    assert any("<mark>Kubernetes</mark>" in t for t in titles)
    assert not any(h.excerpt for g in groups for h in g.hits)


def test_a_query_that_reads_the_database_while_it_is_built_is_refused(org):
    """A list read for the stand-in reader would be another reader's: never compiled once."""

    def build(user, terms):
        mine = list(Community.objects.filter(created_by=user).values_list("pk", flat=True))
        return Community.objects.exclude(pk__in=mine).values("name")

    with pytest.raises(search.ShapeError):
        search.rows(org.reader, search.parse("kube"), build)


def test_a_query_whose_sql_depends_on_more_than_the_reader_and_the_words_is_refused(org):
    def reader_as_text(user, terms):
        return Thread.objects.filter(title=str(user.pk)).values("title")

    calls = iter(range(10))

    def counting(user, terms):
        return Thread.objects.filter(reply_count__gte=next(calls)).values("title")

    for build in (reader_as_text, counting):
        with pytest.raises(search.ShapeError):
            search.rows(org.reader, search.parse("kube"), build)
