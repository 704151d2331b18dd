"""ShortListPaginator gives Django's pages, and counts a list of one page by its rows."""

import pytest
from django.core.paginator import Paginator

from socialearn.paging import ShortListPaginator
from socialearn.people.models import Topic
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def _page_facts(page) -> tuple:
    return (
        [t.pk for t in page.object_list],
        page.number,
        page.paginator.count,
        page.paginator.num_pages,
        page.has_next(),
        page.has_previous(),
        page.start_index(),
        page.end_index(),
    )


@pytest.mark.parametrize("size", [0, 1, 4, 5, 6, 7, 12])
@pytest.mark.parametrize("number", [1, "1", None, "", "x", 2, "3", 99, -1])
@pytest.mark.parametrize("orphans", [0, 2])
def test_the_pages_are_djangos(size, number, orphans):
    for i in range(size):
        TopicFactory(name=f"Topic {i:02}")
    topics = Topic.objects.order_by("name")
    django_page = Paginator(topics, 5, orphans=orphans).get_page(number)
    short_page = ShortListPaginator(topics, 5, orphans=orphans).get_page(number)
    assert _page_facts(short_page) == _page_facts(django_page)


@pytest.mark.parametrize(("size", "queries"), [(0, 1), (3, 1), (5, 1), (6, 2)])
def test_a_list_of_one_page_is_counted_by_its_rows(size, queries, django_assert_num_queries):
    for i in range(size):
        TopicFactory(name=f"Topic {i:02}")
    with django_assert_num_queries(queries):
        page = ShortListPaginator(Topic.objects.order_by("name"), 5).get_page(1)
        _page_facts(page)
