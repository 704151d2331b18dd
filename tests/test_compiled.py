"""A query compiled once with stand-in values runs, with each request's values in their places,
exactly the SQL the ORM builds for those values, and reads its rows back as the queryset does;
a build that depends on anything else is refused."""

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from communities.models import Community, Membership, Thread
from communities.services import thread_create
from socialearn.compiled import STAND_INS, for_queryset, for_reader, for_values
from socialearn.people.evidence import InPlaces
from tests.communities.conftest import make_community
from tests.factories import TopicFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
STANDS = {"reader": STAND_INS, "topic": (-1, -2), "places": ([-3, -4], [-5])}


def _threads(*, reader, topic, places):
    """Threads on a topic in some communities, with whether the reader is a member there."""
    member = Membership.objects.filter(community=OuterRef("community_id"), user_id=reader)
    return (
        Thread.objects.filter(InPlaces("community_id", places), topics=topic)
        .annotate(is_member=Exists(member))
        .select_related("community", "author")
        .order_by("-created_at", "-id")[:5]
    )


def _sql(**values):
    return _threads(**values).query.sql_with_params()


@pytest.fixture
def world():
    manager, member = UserFactory(), UserFactory()
    topics = [TopicFactory(name="Negotiation"), TopicFactory(name="Pricing")]
    open_ = make_community(manager, name="Deal makers", members=[member], topics=topics)
    closed = make_community(
        manager, name="Board room", topics=topics, visibility=Community.Visibility.PRIVATE
    )
    for community in (open_, closed):
        for i, topic in enumerate(topics * 2):
            thread_create(
                community=community,
                author=member,
                kind=Thread.Kind.QUESTION,
                title=f"{community.name} {topic.name} {i}",
                body="Text",
                topics=[topic],
            )
    return manager, member, topics, [open_.pk, closed.pk]


def test_the_compiled_sql_with_real_values_is_the_orms(world):
    manager, member, topics, places = world
    compiled = for_values(_sql, STANDS)
    assert compiled is not None
    for reader in (manager.pk, member.pk):
        for topic in topics:
            for readable in (places, places[:1], []):
                values = {"reader": reader, "topic": topic.pk, "places": readable}
                sql, params = _sql(**values)
                assert (compiled.sql, compiled.params_for(**values)) == (sql, tuple(params))


def test_a_build_that_reads_the_clock_is_refused():
    def build(*, reader):
        return Thread.objects.filter(
            author_id=reader, created_at__lte=timezone.now()
        ).query.sql_with_params()

    assert for_values(build, {"reader": STAND_INS}) is None


def test_a_value_written_into_the_sql_text_is_refused():
    def build(*, limit):
        return Thread.objects.order_by("id")[:limit].query.sql_with_params()

    assert for_values(build, {"limit": (7, 8)}) is None


def test_a_value_changed_on_its_way_into_the_parameters_is_refused():
    def build(*, reader):
        return Thread.objects.filter(author_id=reader + 1).query.sql_with_params()

    assert for_values(build, {"reader": STAND_INS}) is None


def test_stand_ins_must_differ_from_one_another():
    with pytest.raises(ValueError, match="differ"):
        for_values(_sql, {**STANDS, "topic": STAND_INS})


def test_every_value_is_given_when_the_compiled_sql_is_run(world):
    compiled = for_values(_sql, STANDS)
    with pytest.raises(TypeError):
        compiled.params_for(reader=1, topic=2)


def test_the_compiled_queryset_reads_the_same_instances_with_their_joins_and_annotations(
    world, django_assert_num_queries
):
    manager, member, topics, places = world
    compiled = for_queryset(_threads, STANDS)
    assert compiled is not None
    for reader in (manager.pk, member.pk):
        for topic in topics:
            values = {"reader": reader, "topic": topic.pk, "places": places}
            expected = list(_threads(**values))
            with django_assert_num_queries(1):
                found = compiled.results(**values)
                seen = [
                    (t.pk, t.title, t.created_at, t.is_member, t.community.name, t.author.email)
                    for t in found
                ]
            assert seen == [
                (t.pk, t.title, t.created_at, t.is_member, t.community.name, t.author.email)
                for t in expected
            ]
            assert [type(t) for t in found] == [Thread] * len(expected)
            assert not found[0]._state.adding
            assert found[0]._state.db == "default"


def test_values_and_values_lists_read_back_as_the_queryset_gives_them(world):
    _manager, _member, topics, places = world

    def counted(*, topic, places):
        return (
            Thread.objects.filter(InPlaces("community_id", places), topics=topic)
            .values("community__name")
            .annotate(n=Count("id"))
            .order_by("community__name")
        )

    def titles(*, topic, places):
        qs = Thread.objects.filter(InPlaces("community_id", places), topics=topic)
        return qs.order_by("title").values_list("title", "created_at")

    def ids(*, topic, places):
        qs = Thread.objects.filter(InPlaces("community_id", places), topics=topic)
        return qs.order_by("id").values_list("id", flat=True)

    stands = {"topic": STANDS["topic"], "places": STANDS["places"]}
    for build in (counted, titles, ids):
        compiled = for_queryset(build, stands)
        for topic in topics:
            values = {"topic": topic.pk, "places": places}
            assert compiled.results(**values) == list(build(**values))


def test_a_prefetching_queryset_is_not_compiled():
    def build(*, reader):
        return Thread.objects.filter(author_id=reader).prefetch_related("topics")

    assert for_queryset(build, {"reader": STAND_INS}) is None


def test_for_reader_puts_the_readers_id_in_its_places(world):
    manager, member, _topics, _places = world

    def build(pk):
        return Membership.objects.filter(user_id=pk).values("community_id").query.sql_with_params()

    compiled = for_reader(build)
    for pk in (manager.pk, member.pk):
        sql, params = build(pk)
        assert (compiled.sql, compiled.params_for(pk)) == (sql, tuple(params))
